"""Plain data passed between the Django layer and the LLM layer (no Django imports).

The Django services turn database rows into these inputs, call `llm_worker.pipeline`, and
store the results. Nothing about a movie reaches a prompt except `MovieBrief.description`,
which comes from `movies.describe.movie_descriptions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MovieBrief:
    movie_id: int  # catalogue primary key
    title: str
    year: int | None
    description: str  # the catalogue's compact description text, in the prompt language


@dataclass(frozen=True)
class CandidateBrief(MovieBrief):
    score: float = 0.0  # recommender score
    engine: str = ""  # which model proposed it
    because_movie_ids: tuple[int, ...] = ()  # user's movies nearest to it (evidence)


@dataclass(frozen=True)
class ChatTurn:
    role: str  # "user" | "assistant"
    content: str


@dataclass(frozen=True)
class UserProfile:
    language: str  # "ko" | "en"
    age: int | None = None
    gender: str = ""  # "F", "M", "O", "X" or ""
    occupation: str = ""


@dataclass(frozen=True)
class PersonaInput:
    profile: UserProfile
    watched: tuple[MovieBrief, ...]
    correction: str = ""  # the user's own correction of an earlier persona


@dataclass(frozen=True)
class Reason:
    text: str
    movie_ids: tuple[int, ...] = ()  # the user's own movies it cites


@dataclass
class PersonaResult:
    summary: str
    liked_traits: list[str]
    disliked_traits: list[str]
    reasons: list[Reason]
    engine: str  # "llm:transformers", "llm:openai", "grounded"
    prompt_version: str = ""
    degraded_reason: str = ""  # set when the LLM failed and the grounded fallback answered
    parse_attempts: int = 1
    stats: dict = field(default_factory=dict)  # prompt tokens, seconds, dropped labels, ...


@dataclass(frozen=True)
class RerankInput:
    profile: UserProfile
    persona_summary: str
    watched: tuple[MovieBrief, ...]
    candidates: tuple[CandidateBrief, ...]
    k: int
    chat_summary: str = ""
    chat_turns: tuple[ChatTurn, ...] = ()
    taste_text: str = ""  # the latest free-text request, delimited as data in the prompt


@dataclass
class RankedItem:
    movie_id: int  # always one of RerankInput.candidates
    fit_score: int  # 1..10
    reason: str
    engine: str = ""  # who ordered/explained this item: "llm:…" or "grounded" (filled from the
    # recommender order when the LLM named fewer than k valid candidates)


@dataclass
class RerankResult:
    items: list[RankedItem]
    engine: str
    prompt_version: str = ""
    dropped: int = 0  # labels/ids named by the LLM outside the candidates
    degraded_reason: str = ""
    parse_attempts: int = 1
    stats: dict = field(default_factory=dict)  # prompt tokens, seconds, ...
