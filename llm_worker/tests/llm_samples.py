# ruff: noqa: E501  (sample catalogue rows read best one per line)
"""Plain sample inputs for the LLM-layer tests (no Django): a user who watches crime dramas.

Each movie is its catalogue facts; its description is written from them by
`movies.describe.movie_description`, as the site does, so the prompt and the grounded engine see
the same movie. The user liked Heat and Zodiac; the others they only watched.
"""

from __future__ import annotations

from llm_worker.contracts import (
    CandidateBrief,
    MovieBrief,
    MovieFacts,
    PersonaInput,
    RerankInput,
    UserProfile,
)
from movies.describe import movie_description


def _facts(title, year, genres, directors, keywords=()) -> MovieFacts:
    return MovieFacts(title=title, year=year, genres=genres, directors=directors, keywords=keywords)


def watched(movie_id: int, facts: MovieFacts, language: str, *, liked: bool = False) -> MovieBrief:
    text = movie_description(facts, language)
    return MovieBrief(movie_id, facts.title, facts.year, text, facts=facts, liked=liked)


def candidate(
    movie_id: int, facts: MovieFacts, language: str, score: float, because=(), **extra
) -> CandidateBrief:
    text = movie_description(facts, language)
    return CandidateBrief(
        movie_id,
        facts.title,
        facts.year,
        text,
        score,
        "popularity",
        tuple(because),
        facts=facts,
        **extra,
    )


WATCHED_EN = (
    watched(1, _facts("Heat", 1995, ("Crime", "Drama", "Thriller"), ("Michael Mann",), ("heist", "los angeles")), "en", liked=True),
    watched(2, _facts("Collateral", 2004, ("Crime", "Drama", "Thriller"), ("Michael Mann",), ("hitman", "los angeles")), "en"),
    watched(3, _facts("Se7en", 1995, ("Crime", "Mystery", "Thriller"), ("David Fincher",), ("serial killer", "detective")), "en"),
    watched(4, _facts("Zodiac", 2007, ("Crime", "Drama", "Mystery"), ("David Fincher",), ("serial killer", "journalist")), "en", liked=True),
    watched(5, _facts("The Departed", 2006, ("Crime", "Drama", "Thriller"), ("Martin Scorsese",), ("undercover", "police")), "en"),
)  # fmt: skip

CANDIDATES_EN = (
    candidate(10, _facts("Thief", 1981, ("Crime", "Drama"), ("Michael Mann",), ("heist",)), "en", 0.9, (1,)),
    candidate(11, _facts("Toy Story", 1995, ("Animation", "Comedy", "Family"), ("John Lasseter",)), "en", 0.8),
    candidate(12, _facts("Prisoners", 2013, ("Crime", "Drama", "Mystery"), ("Denis Villeneuve",), ("detective",)), "en", 0.7, (3, 4)),
    candidate(13, _facts("Mamma Mia!", 2008, ("Comedy", "Musical", "Romance"), ("Phyllida Lloyd",)), "en", 0.6),
    candidate(14, _facts("Gone Girl", 2014, ("Crime", "Drama", "Mystery", "Thriller"), ("David Fincher",), ("journalist",)), "en", 0.5, (4,)),
    candidate(15, _facts("Up", 2009, ("Animation", "Adventure", "Family"), ("Pete Docter",)), "en", 0.4),
)  # fmt: skip

WATCHED_KO = (
    watched(21, _facts("살인의 추억", 2003, ("Crime", "Drama", "Mystery"), ("봉준호",), ("연쇄살인", "형사")), "ko", liked=True),
    watched(22, _facts("마더", 2009, ("Crime", "Drama", "Mystery"), ("봉준호",), ("모성", "살인")), "ko"),
    watched(23, _facts("추격자", 2008, ("Crime", "Thriller"), ("나홍진",), ("연쇄살인",)), "ko"),
)  # fmt: skip

CANDIDATES_KO = (
    candidate(30, _facts("곡성", 2016, ("Mystery", "Horror", "Thriller"), ("나홍진",)), "ko", 0.9, (23,)),
    candidate(31, _facts("기생충", 2019, ("Drama", "Thriller"), ("봉준호",)), "ko", 0.8, (21, 22)),
    candidate(32, _facts("겨울왕국", 2013, ("Animation", "Family", "Musical"), ("크리스 벅",)), "ko", 0.7),
)  # fmt: skip

PROFILE_EN = UserProfile(language="en", age=34, gender="F", occupation="writer")
PROFILE_KO = UserProfile(language="ko", age=28, gender="M", occupation="학생")


def persona_input(language: str = "en", correction: str = "", **extra) -> PersonaInput:
    if language == "ko":
        return PersonaInput(profile=PROFILE_KO, watched=WATCHED_KO, correction=correction, **extra)
    return PersonaInput(profile=PROFILE_EN, watched=WATCHED_EN, correction=correction, **extra)


def rerank_input(language: str = "en", k: int = 3, **extra) -> RerankInput:
    if language == "ko":
        return RerankInput(
            profile=PROFILE_KO,
            persona_summary="봉준호 감독의 범죄 미스터리를 좋아함",
            watched=WATCHED_KO,
            candidates=CANDIDATES_KO,
            k=k,
            **extra,
        )
    return RerankInput(
        profile=PROFILE_EN,
        persona_summary="Likes slow, tense crime dramas by Michael Mann and David Fincher.",
        watched=WATCHED_EN,
        candidates=CANDIDATES_EN,
        k=k,
        **extra,
    )
