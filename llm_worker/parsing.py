"""Turning model text into validated answers (no Django imports).

What the parser guarantees, whatever the model wrote:
- JSON is found in prose or code fences (the first balanced object that parses); if none parses,
  `ParseError` says why, and the pipeline makes one repair attempt, then falls back to grounded.
- Only candidate labels survive. A label (or a raw movie id / title the model invents) that is not
  among the candidates is dropped and counted in `dropped`; repeated labels are dropped and
  counted in `duplicates`. The titles a model writes are never used: the label decides the movie,
  so the number of out-of-catalogue movies in a result is 0 by construction.
- Fit scores are clamped to 1..10; a missing or non-numeric score becomes None (the pipeline fills
  it from the position). Reasons are plain text: control characters stripped, whitespace
  collapsed, capped at `MAX_REASON` characters. HTML (even `<script>`) is kept as text; the
  templates escape it when they show it.
- Wrong language: a reason not written in the user's language (Hangul expected for "ko", mostly
  non-Hangul for "en") is blanked and counted in `wrong_language`; the pipeline keeps the model's
  order and puts a grounded reason in the user's language there, and notes it in
  `degraded_reason`. A persona written in the wrong language is rejected (`ParseError`), so it is
  repaired once and then replaced by the grounded persona.
- Words that are not the model's own: text copied or stitched from the prompt (`copied_from`),
  going round in circles (`repetitive`), or no sentence at all (`not_prose`). Such a persona
  summary is rejected (`ParseError`: one repair, then grounded); such a reason or trait is
  dropped and counted (a re-rank reason given twice too), and the pipeline shows a grounded one
  in its place, flagged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

# The answers' JSON schemas have their own module; callers have always found them here.
from llm_worker.schemas import (  # noqa: F401
    PERSONA_SCHEMA_TEXT,
    RERANK_SCHEMA_TEXT,
    chat_schema,
    persona_schema,
    rerank_schema,
)

MAX_REASON = 300
MAX_TRAIT = 120
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_LABEL = re.compile(r"\b([CW])\s*0*(\d{1,3})\b", re.IGNORECASE)
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


# Language names in the repair turn and the logs (English: read by the model and by us).
LANGUAGE_NAMES = {"ko": "Korean", "en": "English"}


class ParseError(ValueError):
    """The text holds no usable answer; `str(exc)` says what was wrong (sent back in repair).
    `wrong_language` marks an answer rejected only for its language."""

    def __init__(self, message: str, *, wrong_language: bool = False):
        super().__init__(message)
        self.wrong_language = wrong_language


def plain_text(value: object, *, limit: int = MAX_REASON) -> str:
    """One line of plain text; "" when it holds no letter (a copied "..." placeholder)."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    text = " ".join(_CONTROL.sub(" ", text).split())
    if not _LETTER.search(text):
        return ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Whether a language is written in Hangul, and the share of Hangul letters that tells it.
_WRITTEN_IN_HANGUL = {"ko": True, "en": False}
HANGUL_SHARE = 0.2


def in_language(text: str, language: str) -> bool:
    """True when `text` reads as `language` ("ko": some Hangul; "en": little Hangul).
    Text without letters (e.g. "8/10") counts as fine."""
    letters = _LETTER.findall(text)
    if not letters:
        return True
    hangul = len(_HANGUL.findall(text)) / len(letters) >= HANGUL_SHARE
    return hangul == _WRITTEN_IN_HANGUL.get(language, False)


