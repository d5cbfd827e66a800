"""A backend that answers with scripted texts, for feeding hostile model outputs to the pipeline."""

from __future__ import annotations

from llm_worker.backends.base import Generation, LLMBackend, LLMUnavailable


class ScriptedBackend(LLMBackend):
    name = "scripted"
    engine = "llm:scripted"

    def __init__(self, *answers: str | Exception):
        self.answers = list(answers)
        self.calls: list[list[dict]] = []
        self.schemas: list[dict | None] = []
        self.avoided: list[tuple[str, ...]] = []

    def generate(self, messages, *, max_new_tokens=512, json_schema=None, avoid=()) -> Generation:
        self.calls.append(messages)
        self.schemas.append(json_schema)
        self.avoided.append(tuple(avoid))
        if not self.answers:
            raise LLMUnavailable("script exhausted")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return Generation(text=answer, prompt_tokens=100, completion_tokens=20, seconds=0.01)
