"""What a user sees when a partial request fails (issue 14, point 2), in a real browser: the
refused chat message is explained where it was typed and what they wrote stays; a request that
fails on the server says so next to what was clicked; the rate-limit alert shows once however
often the button is pressed."""

from __future__ import annotations

import uuid

import pytest

from accounts.tests.factories import UserFactory
from movies.tests.factories import MovieFactory
from recommendations.models import RecommendationItem, RecommendationList

from .conftest import shot

pytestmark = pytest.mark.browser
PASSWORD = "a-long-safe-passphrase-42"


@pytest.fixture
def reader(transactional_db):
    user = UserFactory(username="reader", language="en")
    user.set_password(PASSWORD)
    user.save()
    lst = RecommendationList.objects.create(
        user=user, request_key=uuid.uuid4().hex, status="ready", engine="grounded"
    )
    for rank in range(1, 4):
        movie = MovieFactory(title=f"Quiet Film {rank}", year=1990 + rank, num_ratings=50 - rank)
        RecommendationItem.objects.create(
            recommendation_list=lst,
            movie=movie,
            rank=rank,
            score=1.0,
            engine="popularity",
            fit_score=8,
            reason="A calm drama.",
        )
    return user


def _log_in(page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", "reader")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{url}/")


def test_refused_and_failed_partials_are_explained_where_the_user_acted(
    live_server, reader, new_page, settings
):
    from playwright.sync_api import expect

    page = new_page(locale="en-US")
    _log_in(page, live_server.url)
    chat = page.locator("#chat-panel")

    # A message of spaces: the panel comes back with the field's error (it was swallowed).
    page.fill("#chat-panel textarea", "   ")
    chat.get_by_role("button", name="Send").click()
    expect(page.locator("#chat-panel")).to_contain_text("Write a few words first.")

    # Over the limit with the browser's maxlength gone: explained, and the text is kept.
    long_text = "slow " * 201
    page.eval_on_selector("#chat-panel textarea", "el => el.removeAttribute('maxlength')")
    page.fill("#chat-panel textarea", long_text)
    page.locator("#chat-panel").get_by_role("button", name="Send").click()
    expect(page.locator("#chat-panel")).to_contain_text("Please keep it under 1000 characters")
    expect(page.locator("#chat-panel textarea")).to_have_value(long_text)
    shot(page, "htmx-errors", "01-chat-refused")

    # A card whose item vanished on the server (404): the card says so instead of nothing.
    RecommendationItem.objects.filter(rank=1).delete()
    first = page.locator("li.card").first
    first.get_by_role("button").first.click()
    expect(page.locator(".htmx-error")).to_have_count(1)
    expect(page.locator(".htmx-error")).to_contain_text("Something went wrong on our side")
    shot(page, "htmx-errors", "02-card-failed")

    # The rate limit: three refused clicks, one alert.
    settings.LLM_RATE_LIMIT = "1/h"
    new_list = page.get_by_role("button", name="New recommendations")
    for _ in range(4):
        new_list.click()
        page.wait_for_timeout(300)
    expect(page.locator("#htmx-alerts .rate-limited")).to_have_count(1)
    shot(page, "htmx-errors", "03-rate-limited-once")


def test_the_chat_opens_at_its_newest_message_after_a_reload(live_server, reader, new_page):
    from llm_worker.models import ChatMessage

    for i in range(30):
        ChatMessage.objects.create(user=reader, role="user", content=f"Message number {i}")
    ChatMessage.objects.create(user=reader, role="assistant", content="The newest answer.")
    page = new_page(locale="en-US")
    _log_in(page, live_server.url)
    for _ in range(2):  # the first load and a reload
        log = page.locator(".chat-log")
        log.locator("text=The newest answer.").wait_for()
        gap = page.eval_on_selector(".chat-log", "el => el.scrollHeight - el.clientHeight")
        assert gap > 0  # the log does overflow
        at = page.eval_on_selector(".chat-log", "el => el.scrollTop")
        assert at >= gap - 2
        page.reload()
