"""The one fake LLM backend for tests: it answers from a script, from a function, or both, and
records what it was asked (no Django imports).

`FakeBackend("first answer", LLMTimeout("slow"), ...)` answers each call with the next scripted
item: a text, or an exception to raise. `FakeBackend(answer=fn)` answers with `fn(messages)`
(the same kinds). With both, the script goes first; with neither left, the call raises
`LLMUnavailable("script exhausted")`, like a server that went away. Every call's messages,
JSON schema and `avoid` texts are kept in `calls`, `schemas` and `avoided`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from llm_worker.backends.base import Generation, LLMBackend, LLMUnavailable

AnswerFn = Callable[[list[dict]], "str | Exception"]


class FakeBackend(LLMBackend):
    name = "fake"
    engine = "llm:fake"

    def __init__(self, *script: str | Exception, answer: AnswerFn | None = None):
        self.script = list(script)
        self.answer = answer
        self.calls: list[list[dict]] = []
        self.schemas: list[dict | None] = []
        self.avoided: list[tuple[str, ...]] = []

    def generate(self, messages, *, max_new_tokens=512, json_schema=None, avoid=()) -> Generation:
        self.calls.append(messages)
        self.schemas.append(json_schema)
        self.avoided.append(tuple(avoid))
        if self.script:
            out = self.script.pop(0)
        elif self.answer is not None:
            out = self.answer(messages)
        else:
            raise LLMUnavailable("script exhausted")
        if isinstance(out, Exception):
            raise out
        return Generation(text=out, prompt_tokens=100, completion_tokens=20, seconds=0.01)


def down_backend() -> FakeBackend:
    """A model whose server refuses every connection."""
    return FakeBackend(answer=lambda _m: LLMUnavailable("connection refused"))


def prompt_of(messages: list[dict]) -> str:
    return "\n".join(m["content"] for m in messages)


def is_chat_prompt(messages: list[dict]) -> bool:
    # The chat-turn template asks for {"reply": ..., "request": ...}.
    return '"reply"' in prompt_of(messages)


def rerank_json(entries: list[dict]) -> str:
    return json.dumps({"final": entries})


def chat_json(reply: str, request: str) -> str:
    return json.dumps({"reply": reply, "request": request})
