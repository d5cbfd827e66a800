"""`movies.selectors.movie_cards`: what a recommendation card shows, in a fixed number of
queries."""

from __future__ import annotations

import pytest

from movies.models import Credit
from movies.selectors import movie_cards

from .factories import CreditFactory, GenreFactory, MovieFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_card_fields(django_assert_num_queries):
    movie = MovieFactory(
        title="Heat", year=1995, runtime=170, vote_average=7.7, poster_path="/heat.jpg"
    )
    movie.genres.add(GenreFactory(name="Crime"))
    for order in range(7):
        CreditFactory(movie=movie, person=PersonFactory(name=f"Actor {order}"), order=order)
    CreditFactory(movie=movie, person=PersonFactory(name="Michael Mann"), role=Credit.Role.DIRECTOR)
    bare = MovieFactory(title="Bare", poster_path="")

    with django_assert_num_queries(5):  # movies, genres, keywords, credits, translations
        cards = movie_cards(movie_ids=[movie.pk, bare.pk])

    card = cards[movie.pk]
    assert (card.title, card.year, card.runtime, card.vote_average) == ("Heat", 1995, 170, 7.7)
    assert card.genres == ("Crime",)
    assert card.directors == ("Michael Mann",)
    assert card.cast == ("Actor 0", "Actor 1", "Actor 2", "Actor 3", "Actor 4")
    assert card.poster_url == "https://image.tmdb.org/t/p/w342/heat.jpg"
    assert cards[bare.pk].poster_url is None
