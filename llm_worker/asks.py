"""The questions the pipeline asks a backend (no Django imports).

Each builder couples the structured input (what the grounded backend reads) with the prompt,
JSON schema and parser a language model needs, in one `Task`; `LLMBackend.ask` answers it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from llm_worker.backends.base import Task
from llm_worker.contracts import CandidateBrief, ChatTurn, PersonaInput, RerankInput, UserProfile
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
    rerank_messages,
    watched_labels,
)

MAX_NEW_TOKENS = {"persona": 320, "original": 1200, "optimized": 400, "reasons": 300, "chat": 160}


def prompt_text(messages: list[dict[str, str]]) -> str:
    return "\n".join(m["content"] for m in messages)


def persona_task(inp: PersonaInput, *, max_new_tokens: int | None = None) -> Task:
    language = inp.profile.language
    watched = recent_watched(inp.watched)
    labels = dict(zip(watched_labels(len(watched)), watched, strict=True))
    messages = persona_messages(inp)
    prompt = prompt_text(messages)
    return Task(
        kind="persona",
        inp=inp,
        language=language,
        messages=messages,
        schema=persona_schema(list(labels), language=language),
        schema_text=PERSONA_SCHEMA_TEXT,
        parse=lambda text: parse_persona(
            text, labels=set(labels), language=language, prompt=prompt
        ),
        max_new_tokens=max_new_tokens or MAX_NEW_TOKENS["persona"],
        version=VERSIONS["persona"],
        labels=labels,
    )


def rerank_task(inp: RerankInput, *, variant: str, max_new_tokens: int | None = None) -> Task:
    language = inp.profile.language
    labels = dict(zip(candidate_labels(len(inp.candidates)), inp.candidates, strict=True))
    k = min(inp.k, len(inp.candidates))
    messages = rerank_messages(inp, variant=variant)
    prompt = prompt_text(messages)
    return Task(
        kind="rerank",
        inp=inp,
        language=language,
        messages=messages,
        schema=rerank_schema(list(labels), k=k, language=language, variant=variant),
        schema_text=RERANK_SCHEMA_TEXT,
        parse=lambda text: parse_rerank(
            text, labels=set(labels), language=language, k=k, prompt=prompt
        ),
        max_new_tokens=max_new_tokens or MAX_NEW_TOKENS[variant],
        version=VERSIONS[f"rerank-{variant}"],
        labels=labels,
        k=k,
    )


def reasons_task(
    inp: RerankInput, chosen: Sequence[CandidateBrief], *, max_new_tokens: int | None = None
) -> Task:
    """Reasons for movies already chosen, in their order (the verbalizer's second step, and
    the grounded reasons that fill a model's gaps)."""
    language = inp.profile.language
    labels = dict(zip(candidate_labels(len(chosen)), chosen, strict=True))
    k = len(chosen)
    return Task(
        kind="reasons",
        inp=inp,
        language=language,
        messages=reasons_messages(inp, chosen, list(labels)),
        schema=rerank_schema(list(labels), k=k, language=language, variant="optimized"),
        schema_text=RERANK_SCHEMA_TEXT,
        parse=lambda text: parse_rerank(text, labels=set(labels), language=language, k=k),
        max_new_tokens=max_new_tokens or MAX_NEW_TOKENS["reasons"],
        version=VERSIONS["reasons"],
        labels=labels,
        k=k,
    )


@dataclass(frozen=True)
class ChatAsk:
    """One chat turn to answer."""

    profile: UserProfile
    persona_summary: str
    text: str
    chat_summary: str = ""
    chat_turns: tuple[ChatTurn, ...] = ()


def chat_task(ask: ChatAsk) -> Task:
    language = ask.profile.language

    def parse(answer: str) -> tuple[str, str]:
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

    return Task(
        kind="chat",
        inp=ask,
        language=language,
        messages=chat_messages(
            profile=ask.profile,
            persona_summary=ask.persona_summary,
            text=ask.text,
            chat_summary=ask.chat_summary,
            chat_turns=ask.chat_turns,
        ),
        schema=chat_schema(language=language),
        schema_text='{"reply": str, "request": str}',
        parse=parse,
        max_new_tokens=MAX_NEW_TOKENS["chat"],
        version=VERSIONS["chat"],
    )
