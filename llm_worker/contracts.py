"""Plain data passed between the Django layer and the LLM layer (no Django imports).

The Django services turn database rows into these inputs, call `llm_worker.pipeline`, and
store the results. A movie reaches a prompt as `MovieBrief.description` (from
`movies.describe.movie_description`) and its evidence; the grounded engine reasons from
`MovieBrief.facts`, the same catalogue facts the description was written from. Every field added
after the first release has a safe default, so an older caller still works (with less evidence).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from movies.describe import MovieFacts  # the facts a brief carries (plain data, no Django)


@dataclass(frozen=True)
class MovieBrief:
    movie_id: int  # catalogue primary key
    title: str
    year: int | None
    description: str  # the catalogue's compact description text, in the prompt language
    # The catalogue facts the description was written from (`movies.describe.movie_facts`).
    # None: only title and year are known, and the grounded engine says no more than that.
    facts: MovieFacts | None = field(default=None, kw_only=True)
    # For the user's own movies: they liked it (a like, or a rating of 4 or more), as opposed
    # to only having watched it. Unused for candidates.
    liked: bool = field(default=False, kw_only=True)

    def known_facts(self) -> MovieFacts:
        return self.facts or MovieFacts(title=self.title, year=self.year)


@dataclass(frozen=True)
class NearMovie:
    """One of the user's movies close to a candidate by the recommender's item similarity."""

    movie_id: int
    title: str = ""  # catalogue title, for the prompt's evidence when it is not in `watched`
    liked: bool = False  # liked (see MovieBrief.liked), not only watched
    similarity: float | None = None  # the recommender's, for ordering and logs; never shown


class Constraint(StrEnum):
    """The kinds of request constraint a candidate can meet (`MetConstraint.kind`)."""

    GENRE = "genre"  # value: catalogue genre name ("Sci-Fi")
    NOT_GENRE = "not_genre"  # value: a genre the user asked to leave out, which it is not
    DIRECTOR = "director"  # value: person name
    CAST = "cast"  # value: person name
    KEYWORD = "keyword"  # value: catalogue keyword
    YEARS = "years"  # low/high: inclusive years, either may be None (1990..1999 = "the 1990s")
    RUNTIME = "runtime"  # low/high: inclusive minutes, either may be None
    LANGUAGE = "language"  # value: ISO 639-1 original-language code ("ko")
    COUNTRY = "country"  # value: production country, catalogue name
    LIKE = "like"  # value: title of the movie the user asked for more like ("": one of them)
    MOOD = "mood"  # value: canonical English mood ("slow-burn")


@dataclass(frozen=True)
class MetConstraint:
    """A constraint of the user's request that the candidate meets, stated by the retrieval
    that checked it ("directed by Christopher Nolan, as you asked")."""

    kind: str  # a `Constraint` value
    value: str = ""
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class CandidateBrief(MovieBrief):
    score: float = 0.0  # recommender score
    engine: str = ""  # which model proposed it
    because_movie_ids: tuple[int, ...] = ()  # user's movies nearest to it (evidence)
    # The same nearest movies with liked/watched, closest first. Either this or
    # `because_movie_ids` may be given; each is filled from the other.
    near: tuple[NearMovie, ...] = field(default=(), kw_only=True)
    met: tuple[MetConstraint, ...] = field(default=(), kw_only=True)  # request constraints met

    def __post_init__(self) -> None:
        if self.near and not self.because_movie_ids:
            object.__setattr__(self, "because_movie_ids", tuple(n.movie_id for n in self.near))
        elif self.because_movie_ids and not self.near:
            near = tuple(NearMovie(movie_id=m) for m in self.because_movie_ids)
            object.__setattr__(self, "near", near)


@dataclass(frozen=True)
class KeywordStats:
    """How common each keyword is in the catalogue (`movies.describe.keyword_frequencies`), so
    that a theme is told by what sets the user's movies apart, not by what every movie has."""

    movies: int = 0  # movies in the catalogue
    document_frequency: Mapping[str, int] = field(default_factory=dict)  # keyword -> movies

    def idf(self, keyword: str) -> float | None:
        """log(movies / movies with the keyword); None when the catalogue size is unknown.
        A keyword the table lacks counts as carried by one movie (rare)."""
        if self.movies <= 0:
            return None
        df = max(1, min(self.movies, self.document_frequency.get(keyword, 1)))
        return math.log(self.movies / df)


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
    keyword_stats: KeywordStats | None = None  # None: themes counted without the catalogue
    # The standing preferences read from the correction (`TasteRequest` as `to_json` writes it):
    # genres, people and keywords it rules out leave the persona's liked traits.
    request: dict | None = None


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
    correction: str = ""  # the user's own standing correction of their persona
    # The request as understood, structured (`TasteRequest` as `to_json` writes it, or any
    # JSON-able dict): shown to the model as data; constraints met are on each candidate.
    request: dict | None = None
    keyword_stats: KeywordStats | None = None  # None: shared themes counted without it


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


