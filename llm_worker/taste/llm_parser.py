"""The LLM request parser: the model fills the taste request under a JSON schema, and every name
it writes is checked against the catalogue (no Django imports).

The schema (`llm_schema`) stays inside what `llm_worker.constrained` can decode: genres and
original languages are enums of the catalogue's own values; people, titles and keywords are short
strings the model copies from the request. Then `_Checker` keeps only what the catalogue has:
a genre, language or country outside it, a person or a title it lacks, is dropped and reported
(`NotUnderstood(reason="invented")`); a keyword it lacks becomes soft theme text, reported as
`not_in_catalogue`. Titles and people must match exactly (accents, case and punctuation aside;
Korean aliases count): a model's near-miss is not taken for a real name.

The question is a `Task` the backend answers with `LLMBackend.ask`, like the pipeline's: the
prompt is `prompts.taste_messages` (versioned, ko/en), an answer the parser refuses gets one repair
turn, and the grounded backend answers with the grounded reading it is handed. On any failure
(timeout, unavailable backend, no JSON after the repair, an empty reading where the grounded
parser found something) the grounded reading is returned, with `fallback` saying why
("code: detail").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from llm_worker.backends.base import LLMBackend, Task
from llm_worker.contracts import Degraded, degraded
from llm_worker.parsing import ParseError, extract_json, plain_text
from llm_worker.prompts import VERSIONS, taste_messages
from movies.lexicon import Lexicon, normalize_text

from .grounded_parser import grounded_parser
from .request import NotUnderstood, ParseResult, PersonRef, TasteRequest, Understood
from .text import clean

logger = logging.getLogger(__name__)
MAX_NAMES = 4
MAX_NAME = 80
MAX_MOOD = 40
YEAR_LOW, YEAR_HIGH = 1900, 2030
_ENUM_LIMIT = 120  # a longer list of allowed values is checked afterwards instead
_TITLE_YEAR = re.compile(r"^(?P<title>.*?)\s*\((?P<year>1[89]\d\d|20\d\d)\)\s*$")
_KEPT_NOTES = ("markup", "too_long", "unknown_movie_id")  # what only the raw text shows


def _strings(limit: int, values: list[str] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "string", "maxLength": limit}
    if values is not None and 0 < len(values) <= _ENUM_LIMIT:
        item = {"type": "string", "enum": list(values)}
    return {"type": "array", "items": item, "maxItems": MAX_NAMES}


def llm_schema(lexicon: Lexicon) -> dict[str, Any]:
    """The JSON the model writes, in the subset `llm_worker.constrained` decodes."""
    genres, languages = list(lexicon.genres), list(lexicon.languages)
    # 0 is "no bound"; an integer enum keeps the decoder's choices to real years
    year = {"type": "integer", "enum": [0, *range(YEAR_LOW, YEAR_HIGH + 1)]}
    minutes = {"type": "integer", "minimum": 0, "maximum": 600}
    properties = {
        "genres_in": _strings(40, genres),
        "genres_out": _strings(40, genres),
        "people_in": _strings(MAX_NAME),
        "people_out": _strings(MAX_NAME),
        "year_min": year,
        "year_max": year,
        "runtime_min": minutes,
        "runtime_max": minutes,
        "languages_in": _strings(12, languages),
        "languages_out": _strings(12, languages),
        "like_titles": _strings(MAX_NAME),
        "avoid_titles": _strings(MAX_NAME),
        "keywords_in": _strings(MAX_MOOD),
        "keywords_out": _strings(MAX_MOOD),
        "mood": _strings(MAX_MOOD),
        "mood_out": _strings(MAX_MOOD),
        "themes": _strings(MAX_NAME),
        "start_over": {"type": "string", "enum": ["no", "yes"]},
    }
    return {"type": "object", "properties": properties, "required": list(properties)}


def _schema_text(schema: dict[str, Any]) -> str:
    """The answer's fields, short, for the repair turn."""
    kinds = {"array": "[str]", "integer": "int", "string": '"yes"|"no"'}
    fields = ", ".join(
        f'"{name}": {kinds[spec["type"]]}' for name, spec in schema["properties"].items()
    )
    return "{" + fields + "}"


