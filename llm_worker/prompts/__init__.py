"""Versioned ko/en prompt templates and their rendering (no Django imports).

Rules every prompt keeps:
- A movie enters a prompt only as a stable label and its catalogue description
  (`MovieBrief.description`): "C01".."C20" for candidates, "W01".. for the user's own movies,
  letters "A".."Z" for one-pass verbalizer ranking. A candidate's line also carries its evidence,
  the same the grounded engine reasons from (`llm_worker.grounded.reasons.evidence_for`): the
  user's movies closest to it (catalogue titles, liked or watched), the request constraints it
  meets, and the director, genres and themes it shares with the user's movies. No scores.
- The user's free text (taste text, chat turns, persona corrections) and the request as
  understood from it sit inside <user_data>…</user_data>; those markers are removed from the
  text itself so it cannot close the block early, and the system prompt says instructions
  inside it are ignored.
- Bump a version id whenever a template's wording changes: stored results record it.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping, Sequence
from types import ModuleType

from llm_worker.contracts import (
    CandidateBrief,
    ChatTurn,
    Constraint,
    MetConstraint,
    MovieBrief,
    PersonaInput,
    RerankInput,
)
from llm_worker.grounded.reasons import Evidence, evidence_for
from llm_worker.grounded.taste import Taste, taste_of
from llm_worker.phrases import genre_name
from llm_worker.prompts import en, ko

VERSIONS = {
    "persona": "persona-v1",
    # v2: candidates carry their evidence, the structured request is shown, reasons cite both
    "rerank-original": "rerank-original-v2",
    "rerank-optimized": "rerank-optimized-v2",
    "chat": "chat-v1",
    "verbalizer": "verbalizer-v2",
    "reasons": "reasons-v2",
    "repair": "repair-v1",
    "taste": "taste-v1",  # the taste request parser's (was llm_parser's PROMPT_VERSION "taste-1")
}
VARIANTS = ("original", "optimized")
LANGUAGES = ("ko", "en")
MAX_WATCHED = 30  # the most recent picks; older ones add tokens, not signal
MAX_USER_TEXT = 1000  # characters of one free-text block
MAX_DESCRIPTION = 400

_USER_DATA_MARKER = re.compile(r"<\s*/?\s*(user_data|model_output)\s*>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
VERBALIZER_LABELS = tuple(string.ascii_uppercase)


_TEMPLATES = {"ko": ko, "en": en}
# Wording an answer may repeat: the taste parser's prompt offers the mood words and subjects an
# answer should use ("light-hearted", "time travel"), and a persona may say them too.
_NOT_AVOIDED = ("TASTE_",)
EVIDENCE_NEAR = 2  # closest movies named per candidate
EVIDENCE_MET = 3  # request constraints named per candidate
_REQUEST_HIDDEN = ("version", "reset")  # request fields that say nothing to a model
MAX_REQUEST = 600  # characters of the structured request


def templates(language: str) -> ModuleType:
    return _TEMPLATES.get(language, en)


def template_text(language: str) -> tuple[str, ...]:
    """The fixed wording of this language's prompts, placeholders removed: what an answer must
    not copy (the constrained decoder steers away from it, the parser rejects it)."""
    t = templates(language)
    texts = [
        value
        for name, value in vars(t).items()
        if name.isupper() and isinstance(value, str) and not name.startswith(_NOT_AVOIDED)
    ]
    return tuple(re.sub(r"\$\w+", " ", text) for text in texts)


def candidate_labels(n: int) -> list[str]:
    return [f"C{i + 1:02d}" for i in range(n)]


def watched_labels(n: int) -> list[str]:
    return [f"W{i + 1:02d}" for i in range(n)]


def clean_user_text(text: str, *, limit: int = MAX_USER_TEXT) -> str:
    """User text made safe to place inside <user_data>: no block markers, no control chars."""
    text = _USER_DATA_MARKER.sub(" ", text or "")
    text = _CONTROL.sub(" ", text)
    return text.strip()[:limit]


def _description(movie: MovieBrief) -> str:
    """The catalogue description on one line: its lines ("Genres: …", "Director: …") joined
    with " | " so the fields stay apart."""
    lines = [" ".join(line.split()) for line in _CONTROL.sub(" ", movie.description).splitlines()]
    return " | ".join(line for line in lines if line)[:MAX_DESCRIPTION]


def _fill(template: str, **values) -> str:
    text = string.Template(template).safe_substitute(**values)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def profile_line(profile, language: str) -> str:
    t = templates(language)
    parts = []
    if profile.age:
        parts.append(string.Template(t.PROFILE_AGE).substitute(age=profile.age))
    gender = t.PROFILE_GENDER.get(profile.gender or "", "")
    if gender:
        parts.append(gender)
    if profile.occupation:
        occupation = clean_user_text(profile.occupation, limit=60)
        parts.append(string.Template(t.PROFILE_OCCUPATION).substitute(occupation=occupation))
    return ", ".join(parts) or t.PROFILE_UNKNOWN


def labelled(movies: Sequence[MovieBrief], labels: Sequence[str]) -> str:
    return "\n".join(
        f"{label}: {_description(m)}" for label, m in zip(labels, movies, strict=False)
    )


def _met_data(met: MetConstraint, language: str) -> str:
    """One met constraint as data: "director=Christopher Nolan", "years=1990-1999"."""
    if met.kind in (Constraint.YEARS, Constraint.RUNTIME):
        low = "" if met.low is None else str(met.low)
        high = "" if met.high is None else str(met.high)
        return f"{met.kind}={low}-{high}"
    value = met.value
    if met.kind in (Constraint.GENRE, Constraint.NOT_GENRE):
        value = genre_name(value, language)
    return f"{met.kind}={value}"


def _evidence(candidate: CandidateBrief, taste: Taste, language: str) -> str:
    """The candidate's evidence on one line ("" when it has none)."""
    t = templates(language)
    ev: Evidence = evidence_for(candidate, taste)
    titles = {m.movie_id: m for m in taste.movies}
    parts = []
    near = []
    for n in ev.near[:EVIDENCE_NEAR]:
        title = titles[n.movie_id].title if n.movie_id in titles else n.title
        liked = n.liked or (n.movie_id in titles and titles[n.movie_id].liked)
        if title:
            verb = t.EVIDENCE_LIKED if liked else t.EVIDENCE_WATCHED
            near.append(_fill(t.EVIDENCE_MOVIE, title=clean_user_text(title, limit=80), verb=verb))
    if near:
        parts.append(_fill(t.EVIDENCE_NEAR, movies=", ".join(near)))
    met = [_met_data(m, language) for m in ev.met[:EVIDENCE_MET]]
    if met:
        parts.append(_fill(t.EVIDENCE_MET, items=", ".join(met)))
    if ev.director:
        parts.append(_fill(t.EVIDENCE_DIRECTOR, name=ev.director, count=len(ev.director_movies)))
    if ev.genres:
        genres = ", ".join(genre_name(g, language) for g in ev.genres)
        parts.append(_fill(t.EVIDENCE_GENRES, genres=genres))
    if ev.themes:
        parts.append(_fill(t.EVIDENCE_THEMES, themes=", ".join(ev.themes)))
    return _fill(t.EVIDENCE, parts="; ".join(parts)) if parts else ""