def _squeezed(text: str) -> str:
    """Letters and digits only, case-folded: how two texts are compared for copying."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_LABEL_WORD = re.compile(r"[cw]\d{1,3}")


def _words(text: str) -> tuple[list[str], list[str]]:
    """(every token of letters or digits, the words among them: tokens with a letter that are
    not a label such as C01)."""
    tokens = _WORD.findall(text.casefold())
    words = [t for t in tokens if _LETTER.search(t) and not _LABEL_WORD.fullmatch(t)]
    return tokens, words


def repetitive(text: str) -> bool:
    """True when `text` goes round in circles instead of saying something: a run of four
    tokens said three times, or (from 8 words on) fewer than half of the words different
    (0.4 from 40 words on, where prose repeats its small words more; numbers and labels are not
    words). Small models loop ("Your tastes are a reflection of your tastes are a reflection
    of ...", "The (1996), The (1997), The (1998) ..."); constrained decoding makes such text
    well-formed, this refuses it. Hangul words count like any other."""
    tokens, words = _words(text)
    runs: dict[tuple[str, ...], int] = {}
    for i in range(len(tokens) - 3):
        key = tuple(tokens[i : i + 4])
        runs[key] = runs.get(key, 0) + 1
        if runs[key] >= 3:
            return True
    if len(words) < 8:
        return False
    floor = 0.4 if len(words) >= 40 else 0.5
    return len(set(words)) / len(words) < floor


def not_prose(text: str, *, min_words: int = 3) -> bool:
    """True when `text` is no sentence: fewer than `min_words` words, or mostly numbers and
    labels ("1994, 1995, 1996, ...", "(C01) (C02) ..."). A reason of one made-up word
    ("MovieCupcake") says nothing either."""
    tokens, words = _words(text)
    return len(words) < min_words or len(words) < 0.5 * len(tokens)


COPY_WINDOW = 12  # letters and digits: shorter shared runs are too short to tell
MOSTLY_COPIED = 0.6


def copied_from(text: str, prompt: str) -> bool:
    """True when `text` is a piece of the prompt (a template line, an example, a movie's
    description) rather than something the model wrote: small models echo what they read.
    Also when it is stitched from pieces of it: at least MOSTLY_COPIED of its letters lie in
    runs of COPY_WINDOW that the prompt holds ("Movies they loved: Spaceballs (1987), Silence
    of the Lambs, The (1991), ..." is the watched list again, not a taste). Texts of fewer than
    COPY_WINDOW letters and digits are too short to tell and count as written."""
    mine, theirs = _squeezed(text), _squeezed(prompt)
    if len(mine) < COPY_WINDOW or not theirs:
        return False
    if mine in theirs:
        return True
    covered = [False] * len(mine)
    for start in range(len(mine) - COPY_WINDOW + 1):
        if mine[start : start + COPY_WINDOW] in theirs:
            covered[start : start + COPY_WINDOW] = [True] * COPY_WINDOW
    return sum(covered) >= MOSTLY_COPIED * len(mine)


# --- JSON extraction ----------------------------------------------------------------------
def _balanced_objects(text: str):
    """Every substring that starts at a "{" and ends where its braces balance (strings aware)."""
    for start in [i for i, ch in enumerate(text) if ch == "{"]:
        depth, in_string, escaped = 0, False, False
        for end in range(start, len(text)):
            ch = text[end]
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    yield text[start : end + 1]
                    break


def extract_json(text: str) -> dict:
    """The first JSON object in `text` (code fences and prose around it are ignored)."""
    if not text or not text.strip():
        raise ParseError("the answer was empty")
    sources = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    for source in sources:
        for candidate in _balanced_objects(source):
            for attempt in (candidate, re.sub(r",\s*([}\]])", r"\1", candidate)):
                try:
                    value = json.loads(attempt)
                except json.JSONDecodeError:
                    continue
                if isinstance(value, dict):
                    return value
    if "{" in text and "}" not in text[text.index("{") :]:
        raise ParseError("the JSON object was cut off before it closed")
    raise ParseError("no JSON object found in the answer")


# --- schemas ------------------------------------------------------------------------------
class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class ReasonAnswer(_Lenient):
    text: str = ""
    movies: list[str] = []

    @field_validator("movies", mode="before")
    @classmethod
    def _labels(cls, value):
        return [str(v) for v in _as_list(value)]


class PersonaAnswer(_Lenient):
    summary: str = ""
    liked: list[str] = []
    disliked: list[str] = []
    reasons: list[ReasonAnswer] = []

    @field_validator("liked", "disliked", mode="before")
    @classmethod
    def _traits(cls, value):
        return [t for t in (plain_text(v, limit=MAX_TRAIT) for v in _as_list(value)) if t]

    @field_validator("reasons", mode="before")
    @classmethod
    def _reasons(cls, value):
        return [{"text": v} if isinstance(v, str) else v for v in _as_list(value)]


class RerankEntry(_Lenient):
    label: str = ""
    fit: float | None = None
    reason: str = ""
    title: str = ""  # ignored for identity; only counted when it comes without a valid label

    @field_validator("label", "reason", "title", mode="before")
    @classmethod
    def _text(cls, value):
        return "" if value is None else str(value)

    @field_validator("fit", mode="before")
    @classmethod
    def _fit(cls, value):
        if isinstance(value, str):
            match = re.search(r"-?\d+(\.\d+)?", value)
            return float(match.group()) if match else None
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None


class RerankAnswer(_Lenient):
    final: list[RerankEntry] = []
    scores: list[RerankEntry] = []
    top: list[str] = []
    check: str = ""

    @field_validator("final", "scores", mode="before")
    @classmethod
    def _entries(cls, value):
        return [{"label": v} if isinstance(v, str | int) else v for v in _as_list(value)]

    @field_validator("top", mode="before")
    @classmethod
    def _top(cls, value):
        return [str(v) for v in _as_list(value)]


def normalise_label(raw: str, prefix: str) -> str | None:
    """ "c1", "C01", "C01: Heat", "label C01" → "C01"; None when no label of that kind."""
    for match in _LABEL.finditer(raw or ""):
        if match.group(1).upper() == prefix:
            return f"{prefix}{int(match.group(2)):02d}"
    return None


# --- results ------------------------------------------------------------------------------
@dataclass
class ParsedItem:
    label: str
    fit: int | None
    reason: str  # "" when missing or in the wrong language (the pipeline fills a grounded one)


@dataclass
class ParsedRerank:
    items: list[ParsedItem]
    dropped: int = 0
    duplicates: int = 0
    wrong_language: int = 0
    missing_reasons: int = 0  # missing, copied from the prompt, repetitive or no sentence
    repetitive: int = 0  # of those: looping (`repetitive`) or the same as an earlier reason
    not_prose: int = 0  # of those: no sentence (`not_prose`)
    notes: list[str] = field(default_factory=list)


@dataclass
class ParsedPersona:
    summary: str
    liked: list[str]
    disliked: list[str]
    reasons: list[tuple[str, tuple[str, ...]]]  # (text, watched labels)
    dropped: int = 0
    copied: int = 0  # reasons and traits dropped because they repeat the prompt
    repetitive: int = 0  # reasons and traits dropped because they repeat themselves
    not_prose: int = 0  # reasons dropped because they are no sentence


def parse_rerank(
    text: str, *, labels: set[str], language: str, k: int, prompt: str = ""
) -> ParsedRerank:
    """Validated entries in the model's order ("final", then "top"/"scores" when "final" is
    short). Raises ParseError when nothing usable is left. A reason copied from the prompt (a
    candidate's description, the example answer) or going round in circles (`repetitive`)
    counts as missing."""
    data = extract_json(text)
    if "label" in data and not ({"final", "scores", "top"} & set(data)):
        data = {"final": [data]}  # one bare entry instead of a list: small models do this
    try:
        answer = RerankAnswer.model_validate(data)
    except ValidationError as exc:
        raise ParseError(f"the JSON does not match the schema: {exc.errors()[0]['msg']}") from exc
    result = ParsedRerank(items=[])
    seen: set[str] = set()
    scored = {normalise_label(e.label, "C"): e for e in answer.scores}
    by_fit = sorted(answer.scores, key=lambda e: -(e.fit or 0))
    pools = [
        ("final", answer.final),
        ("top", [scored.get(normalise_label(t, "C")) or RerankEntry(label=t) for t in answer.top]),
        ("scores", by_fit),
    ]
    for pool, entries in pools:
        if pool != "final" and len(result.items) >= k:
            break
        for entry in entries:
            label = normalise_label(entry.label, "C")
            if label is None or label not in labels:
                if pool == "final" or (pool == "top" and not answer.final):
                    result.dropped += 1
                continue
            if label in seen:
                if pool == "final":
                    result.duplicates += 1
                continue
            seen.add(label)
            result.items.append(_item(entry, label, language, result, prompt))
    result.items = result.items[:k]
    if not result.items:
        raise ParseError("the answer names none of the candidate labels (C01, C02, ...)")
    return result


def _item(
    entry: RerankEntry, label: str, language: str, result: ParsedRerank, prompt: str
) -> ParsedItem:
    fit = None if entry.fit is None else int(min(10, max(1, round(entry.fit))))
    reason = plain_text(entry.reason)
    if reason and copied_from(reason, prompt):
        reason = ""
    elif reason and (
        repetitive(reason) or _squeezed(reason) in {_squeezed(i.reason) for i in result.items}
    ):
        result.repetitive += 1
        reason = ""
    elif reason and not_prose(reason):
        result.not_prose += 1
        reason = ""
    if not reason:
        result.missing_reasons += 1
    elif not in_language(reason, language):
        result.wrong_language += 1
        reason = ""
    return ParsedItem(label=label, fit=fit, reason=reason)


def parse_persona(text: str, *, labels: set[str], language: str, prompt: str = "") -> ParsedPersona:
    """A persona with traits and reasons; cited labels outside the user's movies are dropped
    and counted. Raises ParseError when there is no summary, when it is copied from the prompt
    (`copied_from`), repeats itself (`repetitive`) or is in the wrong language. Reasons and
    traits copied from the prompt are dropped and counted in `copied`, repetitive ones in
    `repetitive`."""
    try:
        answer = PersonaAnswer.model_validate(extract_json(text))
    except ValidationError as exc:
        raise ParseError(f"the JSON does not match the schema: {exc.errors()[0]['msg']}") from exc
    summary = plain_text(answer.summary, limit=600)
    if not summary:
        raise ParseError('the "summary" field is missing or empty')
    if copied_from(summary, prompt):
        raise ParseError(
            'the "summary" repeats the question instead of describing the viewer\'s taste'
        )
    if repetitive(summary):
        raise ParseError(
            'the "summary" repeats the same words over and over; write each thought once'
        )
    if not_prose(summary):
        raise ParseError('the "summary" is no sentence; describe the viewer\'s taste in words')
    if not in_language(summary, language):
        raise ParseError(
            f"the summary is not written in {LANGUAGE_NAMES.get(language, language)}",
            wrong_language=True,
        )
    dropped = copied = looping = no_prose = 0
    reasons = []
    for reason in answer.reasons:
        cited: list[str] = []
        for raw in reason.movies:
            label = normalise_label(raw, "W")
            if label is None or label not in labels:
                dropped += 1
            elif label not in cited:
                cited.append(label)
        reason_text = plain_text(reason.text)
        if reason_text and copied_from(reason_text, prompt):
            copied += 1
        elif reason_text and repetitive(reason_text):
            looping += 1
        elif reason_text and not_prose(reason_text):
            no_prose += 1
        elif reason_text and in_language(reason_text, language):
            reasons.append((reason_text, tuple(cited)))

    def traits(values: list[str]) -> list[str]:
        nonlocal copied, looping, no_prose
        kept = []
        for trait in values:
            if copied_from(trait, prompt):
                copied += 1
            elif repetitive(trait):
                looping += 1
            elif not_prose(trait, min_words=1):
                no_prose += 1
            elif in_language(trait, language):
                kept.append(trait)
        return kept[:8]

    liked, disliked = traits(answer.liked), traits(answer.disliked)
    return ParsedPersona(summary, liked, disliked, reasons, dropped, copied, looping, no_prose)