def _check_shape(answer: dict, schema: dict) -> None:
    """A field of the wrong kind means the model did not follow the schema: `ParseError`."""
    for name, spec in schema["properties"].items():
        value = answer.get(name)
        if value is None:
            continue
        if spec["type"] == "array":
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif spec["type"] == "integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str)
        if not ok:
            raise ParseError(f"{name} should be {spec['type']}, not {type(value).__name__}")


def _listed(answer: dict, name: str) -> list[str]:
    value = answer.get(name) or []
    return [t for v in value[:MAX_NAMES] if (t := plain_text(v, limit=MAX_NAME))]


def _bound(answer: dict, name: str, low: int, high: int, checker: _Checker) -> int | None:
    value = answer.get(name)
    if value in (None, 0, "", "0") or isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        checker.miss(str(value), "invented")
        return None
    if not low <= number <= high:
        checker.miss(f"{name} {number}", "invented")
        return None
    return number


class _Checker:
    """Keeps what the catalogue has of a model's answer; reports the rest."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.parser = grounded_parser(lexicon)
        self.index = self.parser.index
        self.genres = {normalize_text(g): g for g in lexicon.genres}
        self.understood: list[Understood] = []
        self.missed: list[NotUnderstood] = []

    def miss(self, text: str, reason: str) -> None:
        self.missed.append(NotUnderstood(text[:60], reason))

    def keep(self, kind: str, polarity: str, value: str, ref: int | None = None, role: str = ""):
        self.understood.append(Understood(kind, polarity, value, ref, role, value))

    def genres_of(self, names: list[str], polarity: str) -> tuple[str, ...]:
        kept = []
        for name in names:
            genre = self.genres.get(normalize_text(name))
            if genre:
                kept.append(genre)
                self.keep("genre", polarity, genre)
            else:
                self.miss(name, "invented")
        return tuple(kept)

    def languages_of(self, codes: list[str], polarity: str) -> tuple[str, ...]:
        kept = []
        for code in codes:
            if code.strip().lower() in self.index.languages:
                kept.append(code.strip().lower())
                self.keep("language", polarity, kept[-1])
            else:
                self.miss(code, "invented")
        return tuple(kept)

    def people_of(self, names: list[str], polarity: str) -> tuple[PersonRef, ...]:
        kept = []
        for name in names:
            person = self.index.person_exact(normalize_text(name))
            if person is None:
                self.miss(name, "invented")
                continue
            role = "director" if not person.acted else "cast" if not person.directed else ""
            kept.append(PersonRef(person.person_id, person.name, role))
            self.keep("person", polarity, person.name, person.person_id, role)
        return tuple(kept)

    def titles_of(self, names: list[str], polarity: str) -> tuple[int, ...]:
        kept = []
        for name in names:
            m = _TITLE_YEAR.match(name)
            title_text, year = (m["title"], int(m["year"])) if m else (name, None)
            title = self.index.title_exact(normalize_text(title_text), year)
            if title is None:
                self.miss(name, "invented")
                continue
            kept.append(title.movie_id)
            kind = "seed" if polarity == "in" else "avoid_movie"
            self.keep(kind, polarity, f"{title.title} ({title.year})", title.movie_id)
        return tuple(kept)

    def keywords_of(self, names: list[str], polarity: str, themes: list[str]) -> tuple[str, ...]:
        kept = []
        for name in names:
            keyword = self.index.keyword(normalize_text(name))
            if keyword:
                kept.append(keyword)
                self.keep("keyword", polarity, keyword)
            else:
                self.miss(name, "not_in_catalogue")
                if polarity == "in":
                    themes.append(name)
        return tuple(kept)

    def request_of(self, answer: dict) -> TasteRequest:
        themes = [t[:MAX_NAME] for t in _listed(answer, "themes")]
        fields: dict[str, Any] = {}
        for pol in ("in", "out"):
            fields[f"genres_{pol}"] = self.genres_of(_listed(answer, f"genres_{pol}"), pol)
            fields[f"people_{pol}"] = self.people_of(_listed(answer, f"people_{pol}"), pol)
            languages = _listed(answer, f"languages_{pol}")
            fields[f"languages_{pol}"] = self.languages_of(languages, pol)
            keywords = _listed(answer, f"keywords_{pol}")
            fields[f"keywords_{pol}"] = self.keywords_of(keywords, pol, themes)
        fields["seed_movie_ids"] = self.titles_of(_listed(answer, "like_titles"), "in")
        fields["avoid_movie_ids"] = self.titles_of(_listed(answer, "avoid_titles"), "out")
        for name in ("mood", "mood_out"):
            fields[name] = tuple(m[:MAX_MOOD] for m in _listed(answer, name))
            polarity = "in" if name == "mood" else "out"
            for m in fields[name]:
                self.keep("mood", polarity, m)
        fields["themes"] = tuple(themes)
        for m in fields["themes"]:
            self.keep("theme", "in", m)
        bounds = (
            ("year_min", "year_max", YEAR_LOW, YEAR_HIGH, "years"),
            ("runtime_min", "runtime_max", 1, 600, "runtime"),
        )
        for low, high, bottom, top, kind in bounds:
            lo, hi = _bound(answer, low, bottom, top, self), _bound(answer, high, bottom, top, self)
            if lo is not None and hi is not None and lo > hi:
                self.miss(f"{kind}: {lo}-{hi}", "conflict")
                lo = hi = None
            fields[low], fields[high] = lo, hi
            if lo is not None or hi is not None:
                self.keep(kind, "in", f"{'' if lo is None else lo}-{'' if hi is None else hi}")
        fields["reset"] = str(answer.get("start_over", "")).strip().lower() == "yes"
        return TasteRequest(**fields)


@dataclass(frozen=True)
class TasteAsk:
    """One request to read: what the grounded backend answers from (`grounded`) and what the
    model's answer is checked against (`lexicon`)."""

    text: str  # the user's message, cleaned (`text.clean`)
    lexicon: Lexicon
    grounded: ParseResult  # the grounded parser's reading of the same message


