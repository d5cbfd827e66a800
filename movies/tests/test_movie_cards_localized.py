"""`movie_cards(language=...)`: the card's title and overview in the user's language, the
original otherwise; the poster in the sizes the card needs, or none for a path that is not a
TMDb file; an overview of any length cut to what a card shows."""

from __future__ import annotations

import pytest

from movies.models import MovieTranslation
from movies.selectors import CARD_OVERVIEW_CHARS, localized_titles, movie_cards

from .factories import MovieFactory

pytestmark = pytest.mark.django_db


def test_the_card_is_in_the_users_language_when_the_catalogue_has_it(django_assert_num_queries):
    parasite = MovieFactory(title="Parasite", original_title="기생충", overview="A family.")
    MovieTranslation.objects.create(
        movie=parasite, language="ko", title="기생충", overview="전원 백수인 기택네 가족."
    )
    heat = MovieFactory(title="Heat", overview="A heist.")
    # Half translated: the missing overview falls back to the movie's own.
    MovieTranslation.objects.create(movie=heat, language="ko", title="히트")

    with django_assert_num_queries(5):
        ko = movie_cards(movie_ids=[parasite.pk, heat.pk], language="ko")
    en = movie_cards(movie_ids=[parasite.pk, heat.pk], language="en")

    assert (ko[parasite.pk].title, ko[parasite.pk].overview) == (
        "기생충",
        "전원 백수인 기택네 가족.",
    )
    assert ko[parasite.pk].original_title == ""  # same as the title shown: not repeated
    assert (ko[heat.pk].title, ko[heat.pk].overview) == ("히트", "A heist.")
    assert (en[parasite.pk].title, en[parasite.pk].overview) == ("Parasite", "A family.")
    assert en[parasite.pk].original_title == "기생충"
    assert movie_cards(movie_ids=[heat.pk])[heat.pk].title == "Heat"


def test_localized_titles_for_the_because_line():
    a, b = MovieFactory(title="Oldboy"), MovieFactory(title="Heat")
    MovieTranslation.objects.create(movie=a, language="ko", title="올드보이")
    MovieTranslation.objects.create(movie=b, language="ko", title="")  # no title: not used
    assert localized_titles(movie_ids=[a.pk, b.pk], language="ko") == {a.pk: "올드보이"}
    assert localized_titles(movie_ids=[a.pk, b.pk], language="en") == {}


def test_the_poster_comes_in_the_cards_sizes():
    movie = MovieFactory(poster_path="/qJ2tW6WMUDux911r6m7haRef0WH.jpg")
    card = movie_cards(movie_ids=[movie.pk])[movie.pk]
    assert card.poster_url == "https://image.tmdb.org/t/p/w342/qJ2tW6WMUDux911r6m7haRef0WH.jpg"
    assert card.poster_srcset == (
        "https://image.tmdb.org/t/p/w154/qJ2tW6WMUDux911r6m7haRef0WH.jpg 154w, "
        "https://image.tmdb.org/t/p/w342/qJ2tW6WMUDux911r6m7haRef0WH.jpg 342w"
    )


@pytest.mark.parametrize(
    "path",
    ['/x.jpg" onerror="alert(1)', "//evil.example/x.jpg", "/../../x.jpg", "javascript:x", " "],
)
def test_a_poster_path_that_is_not_a_tmdb_file_gives_the_placeholder(path, caplog):
    movie = MovieFactory(poster_path=path)
    card = movie_cards(movie_ids=[movie.pk])[movie.pk]
    assert (card.poster_url, card.poster_srcset) == (None, "")
    if path.strip():
        assert "is not a TMDb file name" in caplog.text


def test_a_huge_overview_is_cut_to_what_a_card_shows():
    movie = MovieFactory(overview="word " * 2_000)  # 10,000 characters
    MovieTranslation.objects.create(movie=movie, language="ko", overview="가" * 10_000)
    for language in ("en", "ko"):
        overview = movie_cards(movie_ids=[movie.pk], language=language)[movie.pk].overview
        assert len(overview) <= CARD_OVERVIEW_CHARS
        assert overview.endswith("…")
