"""The browser the e2e tests drive: Debian's Chromium through Playwright, against the live test
server, with every request that would leave the machine refused."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent.parent / "test-output" / "e2e"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def new_page(live_server, monkeypatch):
    """`new_page(locale="ko-KR")` opens a page in a fresh browser context (its own cookies)."""
    # Playwright's sync API runs an event loop in this thread; Django's async-safety check
    # would refuse the database teardown that follows while it is up.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        contexts = []

        def open_page(locale: str = "ko-KR", width: int = 1280, height: int = 900):
            context = browser.new_context(
                locale=locale, viewport={"width": width, "height": height}
            )
            context.set_default_timeout(20_000)
            # Posters and the where-to-watch site are outside; nothing may leave the machine.
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(live_server.url)
                    else route.abort()
                ),
            )
            contexts.append(context)
            return context.new_page()

        yield open_page
        for context in contexts:
            context.close()
        browser.close()


def shot(page, folder: str, name: str) -> None:
    """A full-page screenshot under test-output/e2e/<folder>/ (for people to look at)."""
    target = SHOTS / folder
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"{name}.png"), full_page=True)
