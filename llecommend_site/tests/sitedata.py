"""A small catalogue for the production tests: a user (English or Korean) with three picks,
40 unwatched movies ranked by popularity, and a hidden movie more popular than all of them
(it must never be recommended, whatever an LLM says)."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.tests.factories import UserFactory
from movies.tests.factories import GenreFactory, MovieFactory, RatingFactory


@dataclass
class Site:
    user: object
    picks: list
    movies: list  # unwatched, visible
    hidden: object


def site_make(*, language: str = "en", n: int = 40) -> Site:
    drama = GenreFactory(name="Drama")
    user = UserFactory(language=language)
    user.save()  # the factory sets the password after its save: keep force_login's hash valid
    picks = [MovieFactory(title=f"Picked {i}", num_ratings=50) for i in range(3)]
    movies = [MovieFactory(title=f"Feature film {i:02d}", num_ratings=900 - i) for i in range(n)]
    hidden = MovieFactory(title="Forbidden Hidden Movie", num_ratings=10_000, hidden=True)
    for movie in [*picks, *movies, hidden]:
        movie.genres.add(drama)
    for movie in picks:
        RatingFactory(user=user, movie=movie)
    return Site(user=user, picks=picks, movies=movies, hidden=hidden)