def labelled_candidates(
    inp: RerankInput, candidates: Sequence[CandidateBrief], labels: Sequence[str]
) -> str:
    """Candidates by label: description, then " | " and its evidence."""
    language = inp.profile.language
    taste = taste_of(recent_watched(inp.watched), inp.keyword_stats)
    lines = []
    for label, candidate in zip(labels, candidates, strict=False):
        evidence = _evidence(candidate, taste, language)
        line = f"{label}: {_description(candidate)}"
        lines.append(f"{line} | {evidence}" if evidence else line)
    return "\n".join(lines)


def _request_value(key: str, value, language: str):
    if not isinstance(value, list | tuple):
        return value
    if key.startswith("genres_"):
        return [genre_name(str(v), language) for v in value]
    return [
        v.get("name", "") + (f" ({v['role']})" if v.get("role") else "")
        if isinstance(v, Mapping)
        else v
        for v in value
    ]


def request_text(request: Mapping | None, language: str) -> str:
    """The structured request as compact JSON: empty fields and bookkeeping left out, catalogue
    ids too (a model cannot use them; names are given beside them), genres in `language`."""
    if not isinstance(request, Mapping):
        return ""
    shown = {}
    for key, value in request.items():
        if key in _REQUEST_HIDDEN or key.endswith("_ids") or value in (None, "", [], (), {}):
            continue
        shown[key] = _request_value(key, value, language)
    if not shown:
        return ""
    return json.dumps(shown, ensure_ascii=False)[:MAX_REQUEST]


def recent_watched(watched: Sequence[MovieBrief]) -> tuple[MovieBrief, ...]:
    return tuple(watched)[-MAX_WATCHED:]


def context_block(
    language: str,
    *,
    chat_summary: str = "",
    chat_turns: Sequence[ChatTurn] = (),
    taste_text: str = "",
    correction: str = "",
    request: Mapping | None = None,
) -> str:
    t = templates(language)
    parts = []
    if chat_summary:
        parts.append(_fill(t.CONTEXT_SUMMARY, summary=clean_user_text(chat_summary)))
    if chat_turns:
        lines = [f"{turn.role}: {clean_user_text(turn.content)}" for turn in chat_turns]
        turns = "<user_data>\n" + "\n".join(lines) + "\n</user_data>"
        parts.append(_fill(t.CONTEXT_TURNS, turns=turns))
    if taste_text.strip():
        parts.append(_fill(t.CONTEXT_REQUEST, text=clean_user_text(taste_text)))
    if correction.strip():
        parts.append(_fill(t.CORRECTION, text=clean_user_text(correction)))
    structured = request_text(request, language)
    if structured:
        parts.append(_fill(t.CONTEXT_STRUCTURED, request=clean_user_text(structured)))
    return "\n".join(parts)


