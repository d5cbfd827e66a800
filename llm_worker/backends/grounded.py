"""The grounded engine: persona and reasons computed from the catalogue, no model.

It is the embedded default and the fallback for every LLM failure, so it must never fail and
never invent: each statement it makes is counted from the user's own movies (genres, decades,
directors, keywords that recur) or from the recommender's evidence (`because_movie_ids`), and it
cites the user's titles by id. Movie facts are read from `MovieBrief.description`, the same
catalogue text the LLM sees; the parser accepts "Label: a, b" segments in English or Korean
("Genres: Drama, Crime. Director: Michael Mann." / "장르: 드라마, 범죄 · 감독: 마이클 만").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from llm_worker.backends.base import Generation, LLMBackend, LLMUnavailable, Message
from llm_worker.contracts import (
    CandidateBrief,
    MovieBrief,
    PersonaInput,
    PersonaResult,
    RankedItem,
    Reason,
    RerankInput,
    RerankResult,
)

ENGINE = "grounded"
PROMPT_VERSION = "grounded-v1"

_FIELDS = {
    "genres": ("genres", "genre", "장르"),
    "directors": ("directors", "director", "directed by", "감독"),
    "keywords": ("keywords", "keyword", "themes", "tags", "키워드", "주제"),
    "cast": ("cast", "starring", "stars", "출연", "배우"),
}
_LABEL_TO_FIELD = {label: name for name, labels in _FIELDS.items() for label in labels}
_SEGMENT = re.compile(r"\n|(?<=[.;])\s+|\s+[|·•]\s+")
_VALUES = re.compile(r"\s*(?:,|\||/|、|;)\s*")


@dataclass(frozen=True)
class Facts:
    genres: tuple[str, ...] = ()
    directors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()


def description_facts(description: str) -> Facts:
    """Genres, directors, keywords and cast named in a catalogue description."""
    found: dict[str, list[str]] = {name: [] for name in _FIELDS}
    for segment in _SEGMENT.split(description or ""):
        label, sep, rest = segment.partition(":")
        name = _LABEL_TO_FIELD.get(label.strip().lower())
        if not sep or name is None:
            continue
        for value in _VALUES.split(rest.strip().rstrip(".")):
            value = value.strip(" .")
            if value and value not in found[name]:
                found[name].append(value)
    return Facts(**{name: tuple(values) for name, values in found.items()})


def _decade(year: int | None) -> int | None:
    return (year // 10) * 10 if year else None


def _titles(movies: Sequence[MovieBrief], language: str, limit: int = 3) -> str:
    chosen = [m.title for m in movies[:limit]]
    if language == "ko":
        return ", ".join(f"「{t}」" for t in chosen)
    return ", ".join(chosen[:-1]) + (" and " if len(chosen) > 1 else "") + chosen[-1]


@dataclass
class _Trait:
    kind: str  # genre | decade | director | keyword
    value: str
    movies: list[MovieBrief]


def taste_traits(watched: Sequence[MovieBrief]) -> list[_Trait]:
    """Recurring genres, decade, directors and keywords among the user's movies, strongest first
    (most recent movies first inside each trait, so reasons cite what the user saw lately)."""
    recent = list(reversed(watched))
    facts = {m.movie_id: description_facts(m.description) for m in recent}
    n = len(recent)
    traits: list[_Trait] = []
    rules = [
        ("genre", lambda m: facts[m.movie_id].genres, max(2, n // 5), 3),
        ("director", lambda m: facts[m.movie_id].directors, 2, 2),
        ("keyword", lambda m: facts[m.movie_id].keywords, max(2, n // 6), 3),
        ("decade", lambda m: (f"{_decade(m.year)}s",) if m.year else (), max(2, int(n * 0.4)), 1),
    ]
    for kind, values_of, minimum, limit in rules:
        counts = Counter(v for m in recent for v in values_of(m))
        for value, count in counts.most_common(limit):
            if count >= minimum:
                movies = [m for m in recent if value in values_of(m)]
                traits.append(_Trait(kind, value, movies))
    return traits


_COMMON_GENRES = ("Horror", "Romance", "Documentary", "Animation", "Western", "Musical", "War")


def _trait_text(trait: _Trait, language: str) -> str:
    if language == "ko":
        return {
            "genre": f"{trait.value} 장르",
            "director": f"{trait.value} 감독의 영화",
            "keyword": f"'{trait.value}' 소재",
            "decade": f"{trait.value} 영화",
        }[trait.kind]
    return {
        "genre": f"{trait.value} films",
        "director": f"films by {trait.value}",
        "keyword": f"stories about {trait.value}",
        "decade": f"films from the {trait.value}",
    }[trait.kind]


def _reason_text(trait: _Trait, language: str) -> str:
    titles = _titles(trait.movies, language)
    count = len(trait.movies)
    if language == "ko":
        return f"{titles} 등 {count}편이 {_trait_text(trait, language)}입니다."
    return f"You watched {titles} — {count} of your movies are {_trait_text(trait, language)}."


CORRECTION_QUOTE_MAX = 200  # characters of the user's correction quoted in the summary


def _correction_quote(text: str) -> str:
    """The correction on one line, bounded (the page escapes it like any text)."""
    text = " ".join((text or "").split())
    if len(text) <= CORRECTION_QUOTE_MAX:
        return text
    return text[: CORRECTION_QUOTE_MAX - 1].rstrip() + "…"


def grounded_persona(inp: PersonaInput, *, degraded_reason: str = "") -> PersonaResult:
    """The persona counted from the user's movies; their latest correction, if any, is quoted
    as the first reason so the page shows it was heard."""
    language = inp.profile.language
    traits = taste_traits(inp.watched)
    liked = [_trait_text(t, language) for t in traits]
    seen_genres = {g for m in inp.watched for g in description_facts(m.description).genres}
    disliked: list[str] = []
    if len(inp.watched) >= 10 and seen_genres:
        missing = [g for g in _COMMON_GENRES if g not in seen_genres][:2]
        disliked = [
            (f"{g} 장르는 거의 보지 않음" if language == "ko" else f"rarely watches {g}")
            for g in missing
        ]
    reasons = [
        Reason(text=_reason_text(t, language), movie_ids=tuple(m.movie_id for m in t.movies[:3]))
        for t in traits[:5]
    ]
    if not inp.watched:
        summary = (
            "아직 본 영화가 없어 취향을 추론할 수 없습니다. 영화를 몇 편 골라 주세요."
            if language == "ko"
            else "No watched movies yet, so there is no taste to infer. Pick a few movies."
        )
    elif not traits:
        summary = (
            f"본 영화 {len(inp.watched)}편의 취향이 다양해서 뚜렷한 공통점이 아직 없습니다."
            if language == "ko"
            else f"Your {len(inp.watched)} movies are varied; no clear pattern stands out yet."
        )
    else:
        top = ", ".join(liked[:3])
        summary = (
            f"본 영화 {len(inp.watched)}편을 보면 {top}을(를) 즐겨 봅니다."
            if language == "ko"
            else f"From your {len(inp.watched)} movies: you favour {top}."
        )
    said = _correction_quote(inp.correction)
    if said:
        # The user's own words, quoted as theirs and first among the reasons: the grounded engine
        # cannot reason about them but must not ignore them. Not in `summary`, which later prompts
        # carry outside the <user_data> block (they get the correction inside it instead).
        text = f"직접 알려 주신 취향: “{said}”" if language == "ko" else f"You told us: “{said}”"
        reasons.insert(0, Reason(text=text))
    return PersonaResult(
        summary=summary,
        liked_traits=liked,
        disliked_traits=disliked,
        reasons=reasons,
        engine=ENGINE,
        prompt_version=PROMPT_VERSION,
        degraded_reason=degraded_reason,
    )


def grounded_reason(candidate: CandidateBrief, watched: Sequence[MovieBrief], language: str) -> str:
    """Why this candidate, from evidence only: "because you watched X", a shared director,
    genres or keywords that recur in the user's movies."""
    by_id = {m.movie_id: m for m in watched}
    because = [by_id[i] for i in candidate.because_movie_ids if i in by_id]
    facts = description_facts(candidate.description)
    parts: list[str] = []
    if because:
        titles = _titles(because, language, limit=2)
        parts.append(
            f"{titles}을(를) 보셨기 때문" if language == "ko" else f"Because you watched {titles}"
        )
    mine = {m.movie_id: description_facts(m.description) for m in watched}
    for director in facts.directors:
        same = [m for m in reversed(watched) if director in mine[m.movie_id].directors]
        if same:
            titles = _titles(same, language, limit=1)
            parts.append(
                f"{titles}의 {director} 감독 작품"
                if language == "ko"
                else f"by {director}, like {titles}"
            )
            break
    counts = Counter(g for f in mine.values() for g in f.genres + f.keywords)
    shared = [v for v in facts.genres + facts.keywords if counts.get(v, 0) >= 2][:3]
    if shared:
        joined = ", ".join(shared)
        parts.append(
            f"즐겨 보는 {joined} 요소" if language == "ko" else f"{joined}, which you watch often"
        )
    if not parts:
        return (
            "비슷한 취향의 시청자들이 높이 평가한 영화입니다."
            if language == "ko"
            else "Rated highly by viewers with tastes like yours."
        )
    if language == "ko":
        return " · ".join(parts) + "으로 추천합니다."
    return "; ".join(parts) + "."


def position_fit(position: int) -> int:
    return max(1, 10 - position)


def grounded_rerank(
    inp: RerankInput, *, degraded_reason: str = "", dropped: int = 0
) -> RerankResult:
    """The recommender's order with grounded reasons (the order is the recommender's evidence)."""
    language = inp.profile.language
    items = [
        RankedItem(
            movie_id=c.movie_id,
            fit_score=position_fit(i),
            reason=grounded_reason(c, inp.watched, language),
            engine=ENGINE,
        )
        for i, c in enumerate(inp.candidates[: max(0, inp.k)])
    ]
    return RerankResult(
        items=items,
        engine=ENGINE,
        prompt_version=PROMPT_VERSION,
        dropped=dropped,
        degraded_reason=degraded_reason,
        parse_attempts=0,
    )


class GroundedBackend(LLMBackend):
    """No language model: the pipeline asks `generates_text` and uses the functions above."""

    name = "grounded"
    engine = ENGINE
    generates_text = False

    def __init__(self, **_ignored):
        pass

    def generate(self, messages: list[Message], **kwargs) -> Generation:
        raise LLMUnavailable("the grounded backend has no language model to generate text")
