"""TMDb JSON → plain records, defensively: every field TMDb may send as null (or, from a broken
proxy, as the wrong type) becomes an empty value, text loses NUL and control characters
(PostgreSQL refuses NUL in text) and is cut to the column's length. Markup is kept as text:
escaping is the templates' job, and a title that contains "<b>" is a title that contains "<b>".

Shapes (TMDb v3): `/movie/{id}?append_to_response=credits,keywords,translations,external_ids`
adds `credits: {cast, crew}`, `keywords: {keywords}`, `translations: {translations}` and
`external_ids: {imdb_id, ...}` to the details; `/person/{id}?append_to_response=translations`
adds `translations: {translations}`, whose `data` holds the person's `name` (and `biography`) in
one language. Translations name their language by `iso_639_1` and region by `iso_3166_1`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

# TMDb names a few genres differently from MovieLens; one genre, one name (as the CSV import).
GENRE_NAMES = {"Science Fiction": "Sci-Fi"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_IMDB = re.compile(r"^tt0*(\d{1,9})$")


def text(value: object, max_length: int | None = None) -> str:
    if not isinstance(value, str):
        return ""
    cleaned = _CONTROL.sub("", value).strip()
    return cleaned[:max_length] if max_length else cleaned


def number(value: object, *, maximum: float | None = None) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value < 0 or (maximum is not None and value > maximum):  # NaN, range
        return None
    return float(value)


def whole(value: object, *, maximum: int = 2**31 - 1) -> int | None:
    found = number(value, maximum=maximum)
    return None if found is None or found != int(found) else int(found)


def date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def items(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def section(body: dict, name: str) -> dict:
    value = body.get(name)
    return value if isinstance(value, dict) else {}


def imdb_number(value: object) -> int | None:
    match = _IMDB.match(text(value))
    return int(match.group(1)) if match else None


def split_tag(tag: str) -> tuple[str, str]:
    """ "ko-KR" → ("ko", "KR"): TMDb's language tag → (iso_639_1, iso_3166_1)."""
    language, _, region = tag.partition("-")
    return language.lower(), region.upper()


@dataclass
class Translation:
    language: str  # site language code, "ko"
    title: str = ""
    overview: str = ""
    tagline: str = ""


@dataclass
class CastMember:
    tmdb_id: int
    name: str
    character: str = ""
    order: int = 0


@dataclass
class MovieRecord:
    tmdb_id: int
    adult: bool = False
    imdb_id: int | None = None
    title: str = ""
    original_title: str = ""
    overview: str = ""
    tagline: str = ""
    runtime: int | None = None
    release_date: dt.date | None = None
    original_language: str = ""
    spoken_languages: list[str] = field(default_factory=list)
    production_countries: list[str] = field(default_factory=list)
    production_companies: list[str] = field(default_factory=list)
    vote_average: float | None = None
    vote_count: int | None = None
    popularity: float | None = None
    poster_path: str = ""
    genres: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    cast: list[CastMember] = field(default_factory=list)
    directors: list[CastMember] = field(default_factory=list)
    translations: dict[str, Translation] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        return self.release_date.year if self.release_date else None


class BadPayload(ValueError):
    """The body is JSON but not a movie / person (no id, or another id than asked for)."""


def _names(value: object, key: str = "name", max_length: int = 200) -> list[str]:
    found = [text(v.get(key), max_length) for v in items(value)]
    return list(dict.fromkeys(n for n in found if n))


def _people(credits: dict, *, max_cast: int) -> tuple[list[CastMember], list[CastMember]]:
    cast, seen = [], set()
    ordered = sorted(items(credits.get("cast")), key=lambda c: whole(c.get("order")) or 0)
    for entry in ordered:
        pid, name = whole(entry.get("id")), text(entry.get("name"), 200)
        if pid is None or not name or pid in seen:
            continue
        seen.add(pid)
        cast.append(CastMember(pid, name, text(entry.get("character"), 300), len(cast)))
        if len(cast) >= max_cast:
            break
    directors, seen = [], set()
    for entry in items(credits.get("crew")):
        pid, name = whole(entry.get("id")), text(entry.get("name"), 200)
        if entry.get("job") != "Director" or pid is None or not name or pid in seen:
            continue
        seen.add(pid)
        directors.append(CastMember(pid, name, "", len(directors)))
    return cast, directors


