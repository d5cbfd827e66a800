"""Persona, re-ranking and chat answers over any backend, with validation and the grounded
fallback.

Promises (the contract in docs/architecture.md):
- The pipeline asks "the backend" (`LLMBackend.ask`, the same call for a language model and for
  the grounded backend) and, when it fails, asks the grounded backend the same question; it
  never looks at which backend it holds.
- `persona_build` and `rerank` never raise for LLM failures (unreachable server, timeout, load
  error, unparseable answer after one repair, answer in the wrong language): they return the
  grounded result with `degraded_reason` set ("code: detail", the codes in
  `contracts.Degraded`) and log a warning. `persona_fallback` and `rerank_fallback` give that
  result directly, for a caller that ran out of time before asking.
- Every `RankedItem.movie_id` is one of `RerankInput.candidates`: a backend only ever names
  labels, and labels are mapped back through the candidate list.
- `stats` records prompt tokens, completion tokens, seconds, time to first token, whether the first
  answer parsed, and the counts of dropped/duplicate/wrong-language entries.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from llm_worker.asks import (
    ChatAsk,
    chat_task,
    persona_task,
    reasons_task,
    rerank_task,
)
from llm_worker.backends.base import Answer, LLMBackend, LLMUnavailable, Task
from llm_worker.backends.grounded import GroundedBackend, position_fit
from llm_worker.contracts import (
    CandidateBrief,
    ChatTurn,
    Degraded,
    PersonaInput,
    PersonaResult,
    RankedItem,
    Reason,
    RerankInput,
    RerankResult,
    UserProfile,
    degraded,
    degraded_join,
)
from llm_worker.parsing import LANGUAGE_NAMES, plain_text
from llm_worker.prompts import VERSIONS
from llm_worker.verbalizer import verbalizer_rank

log = logging.getLogger(__name__)

GROUNDED = GroundedBackend()


# -- personas ------------------------------------------------------------------------------------
def persona_build(
    backend: LLMBackend,
    inp: PersonaInput,
    *,
    variant: str = "optimized",
    max_new_tokens: int | None = None,
) -> PersonaResult:
    """The user's persona from the backend, or the grounded persona when it cannot give one.
    (One persona template serves both variants; `variant` is accepted for symmetry.)"""
    if not inp.watched:
        backend = GROUNDED  # nothing for a model to read: the honest empty persona
    task = persona_task(inp, max_new_tokens=max_new_tokens)
    answer = backend.ask(task)
    if answer.parsed is None:
        log.warning("persona fell back to grounded: %s", answer.failure)
        result = persona_fallback(inp, degraded_reason=answer.failure)
        result.parse_attempts, result.stats = answer.attempts, answer.stats
        return result
    return _persona_result(backend, task, answer)


def persona_fallback(inp: PersonaInput, *, degraded_reason: str) -> PersonaResult:
    """The grounded persona, `degraded_reason` saying why no model wrote it."""
    task = persona_task(inp)
    result = _persona_result(GROUNDED, task, GROUNDED.ask(task))
    result.degraded_reason = degraded_reason
    return result


def _persona_reasons(parsed, labels: dict) -> list[Reason]:
    return [
        Reason(text=text, movie_ids=tuple(labels[label].movie_id for label in cited))
        for text, cited in parsed.reasons
    ]


def _persona_result(backend: LLMBackend, task: Task, answer: Answer) -> PersonaResult:
    parsed = answer.parsed
    reasons, liked = _persona_reasons(parsed, task.labels), list(parsed.liked)
    # A backend that gives no reason (or no liked trait) of its own gets the counted ones, and
    # the persona says so: the page is never empty and never passes them off as the backend's.
    filled = []
    if not reasons or not liked:
        counted = GROUNDED.ask(task).parsed
        if not reasons and counted.reasons:
            reasons, filled = _persona_reasons(counted, task.labels), ["reasons"]
        if not liked and counted.liked:
            liked, filled = list(counted.liked), [*filled, "liked traits"]
    note = ""
    if filled:
        note = degraded(Degraded.MISSING_REASONS, f"persona {' and '.join(filled)} counted")
    return PersonaResult(
        summary=parsed.summary,
        liked_traits=liked,
        disliked_traits=list(parsed.disliked),
        reasons=reasons,
        degraded_reason=note,
        engine=backend.engine,
        prompt_version=answer.version,
        parse_attempts=answer.attempts,
        stats=answer.stats
        | {
            "dropped": parsed.dropped,
            "copied": parsed.copied,
            "repetitive": parsed.repetitive,
            "not_prose": parsed.not_prose,
        },
    )


# -- ranked lists --------------------------------------------------------------------------------
def rerank(
    backend: LLMBackend,
    inp: RerankInput,
    *,
    variant: str = "optimized",
    method: str = "generate",
    reasons: str = "llm",
    max_new_tokens: int | None = None,
) -> RerankResult:
    """Top `inp.k` candidates, best first, each with a fit score and a reason.
    method="generate": the backend answers with the ranked list ("original" or "optimized"
    prompt for a model). method="verbalizer": one forward pass ranks all candidates by label
    logits, then short reasons are asked for the top k only (reasons="grounded" takes the
    grounded backend's). A backend without logits is asked for the ranked list instead."""
    if method not in ("generate", "verbalizer"):
        raise ValueError(f"method must be 'generate' or 'verbalizer', not {method!r}")
    if not inp.candidates or inp.k <= 0:
        return RerankResult(items=[], engine="grounded", prompt_version="", parse_attempts=0)
    if method == "verbalizer":
        if backend.supports_logits:
            return _rerank_verbalizer(backend, inp, reasons=reasons, max_new_tokens=max_new_tokens)
        log.info("the %s backend has no logits; asking it for the ranked list", backend.name)
    return _rerank_generate(backend, inp, variant=variant, max_new_tokens=max_new_tokens)


def rerank_fallback(inp: RerankInput, *, degraded_reason: str) -> RerankResult:
    """The recommender's order with grounded reasons, `degraded_reason` saying why no model
    ranked it."""
    result = _rerank_generate(GROUNDED, inp, variant="optimized", max_new_tokens=None)
    result.degraded_reason = degraded_join(degraded_reason, result.degraded_reason)
    return result


def grounded_reasons(inp: RerankInput, chosen: list[CandidateBrief]) -> list[str]:
    """The grounded backend's reasons for `chosen`, in that order (frames rotate along it)."""
    if not chosen:
        return []
    answer = GROUNDED.ask(reasons_task(inp, chosen))
    return [item.reason for item in answer.parsed.items]


def _rerank_generate(
    backend: LLMBackend, inp: RerankInput, *, variant: str, max_new_tokens: int | None
) -> RerankResult:
    language = inp.profile.language
    task = rerank_task(inp, variant=variant, max_new_tokens=max_new_tokens)
    answer = backend.ask(task)
    answer.stats.update(method="generate", variant=variant)
    if answer.parsed is None:
        log.warning("re-rank fell back to grounded: %s", answer.failure)
        result = rerank_fallback(inp, degraded_reason=answer.failure)
        result.parse_attempts, result.stats = answer.attempts, answer.stats
        return result
    parsed = answer.parsed
    items = [
        RankedItem(
            movie_id=task.labels[item.label].movie_id,
            fit_score=item.fit if item.fit is not None else position_fit(i),
            reason=item.reason,
            engine=backend.engine,
        )
        for i, item in enumerate(parsed.items)
    ]
    _fill_from_recommender(items, inp, task.k)
    _fill_reasons(items, inp)
    filled = sum(1 for it in items if it.engine != backend.engine)
    answer.stats.update(
        duplicates=parsed.duplicates,
        wrong_language=parsed.wrong_language,
        missing_reasons=parsed.missing_reasons,
        repetitive=parsed.repetitive,
        not_prose=parsed.not_prose,
        filled_from_recommender=filled,
    )
    notes = [_language_note(parsed.wrong_language, language)]
    if parsed.missing_reasons:
        notes.append(
            degraded(
                Degraded.MISSING_REASONS,
                f"{parsed.missing_reasons} reason(s) missing, copied, repetitive or no sentence",
            )
        )
    if filled:
        notes.append(
            degraded(Degraded.PARTIAL_RANKING, f"{filled} of {task.k} from the recommender")
        )
    return RerankResult(
        items=items,
        engine=backend.engine,
        prompt_version=answer.version,
        dropped=parsed.dropped,
        degraded_reason=degraded_join(*notes),
        parse_attempts=answer.attempts,
        stats=answer.stats,
    )


def _language_note(wrong: int, language: str) -> str:
    if not wrong:
        return ""
    name = LANGUAGE_NAMES.get(language, language)
    return degraded(
        Degraded.WRONG_LANGUAGE, f"{wrong} reason(s) not in {name} were replaced by grounded ones"
    )


def _fill_from_recommender(items: list[RankedItem], inp: RerankInput, k: int) -> None:
    """When the backend named fewer than k valid candidates, the recommender's next best
    follow, engine="grounded" so the page can say who chose them (reasons: `_fill_reasons`)."""
    chosen = {it.movie_id for it in items}
    for candidate in inp.candidates:
        if len(items) >= k:
            return
        if candidate.movie_id not in chosen:
            items.append(
                RankedItem(
                    movie_id=candidate.movie_id,
                    fit_score=position_fit(len(items)),
                    reason="",
                    engine=GROUNDED.engine,
                )
            )


def _fill_reasons(items: list[RankedItem], inp: RerankInput) -> None:
    """Every item without a reason gets the grounded one written for its place in the list."""
    if all(it.reason for it in items):
        return
    by_id = {c.movie_id: c for c in inp.candidates}
    texts = grounded_reasons(inp, [by_id[it.movie_id] for it in items])
    for item, text in zip(items, texts, strict=True):
        item.reason = item.reason or text


def _rerank_verbalizer(
    backend: LLMBackend, inp: RerankInput, *, reasons: str, max_new_tokens: int | None
) -> RerankResult:
    language = inp.profile.language
    k = min(inp.k, len(inp.candidates))
    try:
        ranking = verbalizer_rank(backend, inp)
    except (LLMUnavailable, ValueError, RuntimeError) as exc:
        log.warning("verbalizer ranking failed, falling back to grounded: %s", exc)
        detail = f"{type(exc).__name__}: {exc}"
        return rerank_fallback(inp, degraded_reason=degraded(Degraded.VERBALIZER_FAILED, detail))
    top = ranking.order[:k]
    best = max(ranking.logprobs.values()) if ranking.logprobs else 0.0
    stats: dict = {
        "method": "verbalizer",
        "rank_seconds": ranking.seconds,
        "rank_prompt_tokens": ranking.prompt_tokens,
        "seconds": ranking.seconds,
        "prompt_tokens": ranking.prompt_tokens,
        "completion_tokens": 0,
        "ttft": ranking.seconds,
    }
    written: dict[int, str] = {}
    attempts, dropped, wrong = 0, 0, 0
    if reasons == "llm":
        task = reasons_task(inp, top, max_new_tokens=max_new_tokens)
        answer = backend.ask(task)
        attempts = answer.attempts
        for key in ("prompt_tokens", "completion_tokens", "seconds"):
            stats[key] += answer.stats.get(key, 0)
        stats["first_try_ok"] = answer.stats.get("first_try_ok", False)
        if answer.parsed is not None:
            dropped, wrong = answer.parsed.dropped, answer.parsed.wrong_language
            for item in answer.parsed.items:
                written[task.labels[item.label].movie_id] = item.reason
        else:
            stats["reasons_failure"] = answer.failure
    items = []
    for candidate in top:
        logprob = ranking.logprobs.get(candidate.movie_id)
        # Fit from the label probability relative to the best one: 10 for the favourite.
        fit = 1 if logprob is None else max(1, min(10, round(1 + 9 * math.exp(logprob - best))))
        items.append(
            RankedItem(
                movie_id=candidate.movie_id,
                fit_score=fit,
                reason=written.get(candidate.movie_id, ""),
                engine=backend.engine,
            )
        )
    _fill_reasons(items, inp)
    stats["wrong_language"] = wrong
    return RerankResult(
        items=items,
        engine=backend.engine,
        prompt_version=VERSIONS["verbalizer"],
        dropped=dropped,
        # Reasons the model could not write are grounded ones: the page says so.
        degraded_reason=degraded_join(
            stats.get("reasons_failure", ""), _language_note(wrong, language)
        ),
        parse_attempts=attempts,
        stats=stats,
    )


# -- chat ----------------------------------------------------------------------------------------
@dataclass
class ChatReply:
    reply: str
    request: str  # the user's wish restated in one line (fed to retrieval and re-ranking)
    engine: str
    degraded_reason: str = ""
    stats: dict | None = None


def chat_reply(
    backend: LLMBackend,
    *,
    profile: UserProfile,
    persona_summary: str,
    text: str,
    chat_summary: str = "",
    chat_turns: tuple[ChatTurn, ...] = (),
) -> ChatReply:
    """The assistant's short answer to one chat turn. The grounded backend (and any failure)
    acknowledges the request and passes the user's own words on as the request."""
    started = time.perf_counter()
    task = chat_task(
        ChatAsk(
            profile=profile,
            persona_summary=persona_summary,
            text=text,
            chat_summary=chat_summary,
            chat_turns=chat_turns,
        )
    )
    answer = backend.ask(task)
    answer.stats["wall_seconds"] = time.perf_counter() - started
    engine = backend.engine
    if answer.parsed is None:
        answer.parsed, engine = GROUNDED.ask(task).parsed, GROUNDED.engine
    reply, restated = answer.parsed
    request = restated or plain_text(text, limit=300)
    return ChatReply(reply, request, engine, answer.failure, answer.stats)
