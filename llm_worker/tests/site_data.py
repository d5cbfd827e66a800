"""Factory data for the Django-side pipeline tests: a small catalogue with two tastes and a user
who picked crime dramas (the fake LLM backend is in `llm_worker.tests.fake_backend`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.tests.factories import UserFactory
from movies.models import Credit
from movies.tests.factories import (
    CreditFactory,
    GenreFactory,
    MovieFactory,
    PersonFactory,
    RatingFactory,
)


@dataclass
class Catalogue:
    user: object
    watched: list  # the user's picks, oldest first
    crime: list  # unwatched crime dramas
    comedy: list  # unwatched comedies
    others: list = field(default_factory=list)

    @property
    def all_unwatched(self) -> list:
        return self.crime + self.comedy


def make_catalogue(*, language: str = "en", n_crime: int = 12, n_comedy: int = 12) -> Catalogue:
    crime, drama, comedy = (GenreFactory(name=n) for n in ("Crime", "Drama", "Comedy"))
    mann = PersonFactory(name="Michael Mann")
    user = UserFactory(language=language, age=34, gender="F")
    watched = []
    for i, title in enumerate(("Heat", "Collateral", "Thief", "Miami Vice", "Public Enemies")):
        movie = MovieFactory(title=title, year=1990 + i, num_ratings=500 - i)
        movie.genres.add(crime, drama)
        CreditFactory(movie=movie, person=mann, role=Credit.Role.DIRECTOR)
        RatingFactory(user=user, movie=movie)
        watched.append(movie)
    crimes = []
    for i in range(n_crime):
        movie = MovieFactory(title=f"Crime story {i}", year=2000 + i, num_ratings=300 - i)
        movie.genres.add(crime, drama)
        crimes.append(movie)
    comedies = []
    for i in range(n_comedy):
        movie = MovieFactory(title=f"Comedy {i}", year=2005, num_ratings=295 - i)
        movie.genres.add(comedy)
        comedies.append(movie)
    return Catalogue(user=user, watched=watched, crime=crimes, comedy=comedies)


def fast_taste_search(monkeypatch, settings, tmp_path, *, build: bool = True) -> None:
    """The real taste-text search over a throwaway index, with a hashing encoder instead of the
    sentence-transformers model (loading that takes seconds; its quality is tested elsewhere)."""
    from llm_worker import embeddings
    from llm_worker.tests.fake_encoder import HashingEncoder

    settings.ARTIFACTS_DIR = tmp_path / "artifacts"
    encoder = HashingEncoder(dim=64)
    monkeypatch.setattr(embeddings, "_load_encoder", lambda name: encoder)
    embeddings.reset_cache()
    # Stored once, as bin/dev and the deploy do: later searches bring it up to date with the
    # test's catalogue (a search never builds one from nothing). `build` false: no database.
    if build:
        embeddings.embedding_index_build()
