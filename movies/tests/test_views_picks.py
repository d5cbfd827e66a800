"""The picks page: the search box's example and the popular-by-genre grid."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from accounts.tests.factories import UserFactory
from movies.models import Rating
from movies.tests.factories import GenreFactory, MovieFactory, RatingFactory

PLACEHOLDER = re.compile(r'<input id="q"[^>]*placeholder="([^"]*)"')


@pytest.fixture
def user(client):
    user = UserFactory(language="en")
    user.save()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


@pytest.fixture
def catalogue(db):
    """Like the demo catalogue: no "Parasite", one Korean film, popular films of several genres."""
    drama, comedy, thriller = (GenreFactory(name=n) for n in ("Drama", "Comedy", "Thriller"))
    movies = {}
    for title, original, ratings, genres in [
        ("Forrest Gump", "", 329, [drama, comedy]),
        ("Pulp Fiction", "", 307, [drama, comedy, thriller]),
        ("The Matrix", "", 278, [thriller]),
        ("Old Boy", "올드보이", 39, [drama, thriller]),
        ("Fargo", "", 181, [comedy, drama, thriller]),
        ("Toy Story", "", 215, [comedy]),
        ("Schindler's List", "", 220, [drama]),
    ]:
        movie = MovieFactory(title=title, original_title=original, num_ratings=ratings)
        movie.genres.add(*genres)
        movies[title] = movie
    return movies


def placeholder(client) -> str:
    page = client.get(reverse("movies:picks")).content.decode()
    return unescape(PLACEHOLDER.search(page).group(1))


def found_by_search(client, query: str) -> str:
    return client.get(reverse("movies:search"), {"q": query}, HTTP_HX_REQUEST="true").text


@pytest.mark.django_db
def test_the_english_placeholder_names_a_popular_movie_that_search_finds(client, user, catalogue):
    text = placeholder(client)

    assert "Parasite" not in text
    assert text == "Title or original title, e.g. Forrest Gump"
    assert "Forrest Gump" in found_by_search(client, "Forrest Gump")


@pytest.mark.django_db
def test_the_korean_placeholder_names_a_korean_title_that_search_finds(client, user, catalogue):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"

    text = placeholder(client)

    assert "기생충" not in text
    assert "Parasite" not in text
    assert text == "제목이나 원제 (예: 올드보이)"
    assert "Old Boy" in found_by_search(client, "올드보이")


@pytest.mark.django_db
def test_without_a_korean_title_the_korean_placeholder_names_the_most_popular(client, user):
    MovieFactory(title="The Matrix", num_ratings=278)
    MovieFactory(title="Toy Story", num_ratings=215)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"

    assert placeholder(client) == "제목이나 원제 (예: The Matrix)"


@pytest.mark.django_db
def test_a_title_that_search_cannot_find_is_not_suggested(client, user):
    MovieFactory(title="?!", num_ratings=500)  # no letter or digit to search for
    MovieFactory(title="Toy Story", num_ratings=215)

    assert placeholder(client) == "Title or original title, e.g. Toy Story"


@pytest.mark.django_db
def test_an_empty_catalogue_suggests_no_title(client, user):
    assert placeholder(client) == "Title or original title"


def grid(client) -> str:
    page = client.get(reverse("movies:picks")).content.decode()
    return page[page.index('id="popular-h"') :]


def tile_form(html: str, movie_id: int) -> str:
    return re.search(rf'<form[^>]*data-movie-id="{movie_id}".*?</form>', html, re.S).group(0)


@pytest.mark.django_db
def test_each_movie_appears_once_in_the_popular_grid(client, user, catalogue):
    html = grid(client)

    for title in catalogue:
        assert html.count(f'<span class="tile-title">{escape(title)}</span>') == 1, title
    # Pulp Fiction (drama, comedy, thriller) is shown under its first genre only; the later
    # genres show their next most popular movies instead.
    drama, comedy, thriller = (html.index(f">{g}</h3>") for g in ("Drama", "Comedy", "Thriller"))
    assert drama < html.index("Pulp Fiction") < comedy
    assert comedy < html.index("Toy Story") < thriller
    assert thriller < html.index("The Matrix")


@pytest.mark.django_db
def test_a_picked_movie_shows_as_picked_in_the_grid_and_its_tile_removes_it(
    client, user, catalogue
):
    pulp = catalogue["Pulp Fiction"]
    RatingFactory(user=user, movie=pulp, rating=None, source=Rating.Source.PICK)
    html = grid(client)
    tile = tile_form(html, pulp.pk)
    remove_url = reverse("movies:pick_remove", args=[pulp.pk])

    assert 'class="tile is-picked"' in tile
    assert f'action="{remove_url}"' in tile
    assert 'aria-label="Remove Pulp Fiction"' in tile
    # An unpicked movie's tile adds it.
    fargo = catalogue["Fargo"]
    assert f'action="{reverse("movies:pick_add")}"' in tile_form(html, fargo.pk)

    client.post(remove_url)  # what the tile's button posts
    assert not Rating.objects.filter(user=user, movie=pulp).exists()


@pytest.mark.django_db
def test_the_grid_selector_never_repeats_a_movie(catalogue):
    from movies.selectors import movies_popular_by_genre

    groups = movies_popular_by_genre(genres=3, per_genre=3)

    assert [(name, [m.title for m in movies]) for name, movies in groups] == [
        ("Drama", ["Forrest Gump", "Pulp Fiction", "Schindler's List"]),
        ("Comedy", ["Toy Story", "Fargo"]),
        ("Thriller", ["The Matrix", "Old Boy"]),
    ]