def _translations(body: dict, record: MovieRecord, tags: list[str]) -> dict[str, Translation]:
    """One `Translation` per configured tag ("ko-KR"): TMDb's entry for that language and
    region (else any region of the language). TMDb leaves the title empty where it equals the
    original, so the original title fills in for the original language, and the untranslated
    details (TMDb's default language, en-US) fill in for English."""
    entries = items(section(body, "translations").get("translations"))
    found = {}
    for tag in tags:
        language, region = split_tag(tag)
        same = [e for e in entries if text(e.get("iso_639_1")).lower() == language]
        best = next((e for e in same if text(e.get("iso_3166_1")).upper() == region), None)
        data = section(best or (same[0] if same else {}), "data")
        entry = Translation(
            language,
            text(data.get("title"), 300),
            text(data.get("overview")),
            text(data.get("tagline"), 500),
        )
        if not entry.title and language == record.original_language:
            entry.title = record.original_title
        if language == "en":
            entry.title = entry.title or record.title
            entry.overview = entry.overview or record.overview
            entry.tagline = entry.tagline or record.tagline
        if entry.title or entry.overview or entry.tagline:
            found[language] = entry
    return found


def movie_record(body: dict, *, tmdb_id: int, languages: list[str], max_cast: int) -> MovieRecord:
    """The movie in a details answer (with the four appended sections)."""
    if whole(body.get("id")) != tmdb_id:
        raise BadPayload(f"asked for movie {tmdb_id}, the answer is about {body.get('id')!r}")
    record = MovieRecord(tmdb_id=tmdb_id, adult=body.get("adult") is True)
    record.original_title = text(body.get("original_title"), 300)
    record.title = text(body.get("title"), 300) or record.original_title or f"TMDb {tmdb_id}"
    record.overview = text(body.get("overview"))
    record.tagline = text(body.get("tagline"), 500)
    runtime = whole(body.get("runtime"), maximum=32767)
    record.runtime = runtime or None  # TMDb's 0 means unknown
    record.release_date = date(body.get("release_date"))
    record.original_language = text(body.get("original_language"), 12)
    record.imdb_id = imdb_number(section(body, "external_ids").get("imdb_id")) or imdb_number(
        body.get("imdb_id")
    )
    record.spoken_languages = [
        text(s.get("english_name"), 100) or text(s.get("name"), 100)
        for s in items(body.get("spoken_languages"))
    ]
    record.spoken_languages = [s for s in record.spoken_languages if s]
    record.production_countries = _names(body.get("production_countries"), max_length=100)
    record.production_companies = _names(body.get("production_companies"), max_length=200)
    record.vote_average = number(body.get("vote_average"), maximum=10)
    record.vote_count = whole(body.get("vote_count"))
    record.popularity = number(body.get("popularity"))
    record.poster_path = text(body.get("poster_path"), 300)
    record.genres = list(
        dict.fromkeys(GENRE_NAMES.get(g, g)[:60] for g in _names(body.get("genres")))
    )
    record.keywords = _names(section(body, "keywords").get("keywords"))
    record.cast, record.directors = _people(section(body, "credits"), max_cast=max_cast)
    record.translations = _translations(body, record, languages)
    return record


# Which letters a site language's names are written in, to tell a Korean `also_known_as`
# ("봉준호") from a Japanese or Russian one; languages not listed take translated names only.
SCRIPTS = {
    "ko": {"HANGUL"},
    "ja": {"HIRAGANA", "KATAKANA", "CJK"},
    "zh": {"CJK"},
    "en": {"LATIN"},
    "fr": {"LATIN"},
    "de": {"LATIN"},
    "es": {"LATIN"},
}


def _scripts(name: str) -> set[str]:
    letters = (ch for ch in name if unicodedata.category(ch)[0] == "L")
    return {unicodedata.name(ch, "UNKNOWN").split()[0] for ch in letters}


@dataclass
class PersonRecord:
    tmdb_id: int
    name: str
    aliases: dict[str, str] = field(default_factory=dict)  # name → site language ("" unknown)


def person_record(body: dict, *, tmdb_id: int, languages: list[str]) -> PersonRecord:
    """The person's names: TMDb's translated names for the configured languages, then the
    `also_known_as` names, labelled with the first configured language whose script they are
    written in (a Hangul name is Korean)."""
    if whole(body.get("id")) != tmdb_id:
        raise BadPayload(f"asked for person {tmdb_id}, the answer is about {body.get('id')!r}")
    record = PersonRecord(tmdb_id, text(body.get("name"), 200))
    wanted = [split_tag(tag) for tag in languages]
    entries = items(section(body, "translations").get("translations"))
    for language, region in wanted:
        same = [e for e in entries if text(e.get("iso_639_1")).lower() == language]
        same.sort(key=lambda e: text(e.get("iso_3166_1")).upper() != region)
        for entry in same:
            name = text(section(entry, "data").get("name"), 200)
            if name:
                record.aliases.setdefault(name, language)
    known = body.get("also_known_as")
    for name in (text(n, 200) for n in (known if isinstance(known, list) else [])):
        if not name or name in record.aliases:
            continue
        scripts = _scripts(name)
        record.aliases[name] = next(
            (lang for lang, _ in wanted if scripts and scripts <= SCRIPTS.get(lang, set())), ""
        )
    record.aliases.pop(record.name, None)
    return record
