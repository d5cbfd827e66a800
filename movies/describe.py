"""A movie's catalogue facts as plain data, and its description: a compact, deterministic text
with English or Korean labels, written from those same facts. The description is the only movie
text an LLM prompt may contain (docs/architecture.md); the facts are what the grounded engine
reasons from, so nothing ever has to read the text back.

`movie_description` and `genre_name` are pure (facts in, text out); `movie_facts` and
`movie_descriptions` load many movies in a constant number of queries, and
`keyword_frequencies` counts how common each keyword is in the catalogue.
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
# Genre names of MovieLens and TMDb, in Korean (the catalogue stores the English names).
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
    "Science Fiction": "SF",
    "TV Movie": "TV 영화",
    "Thriller": "스릴러",
    "War": "전쟁",
    "Western": "서부",
}
# The name a genre is shown with, per language; a genre missing from a table keeps its own name.
GENRE_NAMES: dict[str, dict[str, str]] = {"en": {}, "ko": GENRES_KO}


def genre_name(genre: str, language: str) -> str:
    """`genre` (a catalogue name such as "Sci-Fi") as shown in `language` ("SF" in Korean)."""
    return GENRE_NAMES.get(language, {}).get(genre, genre)


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
    original_language: str = ""  # ISO 639-1 code ("ko", "en"), "" when unknown
    countries: tuple[str, ...] = ()  # production countries, catalogue names
    # (site language, title) pairs from the catalogue's translations ("ko", "기생충").
    titles: tuple[tuple[str, str], ...] = ()

    def title_in(self, language: str) -> str:
        """The title in `language` where the catalogue has one, `title` otherwise."""
        return next((t for lang, t in self.titles if lang == language and t), self.title)


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
    # The title in the prompt's language, the catalogue's beside it: "기생충 (Parasite, 2019)".
    local = facts.title_in(language)
    known = [facts.title] if local.casefold() != facts.title.casefold() else []
    known += [str(facts.year)] if facts.year else []
    head = f"{local} ({', '.join(known)})" if known else local
    lines = [head]
    genres = [genre_name(g, language) for g in sorted(facts.genres)]
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


def movie_facts(*, movie_ids: Iterable[int]) -> dict[int, MovieFacts]:
    """movie id → its catalogue facts, for the ids that exist; five queries in all."""
    # Imported here so that the pure part above can be used without configuring Django.
    from .models import Credit
    from .selectors import movies_with_details

    facts = {}
    for pk, movie in movies_with_details(movie_ids, with_translations=True).items():
        credits = list(movie.credits.all())
        facts[pk] = MovieFacts(
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
            original_language=movie.original_language or "",
            countries=tuple(str(c) for c in movie.production_countries or ()),
            titles=tuple((t.language, t.title) for t in movie.translations.all() if t.title),
        )
    return facts


def movie_descriptions(*, movie_ids: Iterable[int], language: str) -> dict[int, str]:
    """movie id → its description, for the ids that exist; five queries in all."""
    return {
        pk: movie_description(facts, language)
        for pk, facts in movie_facts(movie_ids=movie_ids).items()
    }


def keyword_frequencies(*, names: Iterable[str] | None = None) -> tuple[int, dict[str, int]]:
    """(movies in the catalogue, keyword name → how many movies carry it): the document
    frequencies that weigh a keyword against how common it is. With `names`, only those
    keywords are counted (two queries either way)."""
    from django.db.models import Count

    from .models import Keyword, Movie

    keywords = Keyword.objects.all()
    if names is not None:
        keywords = keywords.filter(name__in=list(set(names)))
    counts = keywords.annotate(n=Count("movies")).values_list("name", "n")
    return Movie.objects.count(), {name: n for name, n in counts if n}
