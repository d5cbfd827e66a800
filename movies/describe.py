"""The movie description: a compact, deterministic text of one movie, with English or Korean
labels. It is the only movie text an LLM prompt may contain (docs/architecture.md), so it holds
facts from the catalogue and nothing else.

`movie_description` is pure (facts in, text out); `movie_descriptions` loads the facts of many
movies in a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

TOP_CAST = 5
TOP_KEYWORDS = 8
OVERVIEW_CHARS = 300

LABELS = {
    "en": {
        "genres": "Genres",
        "director": "Director",
        "cast": "Cast",
        "keywords": "Keywords",
        "runtime": "Runtime",
        "minutes": "{n} min",
        "rating": "Rating",
        "tmdb": "TMDb {avg:.1f}/10 ({n:,} votes)",
        "movielens": "MovieLens {avg:.1f}/5 ({n:,} ratings)",
        "overview": "Overview",
    },
    "ko": {
        "genres": "장르",
        "director": "감독",
        "cast": "출연",
        "keywords": "키워드",
        "runtime": "상영 시간",
        "minutes": "{n}분",
        "rating": "평점",
        "tmdb": "TMDb {avg:.1f}/10 (투표 {n:,}건)",
        "movielens": "MovieLens {avg:.1f}/5 (평가 {n:,}건)",
        "overview": "줄거리",
    },
}
# Genre names of MovieLens and TMDb, in Korean.
GENRES_KO = {
    "Action": "액션",
    "Adventure": "모험",
    "Animation": "애니메이션",
    "Children": "어린이",
    "Comedy": "코미디",
    "Crime": "범죄",
    "Documentary": "다큐멘터리",
    "Drama": "드라마",
    "Family": "가족",
    "Fantasy": "판타지",
    "Film-Noir": "필름 누아르",
    "Foreign": "외국",
    "History": "역사",
    "Horror": "공포",
    "IMAX": "IMAX",
    "Music": "음악",
    "Musical": "뮤지컬",
    "Mystery": "미스터리",
    "Romance": "로맨스",
    "Sci-Fi": "SF",
    "TV Movie": "TV 영화",
    "Thriller": "스릴러",
    "War": "전쟁",
    "Western": "서부",
}


@dataclass(frozen=True)
class MovieFacts:
    title: str
    year: int | None = None
    genres: tuple[str, ...] = ()
    directors: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()  # billing order
    keywords: tuple[str, ...] = ()
    runtime: int | None = None
    vote_average: float | None = None
    vote_count: int | None = None
    mean_rating: float | None = None
    num_ratings: int = 0
    overview: str = ""


def trim(text: str, limit: int = OVERVIEW_CHARS) -> str:
    """`text` on one line, cut at the last word boundary before `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-—") + "…"


def movie_description(facts: MovieFacts, language: str) -> str:
    """The description of one movie with `language` ("ko" or "en") labels; lines without a
    value are left out. Same facts, same text."""
    if language not in LABELS:
        raise ValueError(f"language must be 'ko' or 'en', not {language!r}")
    label = LABELS[language]
    head = f"{facts.title} ({facts.year})" if facts.year else facts.title
    lines = [head]
    genres = sorted(facts.genres)
    if language == "ko":
        genres = [GENRES_KO.get(g, g) for g in genres]
    if genres:
        lines.append(f"{label['genres']}: {', '.join(genres)}")
    if facts.directors:
        lines.append(f"{label['director']}: {', '.join(facts.directors)}")
    if facts.cast:
        lines.append(f"{label['cast']}: {', '.join(facts.cast[:TOP_CAST])}")
    if facts.keywords:
        lines.append(f"{label['keywords']}: {', '.join(sorted(facts.keywords)[:TOP_KEYWORDS])}")
    if facts.runtime:
        lines.append(f"{label['runtime']}: {label['minutes'].format(n=facts.runtime)}")
    ratings = []
    if facts.vote_average is not None and facts.vote_count:
        ratings.append(label["tmdb"].format(avg=facts.vote_average, n=facts.vote_count))
    if facts.mean_rating is not None and facts.num_ratings:
        ratings.append(label["movielens"].format(avg=facts.mean_rating, n=facts.num_ratings))
    if ratings:
        lines.append(f"{label['rating']}: {' · '.join(ratings)}")
    if facts.overview.strip():
        lines.append(f"{label['overview']}: {trim(facts.overview)}")
    return "\n".join(lines)


def movie_descriptions(*, movie_ids: Iterable[int], language: str) -> dict[int, str]:
    """movie id → its description, for the ids that exist; four queries in all."""
    # Imported here so that the pure part above can be used without configuring Django.
    from .models import Credit
    from .selectors import movies_with_details

    texts = {}
    for pk, movie in movies_with_details(movie_ids).items():
        credits = list(movie.credits.all())
        facts = MovieFacts(
            title=movie.title,
            year=movie.year,
            genres=tuple(g.name for g in movie.genres.all()),
            directors=tuple(c.person.name for c in credits if c.role == Credit.Role.DIRECTOR),
            cast=tuple(c.person.name for c in credits if c.role == Credit.Role.CAST),
            keywords=tuple(k.name for k in movie.keywords.all()),
            runtime=movie.runtime,
            vote_average=movie.vote_average,
            vote_count=movie.vote_count,
            mean_rating=movie.mean_rating,
            num_ratings=movie.num_ratings,
            overview=movie.overview,
        )
        texts[pk] = movie_description(facts, language)
    return texts
