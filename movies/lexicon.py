"""The catalogue's vocabulary, for understanding requests: titles, people, genres, keywords,
original languages and production countries.

The dataclasses and `lexicon_from_rows` are plain Python (no Django import at module level), so the
request parsers in `llm_worker.taste` and their tests use them without a database.
`catalogue_lexicon()` builds one from the database, cached per process and rebuilt when stale.

Korean (and other) names come from `movies.lexicon_aliases`: a curated table, applied only to
people and titles the catalogue really has, so an alias never invents a movie or a person.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .lexicon_aliases import PERSON_ALIASES, TITLE_ALIASES


def normalize_text(text: str) -> str:
    """Lower-cased, accent-free, punctuation-free text; the same rule as
    `movies.models.normalize_title`, except that Hangul stays composed ("봉준호", not jamo)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = "".join(ch if ch.isalnum() else " " for ch in kept.casefold())
    return unicodedata.normalize("NFC", " ".join(cleaned.split()))


@dataclass(frozen=True)
class LexiconTitle:
    movie_id: int
    title: str  # as displayed: "Spirited Away (Sen to Chihiro no kamikakushi)"
    year: int | None = None
    aliases: tuple[str, ...] = ()  # other names: original, alternative, localized titles
    popularity: int = 0  # number of ratings: breaks ties between equal titles


@dataclass(frozen=True)
class LexiconPerson:
    person_id: int
    name: str
    aliases: tuple[str, ...] = ()  # "봉준호" for "Bong Joon-ho"; other spellings
    directed: int = 0  # catalogue movies directed
    acted: int = 0  # catalogue movies in the cast of

    @property
    def credits(self) -> int:
        return self.directed + self.acted


# eq=False: a lexicon is compared and hashed by identity, so parsers can cache their indexes
# per lexicon without hashing ten thousand titles.
@dataclass(frozen=True, eq=False)
class Lexicon:
    titles: tuple[LexiconTitle, ...] = ()
    people: tuple[LexiconPerson, ...] = ()
    genres: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # ISO 639-1 codes used as original language
    countries: tuple[str, ...] = ()  # production country names as the catalogue writes them

    @property
    def latest_year(self) -> int | None:
        years = [t.year for t in self.titles if t.year]
        return max(years) if years else None


_PARENS = re.compile(r"\(([^()]*)\)")
_AKA = re.compile(r"^\s*a\.?k\.?a\.?\s+", re.IGNORECASE)


def title_names(title: str, original_title: str = "") -> tuple[str, tuple[str, ...]]:
    """The main title and the other names a catalogue title carries:
    "Léon: The Professional (a.k.a. The Professional) (Léon)" -> main + ("The Professional",
    "Léon"). The original title joins them when it differs."""
    main = _PARENS.sub(" ", title).strip() or title.strip()
    others = [_AKA.sub("", p).strip() for p in _PARENS.findall(title)]
    if original_title:
        others.append(original_title.strip())
    main_key = normalize_text(main)
    aliases = tuple(dict.fromkeys(o for o in others if o and normalize_text(o) != main_key))
    return " ".join(main.split()), aliases


def lexicon_from_rows(
    *,
    titles: Iterable[tuple[int, str, str, int | None, int]],
    people: Iterable[tuple[int, str, int, int]],
    genres: Iterable[str] = (),
    keywords: Iterable[str] = (),
    languages: Iterable[str] = (),
    countries: Iterable[str] = (),
    title_aliases: Mapping[int, Iterable[str]] | None = None,
    person_aliases: Mapping[int, Iterable[str]] | None = None,
) -> Lexicon:
    """A lexicon from plain rows, with the curated aliases applied.
    titles: (movie id, title, original title, year, number of ratings);
    people: (person id, name, movies directed, movies acted in);
    title_aliases / person_aliases: more names by id (translated titles, TMDb's other names)."""
    curated_people = {normalize_text(n): ko for names, ko in PERSON_ALIASES for n in names}
    curated_titles = {(normalize_text(t), y): ko for (t, y), ko in TITLE_ALIASES.items()}
    title_aliases, person_aliases = title_aliases or {}, person_aliases or {}
    built_titles = []
    for movie_id, title, original, year, popularity in titles:
        main, aliases = title_names(title, original)
        extra = curated_titles.get((normalize_text(main), year), ())
        for alias in aliases:
            extra = extra or curated_titles.get((normalize_text(alias), year), ())
        names = _distinct(main, (*aliases, *extra, *title_aliases.get(movie_id, ())))
        built_titles.append(LexiconTitle(movie_id, main, year, names, int(popularity or 0)))
    built_people = []
    for pid, name, directed, acted in people:
        more = (*curated_people.get(normalize_text(name), ()), *person_aliases.get(pid, ()))
        built_people.append(LexiconPerson(pid, name, _distinct(name, more), directed, acted))
    return Lexicon(
        titles=tuple(built_titles),
        people=tuple(built_people),
        genres=tuple(sorted(set(genres))),
        keywords=tuple(sorted(set(keywords))),
        languages=tuple(sorted({code.strip().lower() for code in languages if code})),
        countries=tuple(sorted({c.strip() for c in countries if c and c.strip()})),
    )


