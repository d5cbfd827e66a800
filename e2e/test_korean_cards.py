"""Localized cards and search in a real browser (Debian's Chromium through Playwright), in
Korean and English: a Korean user reads the Korean title on the cards and finds it in the
search box typed with or without spaces; a poster that loads covers its placeholder, one that
fails gives way to it; a title with markup and a 10,000-character overview are shown as text,
escaped and bounded; and the Content-Security-Policy blocks nothing the pages need.
Screenshots go to test-output/e2e/korean-cards/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from movies.models import MovieTranslation, Rating
from movies.tests.factories import MovieFactory, RatingFactory
from recommendations.tests.test_views_home import ready_list

from .conftest import shot

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"  # UserFactory's
GOOD_POSTER = "/goodPoster1.jpg"
BROKEN_POSTER = "/brokenPoster2.jpg"
HOSTILE_TITLE = '<img src=x onerror="alert(1)">사냥의 시간'
POSTER_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="342" height="513">'
    b'<rect width="342" height="513" fill="#1f3b57"/></svg>'
)


def _catalogue(user):
    parasite = MovieFactory(
        title="Parasite", year=2019, overview="Greed and class.", poster_path=GOOD_POSTER,
        num_ratings=30,
    )  # fmt: skip
    MovieTranslation.objects.create(
        movie=parasite, language="ko", title="기생충", overview="전원 백수인 기택네 가족."
    )
    broken = MovieFactory(title="The Host", year=2006, poster_path=BROKEN_POSTER, num_ratings=20)
    MovieTranslation.objects.create(movie=broken, language="ko", title="괴물")
    hostile = MovieFactory(
        title="Time to Hunt", year=2020, overview="밤 " * 5_000, num_ratings=10
    )  # 10,000 characters
    MovieTranslation.objects.create(movie=hostile, language="ko", title=HOSTILE_TITLE)
    RatingFactory(user=user, movie=MovieFactory(title="Oldboy"), rating=None,
                  source=Rating.Source.PICK)  # fmt: skip
    ready_list(user, [parasite, broken, hostile])


def _open(new_page, live_server, user, locale):
    page = new_page(locale=locale)
    problems = []
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    # Page routes come before the context's (which refuses everything outside): one poster
    # answers, the other fails as if TMDb were down.
    page.route(
        f"https://image.tmdb.org/t/p/*{GOOD_POSTER}",
        lambda route: route.fulfill(status=200, content_type="image/svg+xml", body=POSTER_SVG),
    )
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form.card-form button[type=submit]").click()
    page.wait_for_load_state()
    return page, problems


@pytest.mark.parametrize("language", ["ko", "en"])
def test_cards_and_search_in_the_users_language(live_server, transactional_db, new_page, language):
    from playwright.sync_api import expect

    user = UserFactory(username=f"cards-{language}", language=language)
    _catalogue(user)
    page, problems = _open(new_page, live_server, user, "ko-KR" if language == "ko" else "en-US")
    page.goto(live_server.url + reverse("recommendations:home"))

    cards = page.locator("li.card")
    expect(cards).to_have_count(3)
    first, second, third = cards.nth(0), cards.nth(1), cards.nth(2)
    expect(first.locator(".card-title")).to_contain_text(
        "기생충" if language == "ko" else "Parasite"
    )
    expect(second.locator(".card-title")).to_contain_text(
        "괴물" if language == "ko" else "The Host"
    )

    # The poster that loads covers the placeholder; the one that fails shows it.
    expect(first.locator(".poster img")).to_be_visible()
    first.locator(".poster img").evaluate("img => img.decode()")
    assert first.locator(".poster img").evaluate("img => img.naturalWidth") > 0
    expect(first.locator(".poster")).not_to_have_class("poster is-broken")
    expect(second.locator(".poster")).to_have_class("poster is-broken")
    expect(second.locator(".poster img")).to_be_hidden()
    expect(second.locator(".poster-ph")).to_be_visible()
    for card in (first, second):
        box = card.locator(".poster").bounding_box()
        assert (round(box["width"]), round(box["height"])) == (120, 180)

    if language == "ko":
        # Markup in a title is text; a huge overview stays inside its card.
        expect(third.locator(".card-title")).to_contain_text(HOSTILE_TITLE)
        assert third.locator(".card-title img").count() == 0
        third.locator(".overview summary").click()
        text = third.locator(".overview p").inner_text()
        assert len(text) <= 700
        assert third.bounding_box()["width"] <= page.viewport_size["width"]
    shot(page, "korean-cards", f"cards-{language}")

    # Search as you type, in Korean with spaces and without.
    page.goto(live_server.url + reverse("movies:picks"))
    for typed in ("기 생 충", "기생충", "기생ㅊ"):
        page.fill("#q", "")
        page.locator("#q").press_sequentially(typed, delay=30)
        tile = page.locator("#results .tile-title").first
        expect(tile).to_have_text("기생충" if language == "ko" else "Parasite")
    shot(page, "korean-cards", f"search-{language}")
    assert problems == []
