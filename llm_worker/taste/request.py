"""What the user asks for, as data: the structured taste request (no Django imports).

A request has hard constraints (genres, people, years, runtime, original language, production
country, keywords, movies to avoid) and soft preferences (seed movies to resemble, mood words,
free theme text). Both parsers (`grounded_parser`, `llm_parser`) fill it; retrieval reads it; it is
stored per user as JSON (`to_json` / `from_json`) and combined turn by turn (`combine`).

Semantics a caller can rely on:
- `genres_in` and `people_in`: the movie has every one of them ("rom-com" is Romance and Comedy;
  "Nolan with DiCaprio" is both). `languages_in`, `countries_in`, `keywords_in`: any one of them.
- Every `*_out` field and `avoid_movie_ids`, `years_out`, `mood_out`: none of them.
- Years and runtime bounds are inclusive; None means unbounded.
- Names are the catalogue's own: genre names, person ids (the name is kept for display), ISO 639-1
  original-language codes, production-country names, keyword names, movie ids.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config

SCHEMA_VERSION = 1
ROLES = ("", "director", "cast")
MAX_ITEMS = 40  # per list field: a stored request stays small whatever the model or user wrote
MAX_TEXT = 120  # per mood / theme string
YEAR_LOW, YEAR_HIGH = 1870, 2100
RUNTIME_HIGH = 1000


class TasteRequestError(ValueError):
    """Stored or model-written data that is no valid taste request; the message says why."""


@with_config(ConfigDict(extra="forbid"))
@dataclass(frozen=True)
class PersonRef:
    person_id: int
    name: str  # the catalogue's name, for display only: the id decides
    role: str = ""  # "director", "cast", or "" for either

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {self.role!r}")


def _unique(items) -> tuple:
    """Order kept, duplicates and empties dropped, capped at MAX_ITEMS."""
    seen, out = set(), []
    for item in items:
        key = item.person_id if isinstance(item, PersonRef) else item
        if item in ("", None) or key in seen:
            continue
        seen.add(key)
        out.append(item)
    return tuple(out[:MAX_ITEMS])


@with_config(ConfigDict(extra="forbid"))
@dataclass(frozen=True)
class TasteRequest:
    # hard constraints
    genres_in: tuple[str, ...] = ()
    genres_out: tuple[str, ...] = ()
    people_in: tuple[PersonRef, ...] = ()
    people_out: tuple[PersonRef, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    years_out: tuple[tuple[int, int], ...] = ()  # inclusive (first, last) ranges: "no 80s"
    runtime_min: int | None = None  # minutes
    runtime_max: int | None = None
    languages_in: tuple[str, ...] = ()
    languages_out: tuple[str, ...] = ()
    countries_in: tuple[str, ...] = ()
    countries_out: tuple[str, ...] = ()
    keywords_in: tuple[str, ...] = ()
    keywords_out: tuple[str, ...] = ()
    avoid_movie_ids: tuple[int, ...] = ()  # these movies, never (and nothing like them, softly)
    # soft preferences
    seed_movie_ids: tuple[int, ...] = ()  # "like these"
    mood: tuple[str, ...] = ()  # canonical English mood phrases ("slow-burn", "light-hearted")
    mood_out: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()  # free text as the user wrote it ("strong female leads")
    # this turn starts over: `combine` keeps only the earlier exclusions
    reset: bool = False

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list):  # callers may pass lists; the request holds tuples
                value = tuple(value)
            if isinstance(value, tuple):
                if f.name in ("mood", "mood_out", "themes"):
                    value = tuple(" ".join(str(v).split())[:MAX_TEXT] for v in value)
                if f.name == "years_out":
                    value = tuple(_checked_range(tuple(r)) for r in value)
                object.__setattr__(self, f.name, _unique(value))
        for low, high, top in (("year_min", "year_max", YEAR_HIGH),
                               ("runtime_min", "runtime_max", RUNTIME_HIGH)):  # fmt: skip
            lo, hi = getattr(self, low), getattr(self, high)
            bottom = YEAR_LOW if low == "year_min" else 0
            for name, v in ((low, lo), (high, hi)):
                if v is not None and not bottom <= v <= top:
                    raise ValueError(f"{name} {v} is outside {bottom}..{top}")
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"{low} {lo} is above {high} {hi}")

    @property
    def is_empty(self) -> bool:
        return self == TasteRequest()

    @property
    def has_hard_constraints(self) -> bool:
        hard = (self.genres_in, self.genres_out, self.people_in, self.people_out, self.years_out,
                self.languages_in, self.languages_out, self.countries_in, self.countries_out,
                self.keywords_in, self.keywords_out, self.avoid_movie_ids)  # fmt: skip
        bounds = (self.year_min, self.year_max, self.runtime_min, self.runtime_max)
        return any(hard) or any(b is not None for b in bounds)


def _checked_range(pair: tuple) -> tuple[int, int]:
    if len(pair) != 2 or not all(isinstance(v, int) for v in pair) or pair[0] > pair[1]:
        raise ValueError(f"a years_out range is (first, last) with first <= last, not {pair!r}")
    return (int(pair[0]), int(pair[1]))


# --- JSON -----------------------------------------------------------------------------------
_ADAPTER = TypeAdapter(TasteRequest)


def to_json(request: TasteRequest) -> dict[str, Any]:
    """A JSON-ready dict (lists, not tuples) with the schema version, for storage."""
    data = json.loads(json.dumps(asdict(request)))
    return {"version": SCHEMA_VERSION, **data}


def from_json(data: dict[str, Any] | str | bytes) -> TasteRequest:
    """The request stored by `to_json` (a dict or its JSON text). Unknown fields, wrong types,
    bounds out of range or a newer version raise `TasteRequestError`; nothing is guessed."""
    try:
        if isinstance(data, str | bytes):
            data = json.loads(data)
        if not isinstance(data, dict):
            raise TasteRequestError("a taste request is a JSON object")
        data = dict(data)
        version = data.pop("version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise TasteRequestError(f"unsupported taste request version {version!r}")
        return _ADAPTER.validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "request"
        raise TasteRequestError(f"{where}: {first.get('msg', 'invalid')}") from exc
    except TasteRequestError:
        raise
    except ValueError as exc:  # bad JSON text
        raise TasteRequestError(f"not JSON: {exc}") from exc


def json_schema() -> dict[str, Any]:
    """The JSON schema of `to_json`'s output (draft 2020-12), for storage checks and for tools.
    The LLM parser asks the model for a smaller, decodable schema (`llm_parser.llm_schema`)."""
    schema = _ADAPTER.json_schema(mode="serialization")
    schema["properties"] = {"version": {"const": SCHEMA_VERSION}, **schema["properties"]}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


# --- turn by turn -----------------------------------------------------------------------------
_PAIRS = (
    ("genres_in", "genres_out"),
    ("people_in", "people_out"),
    ("languages_in", "languages_out"),
    ("countries_in", "countries_out"),
    ("keywords_in", "keywords_out"),
    ("seed_movie_ids", "avoid_movie_ids"),
    ("mood", "mood_out"),
)


def _key(item) -> object:
    return item.person_id if isinstance(item, PersonRef) else item


def _without(items: tuple, removed: tuple) -> tuple:
    gone = {_key(x) for x in removed}
    return tuple(x for x in items if _key(x) not in gone)


def _overlaps(a: tuple[int, int], low: int | None, high: int | None) -> bool:
    return (low is None or a[1] >= low) and (high is None or a[0] <= high)


def combine(previous: TasteRequest | None, new: TasteRequest) -> TasteRequest:
    """The request in force after `new` follows `previous` in a conversation.

    - A kind of ask the new turn makes replaces the earlier ask of that kind: new genres replace
      the old genres, a new decade the old years, new seeds the old seeds, a new mood the old mood.
      Kinds the new turn does not mention stay ("like Arrival", then "from the 90s": both).
    - Exclusions stand until lifted: every earlier `*_out` stays, and the new ones join them.
    - Asking for something lifts its exclusion ("comedy" after "no comedy"); excluding something
      drops it from what is asked for ("no Nolan" after "Nolan films").
    - `new.reset` ("start over") drops every earlier ask and keeps only the exclusions.
    A persona correction ("I don't like action; I prefer quiet dramas") is combined the same way
    and so stands like any "no more X"."""
    prev = previous or TasteRequest()
    if new.reset:
        prev = TasteRequest(**{out: getattr(prev, out) for _, out in _PAIRS},
                            years_out=prev.years_out)  # fmt: skip
    merged: dict[str, Any] = {}
    for inc, out in _PAIRS:
        asked = getattr(new, inc) or getattr(prev, inc)
        excluded = getattr(prev, out) + getattr(new, out)
        merged[out] = _without(excluded, getattr(new, inc))
        merged[inc] = _without(asked, getattr(new, out))
    merged["themes"] = new.themes or prev.themes
    for low, high in (("year_min", "year_max"), ("runtime_min", "runtime_max")):
        source = new if (getattr(new, low), getattr(new, high)) != (None, None) else prev
        merged[low], merged[high] = getattr(source, low), getattr(source, high)
    if new.year_min is not None or new.year_max is not None:
        kept = tuple(r for r in prev.years_out if not _overlaps(r, new.year_min, new.year_max))
    else:
        kept = prev.years_out
    merged["years_out"] = kept + new.years_out
    # A carried-over year range that the new turn now excludes entirely goes away.
    for first, last in new.years_out:
        lo, hi = merged["year_min"], merged["year_max"]
        if lo is not None and hi is not None and first <= lo and hi <= last:
            merged["year_min"] = merged["year_max"] = None
    return TasteRequest(**merged)


@dataclass(frozen=True)
class Understood:
    """One thing understood, as data a caller renders in the user's language (gettext)."""

    kind: (
        str  # genre|person|years|runtime|language|country|keyword|seed|avoid_movie|mood|theme|reset
    )
    polarity: str  # "in" (asked for) or "out" (not wanted)
    value: str  # genre name, person name, "1990-1999", "-100" (minutes), "ko", title, mood...
    ref: int | None = None  # person or movie id
    role: str = ""  # for a person: "director", "cast" or ""
    text: str = ""  # the words as the user wrote them, when a parser saw them