def taste_task(ask: TasteAsk, *, language: str = "en", max_new_tokens: int = 320) -> Task:
    lexicon = ask.lexicon
    schema = llm_schema(lexicon)
    # Notes only the raw text shows (markup, overlong text) stay with the model's reading.
    kept = tuple(n for n in ask.grounded.not_understood if n.reason in _KEPT_NOTES)

    def parse(text: str) -> ParseResult:
        answer = extract_json(text)
        _check_shape(answer, schema)
        checker = _Checker(lexicon)
        try:
            request = checker.request_of(answer)
        except (ValueError, TypeError) as exc:  # TasteRequestError: a value it refuses
            raise ParseError(f"taste request: {exc}") from exc
        notes = kept + tuple(checker.missed)
        return ParseResult(request, tuple(checker.understood), notes, engine="llm")

    return Task(
        kind="taste",
        inp=ask,
        language=language,
        messages=taste_messages(
            ask.text, genres=lexicon.genres, languages=lexicon.languages, language=language
        ),
        schema=schema,
        schema_text=_schema_text(schema),
        parse=parse,
        max_new_tokens=max_new_tokens,
        version=VERSIONS["taste"],
    )


def llm_parse_request(
    text: object,
    *,
    lexicon: Lexicon,
    backend: LLMBackend,
    grounded: ParseResult | None = None,
    language: str = "en",
    max_new_tokens: int = 320,
) -> ParseResult:
    """The model's reading of the request, checked against the catalogue; the grounded reading
    (`grounded`, or parsed here) when the model gives nothing usable. `language` picks the
    prompt's (the user's language). Never raises."""
    base = grounded or grounded_parser(lexicon).parse(text)
    cleaned = clean(text)
    if not cleaned.text:
        return base
    task = taste_task(
        TasteAsk(cleaned.text, lexicon, base), language=language, max_new_tokens=max_new_tokens
    )
    try:
        answer = backend.ask(task)
    except Exception as exc:  # a backend bug must not cost the user their request
        logger.exception("LLM taste parser failed")
        return _fallback(base, degraded(Degraded.LLM_UNAVAILABLE, repr(exc)[:200]))
    if answer.parsed is None:
        return _fallback(base, answer.failure)
    result: ParseResult = answer.parsed
    if result.engine == "llm" and result.request.is_empty and not base.request.is_empty:
        nothing = "taste request: the model read nothing the catalogue has"
        return _fallback(base, degraded(Degraded.UNPARSEABLE, nothing))
    return result


def _fallback(base: ParseResult, reason: str) -> ParseResult:
    logger.warning("taste request: grounded reading used (%s)", reason)
    return ParseResult(base.request, base.understood, base.not_understood, base.engine, reason)
