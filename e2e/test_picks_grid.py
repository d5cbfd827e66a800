"""The picks page in a real browser (Debian's Chromium driven by Playwright), in Korean: the
search box suggests a title that search finds, the popular grid shows each movie once, and a
movie's tiles (search result and grid) follow its pick as it is added and removed, from
either place. Screenshots go to test-output/e2e/picks/."""

from __future__ import annotations

import re

import pytest

from accounts.tests.factories import UserFactory
from e2e.conftest import shot as take_shot
from movies.tests.factories import GenreFactory, MovieFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"  # UserFactory's
PICKED = re.compile(r"\bis-picked\b")


@pytest.fixture
def catalogue(transactional_db):
    drama, comedy, thriller = (GenreFactory(name=n) for n in ("Drama", "Comedy", "Thriller"))
    movies = {}
    for title, original, ratings, genres in [
        ("Forrest Gump", "", 329, [drama, comedy]),
        ("Pulp Fiction", "", 307, [drama, comedy, thriller]),
        ("The Matrix", "", 278, [thriller]),
        ("Schindler's List", "", 220, [drama]),
        ("Toy Story", "", 215, [comedy]),
        ("Fargo", "", 181, [comedy, drama, thriller]),
        ("Old Boy", "올드보이", 39, [drama, thriller]),
    ]:
        movie = MovieFactory(title=title, original_title=original, num_ratings=ratings)
        movie.genres.add(*genres)
        movies[title] = movie
    return movies


@pytest.fixture
def page(new_page):
    return new_page(locale="ko-KR")


def shot(page, name: str) -> None:
    take_shot(page, "picks", name)


def test_placeholder_grid_and_tiles_follow_the_picks(live_server, catalogue, page):
    from playwright.sync_api import expect

    UserFactory(username="minji", language="ko")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "minji")
    page.fill("#id_password", PASSWORD)
    page.locator("form.card-form button[type=submit]").click()
    page.goto(f"{live_server.url}/movies/picks/")

    # The example in the search box is a Korean title the catalogue has, and search finds it.
    placeholder = page.locator("#q").get_attribute("placeholder")
    assert placeholder == "제목이나 원제 (예: 올드보이)"
    page.fill("#q", placeholder.split("예: ")[1].rstrip(")"))
    expect(page.locator("#results button.tile", has_text="Old Boy")).to_be_visible()
    shot(page, "01-placeholder-example-found")

    # Each movie once in the popular grid.
    grid = page.locator(".tile-grid")
    for title in catalogue:
        expect(grid.locator(".tile-title", has_text=title)).to_have_count(1)

    def grid_tile(title):
        return grid.locator("button.tile", has_text=title)

    # Picked through the search box: the grid's tile of the same movie shows it picked.
    page.fill("#q", "pulp")
    result = page.locator("#results button.tile", has_text="Pulp Fiction")
    result.click()
    expect(page.locator("#chips .chip")).to_have_count(1)
    expect(result).to_have_class(PICKED)
    expect(grid_tile("Pulp Fiction")).to_have_class(PICKED)
    expect(grid_tile("Pulp Fiction")).to_have_attribute("aria-label", "Pulp Fiction 빼기")
    shot(page, "02-picked-in-search-shown-in-grid")

    # Removed by its chip's ×: both tiles show + again.
    page.locator("#chips").get_by_role("button", name="Pulp Fiction 빼기").click()
    expect(page.locator("#chips .chip")).to_have_count(0)
    expect(grid_tile("Pulp Fiction")).not_to_have_class(PICKED)
    expect(result).not_to_have_class(PICKED)

    # A grid tile adds, and the same tile, now ✓, removes.
    grid_tile("Forrest Gump").click()
    expect(page.locator("#chips .chip", has_text="Forrest Gump")).to_be_visible()
    expect(grid_tile("Forrest Gump")).to_have_class(PICKED)
    grid_tile("Forrest Gump").hover()
    shot(page, "03-picked-tile-hovered")
    grid_tile("Forrest Gump").click()
    expect(page.locator("#chips .chip")).to_have_count(0)
    expect(grid_tile("Forrest Gump")).not_to_have_class(PICKED)

    # After a reload the server draws the same state.
    grid_tile("Toy Story").click()
    expect(page.locator("#chips .chip")).to_have_count(1)
    page.reload()
    expect(grid_tile("Toy Story")).to_have_class(PICKED)
    expect(grid_tile("Forrest Gump")).not_to_have_class(PICKED)
    shot(page, "04-reloaded")