def _messages(language: str, user: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": templates(language).SYSTEM},
        {"role": "user", "content": user},
    ]


def persona_messages(inp: PersonaInput) -> list[dict[str, str]]:
    language = inp.profile.language
    t = templates(language)
    watched = recent_watched(inp.watched)
    correction = ""
    if inp.correction.strip():
        correction = _fill(t.CORRECTION, text=clean_user_text(inp.correction))
    user = _fill(
        t.PERSONA,
        profile=profile_line(inp.profile, language),
        watched=labelled(watched, watched_labels(len(watched))),
        correction=correction,
    )
    return _messages(language, user)


def _rerank_values(inp: RerankInput) -> dict[str, str]:
    language = inp.profile.language
    t = templates(language)
    return {
        "profile": profile_line(inp.profile, language),
        "persona": clean_user_text(inp.persona_summary, limit=600) or t.NO_PERSONA,
        "context": context_block(
            language,
            chat_summary=inp.chat_summary,
            chat_turns=inp.chat_turns,
            taste_text=inp.taste_text,
            correction=inp.correction,
            request=inp.request,
        ),
    }


def rerank_messages(inp: RerankInput, *, variant: str) -> list[dict[str, str]]:
    if variant not in VARIANTS:
        raise ValueError(f"prompt variant must be one of {VARIANTS}, not {variant!r}")
    language = inp.profile.language
    t = templates(language)
    values = _rerank_values(inp)
    labels = candidate_labels(len(inp.candidates))
    k = min(inp.k, len(inp.candidates))
    if variant == "original":
        watched = recent_watched(inp.watched)
        user = _fill(
            t.RERANK_ORIGINAL,
            watched=labelled(watched, watched_labels(len(watched))),
            candidates=labelled_candidates(inp, inp.candidates, labels),
            k=k,
            **values,
        )
    else:
        candidates = labelled_candidates(inp, inp.candidates, labels)
        user = _fill(t.RERANK_OPTIMIZED, candidates=candidates, k=k, **values)
    return _messages(language, user)


def verbalizer_messages(inp: RerankInput, labels: Sequence[str]) -> tuple[list[dict], str]:
    """Messages and the answer prefix after which the next token is a candidate's letter."""
    t = templates(inp.profile.language)
    candidates = labelled_candidates(inp, inp.candidates, labels)
    user = _fill(t.VERBALIZER, candidates=candidates, **_rerank_values(inp))
    return _messages(inp.profile.language, user), t.VERBALIZER_PREFIX


def reasons_messages(
    inp: RerankInput, chosen: Sequence[CandidateBrief], labels: Sequence[str]
) -> list[dict]:
    t = templates(inp.profile.language)
    user = _fill(
        t.REASONS, candidates=labelled_candidates(inp, chosen, labels), **_rerank_values(inp)
    )
    return _messages(inp.profile.language, user)


def chat_messages(
    *,
    profile,
    persona_summary: str,
    text: str,
    chat_summary: str = "",
    chat_turns: Sequence[ChatTurn] = (),
) -> list[dict[str, str]]:
    language = profile.language
    t = templates(language)
    user = _fill(
        t.CHAT_TURN,
        profile=profile_line(profile, language),
        persona=clean_user_text(persona_summary, limit=600) or t.NO_PERSONA,
        context=context_block(language, chat_summary=chat_summary, chat_turns=chat_turns),
        text=clean_user_text(text),
    )
    return _messages(language, user)


def taste_messages(
    text: str, *, genres: Sequence[str], languages: Sequence[str], language: str
) -> list[dict[str, str]]:
    """The taste request parser's question: `text` (the user's message, already cleaned by
    `taste.text.clean`) is the user turn; the system turn lists the catalogue's genres and
    original languages, the values the answer may use."""
    system = _fill(
        templates(language).TASTE_SYSTEM, genres=", ".join(genres), languages=", ".join(languages)
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": text}]


def repair_messages(
    original: list[dict[str, str]],
    bad_output: str,
    *,
    problem: str,
    schema_text: str,
    language: str,
) -> list[dict[str, str]]:
    """The first conversation plus the bad answer and a request for the corrected JSON only."""
    user = _fill(
        templates(language).REPAIR,
        problem=problem[:300],
        bad=clean_user_text(bad_output, limit=1500),
        schema=schema_text,
    )
    return [*original, {"role": "user", "content": user}]
