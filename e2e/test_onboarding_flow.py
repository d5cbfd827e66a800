"""The whole flow in a real browser (Debian's Chromium driven by Playwright) against the live
test server: sign up in Korean, pick three movies through the search box, wait for the persona,
see ten cards, "more", dismiss one, chat once, log out and back in. A screenshot of each step
goes to test-output/e2e/.

Tasks run in-process (no broker), with the embedded grounded explanation engine."""

from __future__ import annotations

import pytest

from e2e.conftest import shot as take_shot
from movies.models import Credit
from movies.tests.factories import CreditFactory, GenreFactory, MovieFactory, PersonFactory

pytestmark = pytest.mark.browser

PASSWORD = "a-long-safe-passphrase-42"
GENRES = ["Drama", "Thriller", "Comedy", "Romance", "Sci-Fi", "Animation"]
# Three movies the test finds by typing (two by their Korean original title).
SEARCHED = [
    ("Parasite", "기생충", "기생충"),
    ("Oldboy", "올드보이", "oldboy"),
    ("Amélie", "", "amelie"),
]


@pytest.fixture
def catalogue(transactional_db):
    genres = [GenreFactory(name=name) for name in GENRES]
    people = [PersonFactory(name=f"Actor {i}") for i in range(12)]
    directors = [PersonFactory(name=f"Director {i}") for i in range(6)]
    movies = []
    for i, (title, original, _query) in enumerate(SEARCHED):
        movies.append(
            MovieFactory(title=title, original_title=original, year=2001 + i, num_ratings=500 - i)
        )
    for i in range(37):
        movies.append(
            MovieFactory(
                title=f"{['Night', 'River', 'Glass', 'Paper', 'Summer'][i % 5]} Story {i}",
                year=1960 + i,
                runtime=90 + i,
                vote_average=6.0 + (i % 30) / 10,
                num_ratings=300 - i,
                overview=f"A quiet film about place number {i}.",
            )
        )
    for i, movie in enumerate(movies):
        movie.genres.add(genres[i % len(genres)], genres[(i + 2) % len(genres)])
        CreditFactory(movie=movie, person=directors[i % 6], role=Credit.Role.DIRECTOR)
        for j in range(3):
            CreditFactory(movie=movie, person=people[(i + j) % 12], role=Credit.Role.CAST, order=j)
    return movies


@pytest.fixture
def page(new_page):
    return new_page(locale="ko-KR")


def shot(page, name: str) -> None:
    take_shot(page, "onboarding", name)


def test_sign_up_pick_persona_cards_more_dismiss_chat_relogin(live_server, catalogue, page):
    from playwright.sync_api import expect

    # The first chat message loads the taste-text embedding model in-process: allow for it on
    # a busy machine.
    expect.set_options(timeout=60_000)
    url = live_server.url
    page.goto(f"{url}/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    shot(page, "00-landing")

    # 1. Sign up in Korean.
    page.goto(f"{url}/accounts/signup/")
    page.fill("#id_username", "minji")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_age", "29")
    page.select_option("#id_gender", "F")
    page.select_option("#id_language", "ko")
    shot(page, "01-signup")
    page.get_by_role("button", name="가입하기").click()
    expect(page).to_have_url(f"{url}/movies/picks/")
    # htmx binds the search box once the page has loaded (deferred scripts): typing earlier
    # sends nothing, and on a loaded machine that made this test wait for results in vain.
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="어떤 영화를 보셨나요?")).to_be_visible()

    # 2. Pick three movies through the search box (debounced htmx search).
    for n, (title, _original, query) in enumerate(SEARCHED, start=1):
        page.fill("#q", query)
        result = page.locator("#results button.tile", has_text=title).first
        expect(result).to_be_visible()
        result.click()
        expect(page.locator("#chips .chip")).to_have_count(n)
    expect(page.locator("#chips")).to_contain_text("Oldboy")
    shot(page, "02-picks")

    # 3. Submit: the persona page polls until the persona is written.
    page.click("#picks-done")
    expect(page.locator("#persona-panel.ready")).to_be_visible()
    expect(page.locator("#persona-panel .summary")).not_to_be_empty()
    shot(page, "03-persona")

    # 4. Ten cards.
    page.click("#to-recs")
    expect(page.locator("li.card")).to_have_count(10)
    expect(page.get_by_role("heading", name="추천 영화")).to_be_visible()
    shot(page, "04-cards")
    first_ten = page.locator("li.card h3").all_inner_texts()

    # 5. More: ten new ones appended, none repeated.
    page.click("#more")
    expect(page.locator("li.card")).to_have_count(20)
    titles = page.locator("li.card h3").all_inner_texts()
    assert titles[:10] == first_ten
    assert len(set(titles)) == 20
    shot(page, "05-more")

    # 6. Not interested on the first card: the card is swapped in place.
    first = page.locator("li.card").first
    first.get_by_role("button", name="관심 없음").click()
    expect(page.locator("li.card").first).to_have_class("card is-dismissed")
    shot(page, "06-dismissed")

    # 7. Chat once: the message shows and the list is re-ranked.
    page.fill("#id_text", "비 오는 날 혼자 보기 좋은 잔잔한 영화")
    page.get_by_role("button", name="보내기").click()
    expect(page.locator(".msg-user")).to_contain_text("잔잔한 영화")
    expect(page.locator("li.card").first).to_be_visible()
    expect(page.locator(".badge", has_text="대화로 다시 고름")).to_be_visible()
    shot(page, "07-chat")

    # 8. Log out and back in: the latest persona and list are there.
    page.get_by_role("button", name="로그아웃").click()
    expect(page.get_by_role("link", name="로그인").first).to_be_visible()
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", "minji")
    page.fill("#id_password", PASSWORD)
    page.locator("form.card-form").get_by_role("button", name="로그인").click()
    expect(page).to_have_url(f"{url}/")
    expect(page.locator("li.card").first).to_be_visible()
    expect(page.locator("#persona-panel.ready")).to_be_visible()
    expect(page.locator(".msg-user")).to_contain_text("잔잔한 영화")
    shot(page, "08-back")

    # History: every list, with what was dismissed.
    page.get_by_role("link", name="기록").click()
    expect(page.locator(".history-list")).to_have_count(3)  # first, "more", after the chat
    expect(page.locator(".badge.dismiss")).to_have_count(1)
    shot(page, "09-history")
    page.goto(f"{url}/")

    # The same page on a phone: one column, nothing cut off.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("li.card").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "10-phone")
