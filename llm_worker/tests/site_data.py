"""Factory data for the Django-side pipeline tests: a small catalogue with two tastes, a user
who picked crime dramas, and a fake LLM backend that answers whatever a test tells it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.tests.factories import UserFactory
from llm_worker.backends.base import Generation, LLMBackend, LLMUnavailable, simple_token_count
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


class FakeBackend(LLMBackend):
    """Answers each prompt with `answer(messages)`: a string, or an exception to raise.
    Records every conversation it was given."""

    name = "fake"
    engine = "llm:fake"

    def __init__(self, answer: Callable[[list[dict]], str | Exception]):
        self.answer = answer
        self.calls: list[list[dict]] = []

    def generate(self, messages, *, max_new_tokens=512, json_schema=None, avoid=()) -> Generation:
        self.calls.append(messages)
        out = self.answer(messages)
        if isinstance(out, Exception):
            raise out
        return Generation(text=out, prompt_tokens=10, completion_tokens=10, seconds=0.01)

    def count_tokens(self, text: str) -> int:
        return simple_token_count(text)


def prompt_of(messages: list[dict]) -> str:
    return "\n".join(m["content"] for m in messages)


def down_backend() -> FakeBackend:
    return FakeBackend(lambda _m: LLMUnavailable("connection refused"))


def rerank_json(entries: list[dict]) -> str:
    return json.dumps({"final": entries})


def chat_json(reply: str, request: str) -> str:
    return json.dumps({"reply": reply, "request": request})


def is_chat_prompt(messages: list[dict]) -> bool:
    # The chat-turn template asks for {"reply": ..., "request": ...}.
    return '"reply"' in prompt_of(messages)


def fast_taste_search(monkeypatch, settings, tmp_path) -> None:
    """The real taste-text search over a throwaway index, with a hashing encoder instead of the
    sentence-transformers model (loading that takes seconds; its quality is tested elsewhere)."""
    from llm_worker import embeddings
    from llm_worker.tests.fake_encoder import HashingEncoder

    settings.ARTIFACTS_DIR = tmp_path / "artifacts"
    encoder = HashingEncoder(dim=64)
    monkeypatch.setattr(embeddings, "_load_encoder", lambda name: encoder)
    embeddings.reset_cache()
