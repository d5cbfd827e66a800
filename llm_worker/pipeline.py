"""Persona and re-ranking over any backend, with validation and the grounded fallback.

Promises (the contract in docs/architecture.md):
- `persona_build` and `rerank` never raise for LLM failures (unreachable server, timeout, load
  error, unparseable answer after one repair, answer in the wrong language): they return the
  grounded result with `degraded_reason` set ("code: detail", the codes in
  `contracts.Degraded`) and log a warning.
- Every `RankedItem.movie_id` is one of `RerankInput.candidates`: the model only ever names labels,
  and labels are mapped back through the candidate list.
- `stats` records prompt tokens, completion tokens, seconds, time to first token, whether the first
  answer parsed, and the counts of dropped/duplicate/wrong-language entries.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from llm_worker.backends.base import LLMBackend, LLMTimeout, LLMUnavailable
from llm_worker.backends.grounded import (
    grounded_persona,
    grounded_reason,
    grounded_rerank,
    position_fit,
)
from llm_worker.contracts import (
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
from llm_worker.parsing import (
    PERSONA_SCHEMA_TEXT,
    RERANK_SCHEMA_TEXT,
    ParseError,
    chat_schema,
    extract_json,
    in_language,
    parse_persona,
    parse_rerank,
    persona_schema,
    plain_text,
    repetitive,
    rerank_schema,
)
from llm_worker.prompts import (
    VERSIONS,
    candidate_labels,
    chat_messages,
    persona_messages,
    reasons_messages,
    recent_watched,
    repair_messages,
    rerank_messages,
    template_text,
    watched_labels,
)
from llm_worker.verbalizer import verbalizer_rank

log = logging.getLogger(__name__)

MAX_NEW_TOKENS = {"persona": 320, "original": 1200, "optimized": 400, "reasons": 300, "chat": 160}


@dataclass
class _Asked:
    parsed: object | None
    attempts: int
    stats: dict
    failure: str = ""  # a `degraded` reason: "code: detail"


def _ask(
    backend: LLMBackend,
    messages: list[dict],
    *,
    schema: dict,
    schema_text: str,
    parse: Callable[[str], object],
    language: str,
    max_new_tokens: int,
) -> _Asked:
    """Generate, parse; on a parse failure one repair attempt. Never raises LLM errors."""
    stats: dict = {"prompt_tokens": 0, "completion_tokens": 0, "seconds": 0.0, "ttft": None}
    text, problem, wrong_language = "", "", False
    for attempt in (1, 2):
        if attempt == 2:
            messages = repair_messages(
                messages, text, problem=problem, schema_text=schema_text, language=language
            )
        try:
            gen = backend.generate(
                messages,
                max_new_tokens=max_new_tokens,
                json_schema=schema,
                avoid=template_text(language),
            )
        except LLMTimeout as exc:
            return _Asked(None, attempt, stats, degraded(Degraded.TIMEOUT, str(exc)))
        except LLMUnavailable as exc:
            return _Asked(None, attempt, stats, degraded(Degraded.LLM_UNAVAILABLE, str(exc)))
        stats["decoding"] = "constrained" if gen.extra.get("constrained") else "free"
        stats["prompt_tokens"] += gen.prompt_tokens
        stats["completion_tokens"] += gen.completion_tokens
        stats["seconds"] += gen.seconds
        if stats["ttft"] is None:
            stats["ttft"] = gen.ttft
        text = gen.text
        try:
            parsed = parse(text)
        except ParseError as exc:
            problem, wrong_language = str(exc), exc.wrong_language
            stats[f"attempt{attempt}_error"] = problem
            continue
        stats["first_try_ok"] = attempt == 1
        return _Asked(parsed, attempt, stats)
    stats["first_try_ok"] = False
    code = Degraded.WRONG_LANGUAGE if wrong_language else Degraded.UNPARSEABLE
    return _Asked(None, 2, stats, degraded(code, f"after one repair: {problem}"))


def persona_build(
    backend: LLMBackend,
    inp: PersonaInput,
    *,
    variant: str = "optimized",
    max_new_tokens: int | None = None,
) -> PersonaResult:
    """The user's persona from the model, or the grounded persona when it cannot give one.
    (One persona template serves both variants; `variant` is accepted for symmetry.)"""
    if not backend.generates_text or not inp.watched:
        return grounded_persona(inp)
    language = inp.profile.language
    watched = recent_watched(inp.watched)
    labels = dict(zip(watched_labels(len(watched)), watched, strict=True))
    messages = persona_messages(inp)
    prompt = _prompt_text(messages)
    asked = _ask(
        backend,
        messages,
        schema=persona_schema(list(labels), language=language),
        schema_text=PERSONA_SCHEMA_TEXT,
        parse=lambda text: parse_persona(
            text, labels=set(labels), language=language, prompt=prompt
        ),
        language=language,
        max_new_tokens=max_new_tokens or MAX_NEW_TOKENS["persona"],
    )
    if asked.parsed is None:
        log.warning("persona fell back to grounded: %s", asked.failure)
        result = grounded_persona(inp, degraded_reason=asked.failure)
        result.parse_attempts, result.stats = asked.attempts, asked.stats
        return result
    parsed = asked.parsed
    grounded = grounded_persona(inp)
    reasons = [
        Reason(text=text, movie_ids=tuple(labels[label].movie_id for label in cited))
        for text, cited in parsed.reasons
    ]
    asked.stats.update(
        dropped=parsed.dropped,
        copied=parsed.copied,
        repetitive=parsed.repetitive,
        not_prose=parsed.not_prose,
    )
    # A model that gives no reason (or no liked trait) of its own gets the counted ones, and
    # the persona says so: the page is never empty and never passes them off as the model's.
    filled = [
        what for what, own in (("reasons", reasons), ("liked traits", parsed.liked)) if not own
    ]
    note = ""
    if filled:
        note = degraded(Degraded.MISSING_REASONS, f"persona {' and '.join(filled)} counted")
    return PersonaResult(
        summary=parsed.summary,
        liked_traits=parsed.liked or grounded.liked_traits,
        disliked_traits=parsed.disliked,
        reasons=reasons or grounded.reasons,
        degraded_reason=note,
        engine=backend.engine,
        prompt_version=VERSIONS["persona"],
        parse_attempts=asked.attempts,
        stats=asked.stats,
    )


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
    method="generate": the model writes the ranked list as JSON ("original" or "optimized").
    method="verbalizer": one forward pass ranks all candidates by label logits, then short
    reasons are generated for the top k only (reasons="grounded" skips that generation)."""
    if method not in ("generate", "verbalizer"):
        raise ValueError(f"method must be 'generate' or 'verbalizer', not {method!r}")
    if not inp.candidates or inp.k <= 0:
        return RerankResult(items=[], engine="grounded", prompt_version="", parse_attempts=0)
    if not backend.generates_text:
        return grounded_rerank(inp)
    if method == "verbalizer":
        if getattr(backend, "supports_logits", False):
            return _rerank_verbalizer(backend, inp, reasons=reasons, max_new_tokens=max_new_tokens)
        log.info("the %s backend has no logits; ranking by generation instead", backend.name)
    return _rerank_generate(backend, inp, variant=variant, max_new_tokens=max_new_tokens)


