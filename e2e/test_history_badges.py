"""The history page in a real browser (Debian's Chromium driven by Playwright), in English and
Korean, wide and on a phone: a movie's "Shown" / "Liked" / "Not interested" badge stays a
one-line pill when a long title wraps beside it, and each list's time names its zone.
Screenshots go to test-output/e2e/history/."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from e2e.conftest import shot
from movies.tests.factories import MovieFactory
from recommendations.models import Feedback
from recommendations.tests.test_views_home import ready_list

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"  # UserFactory's
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d KST$")  # the site's zone, Asia/Seoul
TITLES = [
    "Harry Potter and the Deathly Hallows: Part 1",
    "Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb",
    "The Good, the Bad, the Weird (Joheunnom nabbeunnom isanghannom)",
    "Up",
]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_badges_stay_pills_beside_wrapped_titles(live_server, transactional_db, new_page, language):
    from playwright.sync_api import expect

    user = UserFactory(username=f"viewer-{language}", language=language)
    movies = [MovieFactory(title=t, year=2010) for t in TITLES]
    ready_list(user, movies)
    Feedback.objects.create(user=user, movie=movies[0], kind="like")
    Feedback.objects.create(user=user, movie=movies[1], kind="dismiss")

    for width in (1280, 390):
        page = new_page(locale="ko-KR" if language == "ko" else "en-US", width=width)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.locator("form.card-form button[type=submit]").click()
        page.goto(live_server.url + reverse("recommendations:history"))
        expect(page.locator(".history-items .badge")).to_have_count(len(TITLES))
        shot(page, "history", f"history-{language}-{width}")

        sizes = page.eval_on_selector_all(
            ".history-items li",
            """rows => rows.map(li => {
                const badge = li.querySelector('.badge').getBoundingClientRect();
                const title = li.querySelector('span').getBoundingClientRect();
                const line = parseFloat(getComputedStyle(li.querySelector('span')).lineHeight);
                return {badge: badge.height, title: title.height, line: line};
            })""",
        )
        # Some titles wrap at these widths (else the test proves nothing) ...
        assert any(s["title"] > 1.5 * s["line"] for s in sizes), sizes
        # ... and every badge stays one line high, whatever its title does.
        for s in sizes:
            assert s["badge"] < s["line"] * 1.3, sizes
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        # The list's time says its zone.
        expect(page.locator(".history-list h2 time")).to_have_text(STAMP)
