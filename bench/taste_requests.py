"""The request set of bench/taste_bench.py and the catalogue facts each request is checked on.

Plain Python (no Django): `Facts` is filled from the database by the bench. Every criterion is
read from catalogue facts only (MovieLens genres, TMDb credits, year, runtime, original
language, keywords), never from what the parser or the retrieval made of the words, so a wrong
reading of a request counts as a miss.

Kinds and criteria:
- genre: the movie has every genre named ("rom-com" is Romance and Comedy);
- person: the person is credited in that role (director, or cast at any billing position);
- decade: the year lies within the decade;
- runtime: the runtime is known and within the bound;
- language: the original language is the one named (ISO 639-1). The demo catalogue knows the
  original language of 3,536 of its 9,742 movies (the TMDb 5000 file), among them 7 Korean, 13
  Japanese, 33 French and 19 Spanish ones;
- negation: the movie does not have the genre named;
- mixed: two of the above at once (every part must hold);
- like: similarity to a named seed movie, defined from facts as: not the seed itself, shares at
  least min(2, number of the seed's genres) of its genres, and at least one of: a director in
  common, 2 or more TMDb keywords in common, a year within 10 of the seed's. This is a catalogue
  proxy for "similar"; the retrieval does not read it (it uses the recommender's item
  similarity), so the share says how often the two notions agree. "like" is a soft ask: the
  0.9 goal is for hard constraints only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HARD_KINDS = ("genre", "person", "decade", "runtime", "language", "negation", "mixed")
KINDS = (*HARD_KINDS, "like")


@dataclass
class MovieFacts:
    year: int | None = None
    runtime: int | None = None
    language: str = ""
    genres: set[str] = field(default_factory=set)
    directors: set[str] = field(default_factory=set)
    cast: set[str] = field(default_factory=set)
    keywords: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Criterion:
    genres: tuple[str, ...] = ()  # all of them
    not_genre: str = ""
    director: tuple[str, ...] = ()  # any spelling
    cast: tuple[str, ...] = ()
    decade: int | None = None
    runtime_max: int | None = None
    runtime_min: int | None = None
    language: str = ""
    like: tuple[str, int] | None = None  # (title, year) of the seed

    def label(self) -> str:
        parts = []
        if self.genres:
            parts.append("genre " + "+".join(self.genres))
        if self.not_genre:
            parts.append("not " + self.not_genre)
        if self.director:
            parts.append("director " + self.director[0])
        if self.cast:
            parts.append("cast " + self.cast[0])
        if self.decade is not None:
            parts.append(f"{self.decade}s")
        if self.runtime_max is not None:
            parts.append(f"<= {self.runtime_max} min")
        if self.runtime_min is not None:
            parts.append(f">= {self.runtime_min} min")
        if self.language:
            parts.append("language " + self.language)
        if self.like:
            parts.append(f"like {self.like[0]} ({self.like[1]})")
        return ", ".join(parts)


@dataclass(frozen=True)
class Request:
    kind: str
    language: str  # "en" / "ko": the language of the words
    text: str
    check: Criterion


def _r(kind: str, lang: str, text: str, **check) -> Request:
    return Request(kind, lang, text, Criterion(**check))


NOLAN, SPIELBERG = ("Christopher Nolan",), ("Steven Spielberg",)
TARANTINO, SCORSESE = ("Quentin Tarantino",), ("Martin Scorsese",)
BONG = ("Bong Joon-ho", "Joon-ho Bong", "Bong Joon Ho")
HANKS, DICAPRIO = ("Tom Hanks",), ("Leonardo DiCaprio",)

REQUESTS: tuple[Request, ...] = (
    # genre, incl. common names and synonyms
    _r("genre", "en", "some good sci-fi movies", genres=("Sci-Fi",)),
    _r("genre", "en", "I'm in the mood for a thriller", genres=("Thriller",)),
    _r("genre", "en", "a romantic comedy tonight", genres=("Comedy", "Romance")),
    _r("genre", "en", "recommend me some war movies", genres=("War",)),
    _r("genre", "en", "an animated film", genres=("Animation",)),
    _r("genre", "ko", "SF 영화 추천해 줘", genres=("Sci-Fi",)),
    _r("genre", "ko", "스릴러 보고 싶어", genres=("Thriller",)),
    _r("genre", "ko", "로맨틱 코미디 추천해 줘", genres=("Comedy", "Romance")),
    _r("genre", "ko", "공포 영화 보고 싶어요", genres=("Horror",)),
    _r("genre", "ko", "다큐멘터리 보여 줘", genres=("Documentary",)),
    # person: director, cast (Korean names from the catalogue's curated aliases)
    _r("person", "en", "movies directed by Christopher Nolan", director=NOLAN),
    _r("person", "en", "Steven Spielberg films", director=SPIELBERG),
    _r("person", "en", "something by Quentin Tarantino", director=TARANTINO),
    _r("person", "en", "a movie starring Tom Hanks", cast=HANKS),
    _r("person", "en", "films with Leonardo DiCaprio", cast=DICAPRIO),
    _r("person", "ko", "크리스토퍼 놀란 감독 영화", director=NOLAN),
    _r("person", "ko", "스티븐 스필버그 감독 작품 추천해 줘", director=SPIELBERG),
    _r("person", "ko", "마틴 스코세이지 감독 영화", director=SCORSESE),
    # The example: the demo catalogue has no credit of Bong Joon-ho (nor of Miyazaki),
    # so nothing can meet it; the parser says it did not understand the name.
    _r("person", "ko", "봉준호 감독 영화 좋아해요", director=BONG),
    _r("person", "ko", "톰 행크스 나오는 영화", cast=HANKS),
    # decade
    _r("decade", "en", "90s movies", decade=1990),
    _r("decade", "en", "something from the 1980s", decade=1980),
    _r("decade", "en", "a film from the 70s", decade=1970),
    _r("decade", "ko", "1990년대 영화", decade=1990),
    _r("decade", "ko", "80년대 영화 추천", decade=1980),
    _r("decade", "ko", "2000년대 영화 보고 싶어", decade=2000),
    # runtime
    _r("runtime", "en", "a movie under 100 minutes", runtime_max=100),
    _r("runtime", "en", "something shorter than 90 minutes", runtime_max=90),
    _r("runtime", "en", "a long film, over 150 minutes", runtime_min=150),
    _r("runtime", "ko", "100분 이하 영화", runtime_max=100),
    _r("runtime", "ko", "90분 이하로 짧은 영화", runtime_max=90),
    _r("runtime", "ko", "150분 이상 되는 긴 영화", runtime_min=150),
    # original language
    _r("language", "en", "Korean movies", language="ko"),
    _r("language", "en", "a Japanese film", language="ja"),
    _r("language", "en", "some French cinema", language="fr"),
    _r("language", "ko", "한국 영화 추천해 줘", language="ko"),
    _r("language", "ko", "일본 영화", language="ja"),
    _r("language", "ko", "프랑스 영화 보고 싶어", language="fr"),
    _r("language", "en", "Spanish-language films", language="es"),
    _r("language", "ko", "스페인 영화", language="es"),
    # negation
    _r("negation", "en", "no horror please", not_genre="Horror"),
    _r("negation", "en", "anything but comedy", not_genre="Comedy"),
    _r("negation", "en", "I don't want romance", not_genre="Romance"),
    _r("negation", "ko", "공포 말고", not_genre="Horror"),
    _r("negation", "ko", "코미디 빼고 추천해 줘", not_genre="Comedy"),
    _r("negation", "ko", "로맨스는 싫어", not_genre="Romance"),
    # mixed
    _r("mixed", "en", "90s sci-fi", genres=("Sci-Fi",), decade=1990),
    _r("mixed", "ko", "한국 스릴러 영화", genres=("Thriller",), language="ko"),
    # similarity to a named movie (Korean titles from the catalogue's curated aliases)
    _r("like", "en", "movies like Alien", like=("Alien", 1979)),
    _r("like", "en", "something like The Matrix", like=("The Matrix", 1999)),
    _r("like", "en", "films like Toy Story", like=("Toy Story", 1995)),
    _r("like", "ko", "에이리언 같은 영화", like=("Alien", 1979)),
    _r("like", "ko", "인셉션 같은 영화", like=("Inception", 2010)),
    _r("like", "ko", "Pulp Fiction 같은 영화 추천해 줘", like=("Pulp Fiction", 1994)),
)

# Mood and theme turns: no catalogue criterion (timing only; they use the taste-text index).
MOOD_TURNS = (
    "something slow-burn and melancholic",
    "a feel-good movie to cheer me up",
    "잔잔하고 따뜻한 영화",
    "무서운 영화 말고 웃긴 거",
)


def satisfies(
    c: Criterion, f: MovieFacts, *, seed_id: int | None, movie_id: int, seed: MovieFacts | None
) -> bool:
    """Whether the movie meets the criterion, from its catalogue facts (see the docstring)."""
    if any(g not in f.genres for g in c.genres):
        return False
    if c.not_genre and c.not_genre in f.genres:
        return False
    if c.director and not f.directors & set(c.director):
        return False
    if c.cast and not f.cast & set(c.cast):
        return False
    if c.decade is not None and not (f.year is not None and c.decade <= f.year < c.decade + 10):
        return False
    if c.runtime_max is not None and not (f.runtime and f.runtime <= c.runtime_max):
        return False
    if c.runtime_min is not None and not (f.runtime and f.runtime >= c.runtime_min):
        return False
    if c.language and f.language != c.language:
        return False
    if c.like is not None:
        if seed is None or movie_id == seed_id:
            return False
        if len(f.genres & seed.genres) < min(2, len(seed.genres)):
            return False
        near_year = f.year is not None and seed.year is not None and abs(f.year - seed.year) <= 10
        return (
            bool(f.directors & seed.directors) or len(f.keywords & seed.keywords) >= 2 or near_year
        )
    return True