def _rerank_generate(
    backend: LLMBackend, inp: RerankInput, *, variant: str, max_new_tokens: int | None
) -> RerankResult:
    language = inp.profile.language
    labels = dict(zip(candidate_labels(len(inp.candidates)), inp.candidates, strict=True))
    k = min(inp.k, len(inp.candidates))
    messages = rerank_messages(inp, variant=variant)
    prompt = _prompt_text(messages)
    asked = _ask(
        backend,
        messages,
        schema=rerank_schema(list(labels), k=k, language=language, variant=variant),
        schema_text=RERANK_SCHEMA_TEXT,
        parse=lambda text: parse_rerank(
            text, labels=set(labels), language=language, k=k, prompt=prompt
        ),
        language=language,
        max_new_tokens=max_new_tokens or MAX_NEW_TOKENS[variant],
    )
    asked.stats.update(method="generate", variant=variant)
    if asked.parsed is None:
        log.warning("re-rank fell back to grounded: %s", asked.failure)
        result = grounded_rerank(inp, degraded_reason=asked.failure)
        result.parse_attempts, result.stats = asked.attempts, asked.stats
        return result
    parsed = asked.parsed
    items = []
    for i, item in enumerate(parsed.items):
        candidate = labels[item.label]
        items.append(
            RankedItem(
                movie_id=candidate.movie_id,
                fit_score=item.fit if item.fit is not None else position_fit(i),
                reason=item.reason or grounded_reason(candidate, inp.watched, language),
                engine=backend.engine,
            )
        )
    _fill_from_recommender(items, inp, k)
    filled = sum(1 for it in items if it.engine == "grounded")
    asked.stats.update(
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
        notes.append(degraded(Degraded.PARTIAL_RANKING, f"{filled} of {k} from the recommender"))
    return RerankResult(
        items=items,
        engine=backend.engine,
        prompt_version=VERSIONS[f"rerank-{variant}"],
        dropped=parsed.dropped,
        degraded_reason=degraded_join(*notes),
        parse_attempts=asked.attempts,
        stats=asked.stats,
    )


def _prompt_text(messages: list[dict[str, str]]) -> str:
    return "\n".join(m["content"] for m in messages)


def _language_note(wrong: int, language: str) -> str:
    if not wrong:
        return ""
    name = "Korean" if language == "ko" else "English"
    return degraded(
        Degraded.WRONG_LANGUAGE, f"{wrong} reason(s) not in {name} were replaced by grounded ones"
    )


def _fill_from_recommender(items: list[RankedItem], inp: RerankInput, k: int) -> None:
    """When the model named fewer than k valid candidates, the recommender's next best follow,
    with grounded reasons and engine="grounded" so the page can say who chose them."""
    chosen = {it.movie_id for it in items}
    for candidate in inp.candidates:
        if len(items) >= k:
            return
        if candidate.movie_id not in chosen:
            items.append(
                RankedItem(
                    movie_id=candidate.movie_id,
                    fit_score=position_fit(len(items)),
                    reason=grounded_reason(candidate, inp.watched, inp.profile.language),
                    engine="grounded",
                )
            )


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
        return grounded_rerank(inp, degraded_reason=degraded(Degraded.VERBALIZER_FAILED, detail))
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
    written: dict[int, tuple[int | None, str]] = {}
    attempts, dropped, wrong = 0, 0, 0
    if reasons == "llm":
        labels = dict(zip(candidate_labels(len(top)), top, strict=True))
        asked = _ask(
            backend,
            reasons_messages(inp, top, list(labels)),
            schema=rerank_schema(list(labels), k=k, language=language, variant="optimized"),
            schema_text=RERANK_SCHEMA_TEXT,
            parse=lambda text: parse_rerank(text, labels=set(labels), language=language, k=k),
            language=language,
            max_new_tokens=max_new_tokens or MAX_NEW_TOKENS["reasons"],
        )
        attempts = asked.attempts
        for key in ("prompt_tokens", "completion_tokens", "seconds"):
            stats[key] += asked.stats[key]
        stats["first_try_ok"] = asked.stats.get("first_try_ok", False)
        if asked.parsed is not None:
            dropped, wrong = asked.parsed.dropped, asked.parsed.wrong_language
            for item in asked.parsed.items:
                written[labels[item.label].movie_id] = (item.fit, item.reason)
        else:
            stats["reasons_failure"] = asked.failure
    items = []
    for candidate in top:
        logprob = ranking.logprobs.get(candidate.movie_id)
        # Fit from the label probability relative to the best one: 10 for the favourite.
        fit = 1 if logprob is None else max(1, min(10, round(1 + 9 * math.exp(logprob - best))))
        reason = written.get(candidate.movie_id, (None, ""))[1]
        items.append(
            RankedItem(
                movie_id=candidate.movie_id,
                fit_score=fit,
                reason=reason or grounded_reason(candidate, inp.watched, language),
                engine=backend.engine,
            )
        )
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
    """The assistant's short answer to one chat turn. The grounded engine (and any failure)
    acknowledges the request and passes the user's own words on as the request."""
    language = profile.language
    request = plain_text(text, limit=300)
    fallback = (
        "요청을 반영해 추천을 다시 골랐어요."
        if language == "ko"
        else "I updated your picks for that."
    )
    if not backend.generates_text:
        return ChatReply(fallback, request, "grounded")

    def parse(answer: str):
        data = extract_json(answer)
        reply = plain_text(data.get("reply"), limit=600)
        if not reply:
            raise ParseError('the "reply" field is missing or empty')
        if repetitive(reply):
            raise ParseError('the "reply" repeats the same words over and over')
        if not in_language(reply, language):
            raise ParseError("the reply is not in the user's language", wrong_language=True)
        restated = plain_text(data.get("request"), limit=300)
        return reply, "" if repetitive(restated) else restated  # then the user's own words

    started = time.perf_counter()
    asked = _ask(
        backend,
        chat_messages(
            profile=profile,
            persona_summary=persona_summary,
            text=text,
            chat_summary=chat_summary,
            chat_turns=chat_turns,
        ),
        schema=chat_schema(language=language),
        schema_text='{"reply": str, "request": str}',
        parse=parse,
        language=language,
        max_new_tokens=MAX_NEW_TOKENS["chat"],
    )
    asked.stats["wall_seconds"] = time.perf_counter() - started
    if asked.parsed is None:
        return ChatReply(fallback, request, "grounded", asked.failure, asked.stats)
    reply, restated = asked.parsed
    return ChatReply(reply, restated or request, backend.engine, "", asked.stats)