def _distinct(name: str, others: Iterable[str]) -> tuple[str, ...]:
    """`others` without blanks, repeats, or spellings of `name` itself."""
    seen, kept = {normalize_text(name)}, []
    for other in others:
        key = normalize_text(other)
        if key and key not in seen:
            seen.add(key)
            kept.append(other.strip())
    return tuple(kept)


# --- the catalogue's lexicon (Django) ---------------------------------------------------------
MAX_AGE_S = 600.0  # rebuilt at least this often
CHECK_EVERY_S = 15.0  # and sooner when the catalogue's signature changed
_lock = threading.Lock()
_cache: dict[str, object] = {}


def _signature() -> tuple:
    from django.db.models import Count, Max

    from .models import Credit, Keyword, Movie, MovieTranslation, PersonAlias

    movies = Movie.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    translations = MovieTranslation.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return (
        movies["n"], movies["latest"], Credit.objects.count(), Keyword.objects.count(),
        translations["n"], translations["latest"], PersonAlias.objects.count(),
    )  # fmt: skip


def _build() -> Lexicon:
    from django.db.models import Count, Q

    from .models import Credit, Genre, Keyword, Movie, MovieTranslation, PersonAlias

    visible = Movie.objects.filter(hidden=False)
    titles = visible.values_list("id", "title", "original_title", "year", "num_ratings")
    counts: dict[int, list] = {}
    rows = (
        Credit.objects.filter(movie__hidden=False)
        .values_list("person_id", "person__name", "role")
        .annotate(n=Count("id"))
    )
    for pid, name, role, n in rows:
        entry = counts.setdefault(pid, [pid, name, 0, 0])
        entry[2 if role == Credit.Role.DIRECTOR else 3] += n
    countries: set[str] = set()
    for value in visible.exclude(production_countries=[]).values_list(
        "production_countries", flat=True
    ):
        countries.update(c for c in value or () if isinstance(c, str))
    title_aliases: dict[int, list[str]] = {}
    for movie_id, title in (
        MovieTranslation.objects.filter(movie__hidden=False)
        .exclude(title="")
        .values_list("movie_id", "title")
    ):
        title_aliases.setdefault(movie_id, []).append(title)
    person_aliases: dict[int, list[str]] = {}
    for person_id, name in PersonAlias.objects.values_list("person_id", "name"):
        if person_id in counts:  # people without a visible credit are not in the lexicon
            person_aliases.setdefault(person_id, []).append(name)
    used = Q(movies__hidden=False)
    return lexicon_from_rows(
        titles=titles,
        people=[tuple(v) for v in counts.values()],
        genres=Genre.objects.filter(used).distinct().values_list("name", flat=True),
        keywords=Keyword.objects.filter(used).distinct().values_list("name", flat=True),
        languages=visible.exclude(original_language="")
        .values_list("original_language", flat=True)
        .distinct(),
        countries=countries,
        title_aliases=title_aliases,
        person_aliases=person_aliases,
    )


def catalogue_lexicon() -> Lexicon:
    """The visible catalogue's lexicon, cached per process: rebuilt after MAX_AGE_S, or when a
    check (at most every CHECK_EVERY_S) finds movies, credits or keywords changed."""
    now = time.monotonic()
    with _lock:
        lexicon = _cache.get("lexicon")
        if lexicon is not None and now - _cache["checked"] < CHECK_EVERY_S:
            return lexicon
        signature = _signature()
        fresh = now - _cache.get("built", -MAX_AGE_S) < MAX_AGE_S
        if lexicon is None or not fresh or signature != _cache.get("signature"):
            lexicon = _build()
            _cache.update(lexicon=lexicon, built=now, signature=signature)
        _cache["checked"] = now
        return lexicon


def forget_catalogue_lexicon() -> None:
    """Drop this process's copy (tests; after an import in this process)."""
    with _lock:
        _cache.clear()