# -- why a result did not (wholly) come from the language model ---------------------------------
class Degraded(StrEnum):
    """The stable code that starts every `degraded_reason` ("timeout: no answer from … within
    the read timeout"). The page turns the code into a sentence in the user's language; the
    technical detail after the colon is for the logs and the admin only."""

    TIMEOUT = "timeout"  # no answer in time: the HTTP read timeout or the task's soft limit
    BACKEND_UNAVAILABLE = "backend_unavailable"  # the configured backend could not be built
    LLM_UNAVAILABLE = "llm_unavailable"  # the model failed to answer (refused, 5xx, bad body)
    UNPARSEABLE = "unparseable"  # no usable answer, even after one repair attempt
    WRONG_LANGUAGE = "wrong_language"  # written in the other language (rejected or replaced)
    VERBALIZER_FAILED = "verbalizer_failed"  # the one-pass logit ranking failed
    PARTIAL_RANKING = "partial_ranking"  # the model named too few; the recommender filled in
    MISSING_REASONS = "missing_reasons"  # some reasons were not the model's: grounded ones shown
    TASTE_SEARCH_UNAVAILABLE = "taste_search_unavailable"  # the taste-text index failed
    CHAT_REPLY_FAILED = "chat_reply_failed"  # the chat answer came from the fallback
    LIST_FAILED = "list_failed"  # the list could not be built at all


_CODES = "|".join(code.value for code in Degraded)
# A new reason starts only where a known code follows "; ", so a "; " inside a detail (an
# exception message) does not split it.
_NEXT_REASON = re.compile(rf"; (?=(?:{_CODES})(?::|$))")


def degraded(code: Degraded, detail: str = "") -> str:
    """One reason: "code: detail" (or just "code")."""
    detail = " ".join((detail or "").split())
    return f"{code.value}: {detail}" if detail else code.value


def degraded_code(reason: str) -> Degraded | None:
    """The code one reason starts with; None for text written before codes existed."""
    head = reason.split(":", 1)[0].strip()
    return Degraded(head) if head in Degraded._value2member_map_ else None


def degraded_split(text: str) -> list[str]:
    """The reasons joined in a stored `degraded_reason`, in order."""
    return [part for part in _NEXT_REASON.split(text or "") if part.strip()]


def degraded_codes(text: str) -> list[Degraded]:
    """The known codes of a stored `degraded_reason`, in order, each once. Text that starts with
    no known code (legacy rows) contributes nothing: the page then says something generic."""
    codes = (degraded_code(part) for part in degraded_split(text))
    return list(dict.fromkeys(code for code in codes if code is not None))


def degraded_join(*reasons: str, limit: int | None = None) -> str:
    """Reasons joined with "; ", each once. With `limit`, every reason keeps its code and gets a
    fair share of the characters, so a long exception text never pushes a later code out."""
    parts = list(dict.fromkeys(p for r in reasons for p in degraded_split(r)))
    text = "; ".join(parts)
    if limit is None or len(text) <= limit:
        return text
    budget, left, sizes = limit - 2 * (len(parts) - 1), len(parts), {}
    for i in sorted(range(len(parts)), key=lambda i: len(parts[i])):  # short ones first: their
        sizes[i] = min(len(parts[i]), max(1, budget // left))  # slack goes to the long ones
        budget, left = budget - sizes[i], left - 1
    cut = [p if len(p) <= sizes[i] else p[: sizes[i] - 1] + "…" for i, p in enumerate(parts)]
    return "; ".join(cut)[:limit]