def _span(low: int | None, high: int | None) -> str:
    return f"{'' if low is None else low}-{'' if high is None else high}"


def describe(
    request: TasteRequest, *, titles: dict[int, str] | None = None
) -> tuple[Understood, ...]:
    """Everything the request holds, as `Understood` pieces in a stable order (what the chat
    states it understood). `titles`: movie id -> display title, for seeds and avoided movies."""
    titles = titles or {}
    out: list[Understood] = []
    for polarity, genres in (("in", request.genres_in), ("out", request.genres_out)):
        out += [Understood("genre", polarity, g) for g in genres]
    for polarity, people in (("in", request.people_in), ("out", request.people_out)):
        out += [Understood("person", polarity, p.name, p.person_id, p.role) for p in people]
    if request.year_min is not None or request.year_max is not None:
        out.append(Understood("years", "in", _span(request.year_min, request.year_max)))
    out += [Understood("years", "out", _span(a, b)) for a, b in request.years_out]
    if request.runtime_min is not None or request.runtime_max is not None:
        out.append(Understood("runtime", "in", _span(request.runtime_min, request.runtime_max)))
    for kind, inc, exc in (("language", request.languages_in, request.languages_out),
                           ("country", request.countries_in, request.countries_out),
                           ("keyword", request.keywords_in, request.keywords_out),
                           ("mood", request.mood, request.mood_out)):  # fmt: skip
        out += [Understood(kind, "in", v) for v in inc]
        out += [Understood(kind, "out", v) for v in exc]
    for kind, ids in (("seed", request.seed_movie_ids), ("avoid_movie", request.avoid_movie_ids)):
        out += [Understood(kind, "in" if kind == "seed" else "out", titles.get(i, str(i)), i)
                for i in ids]  # fmt: skip
    out += [Understood("theme", "in", t) for t in request.themes]
    if request.reset:
        out.append(Understood("reset", "in", "reset"))
    return tuple(out)


@dataclass(frozen=True)
class NotUnderstood:
    """Words the parser could not link to the catalogue: reported, never guessed."""

    text: str  # the words as written (shortened)
    # unknown_title | unknown_person | ambiguous_person | unknown_name | unknown_movie_id |
    # not_in_catalogue (a genre, language or country the catalogue lacks) | markup | too_long |
    # conflict (two bounds that exclude each other) | invented (an LLM name not in the catalogue)
    # | nothing_understood
    reason: str
    candidates: tuple[str, ...] = ()  # for an ambiguous name: who it could be


@dataclass(frozen=True)
class ParseResult:
    request: TasteRequest
    understood: tuple[Understood, ...] = ()
    not_understood: tuple[NotUnderstood, ...] = ()
    engine: str = "grounded"  # "grounded" or "llm"
    fallback: str = ""  # why the LLM's reading was not used ("code: detail"); "" when it was
