"""The grounded backend: answers every task from catalogue facts and evidence, no model.

It speaks the same interface as the language models (`LLMBackend.ask`): given the same `Task`,
it returns the same kind of parsed answer, computed from the task's structured input instead of
its prompt (`llm_worker.grounded`). The pipeline asks it like any backend when it is the
configured one, and falls back to it when a model fails. It cannot write free text, so
`generate` raises `LLMUnavailable`.
"""

from __future__ import annotations

from llm_worker.backends.base import Answer, Generation, LLMBackend, LLMUnavailable, Message, Task
from llm_worker.contracts import RerankInput
from llm_worker.grounded.persona import persona_answer
from llm_worker.grounded.reasons import reasons_for
from llm_worker.parsing import ParsedItem, ParsedRerank
from llm_worker.phrases import phrases

ENGINE = "grounded"
PROMPT_VERSION = "grounded-v2"  # bump when what the grounded engine writes changes


def position_fit(position: int) -> int:
    """The fit score of the recommender's order: 10 for its first movie, down to 1."""
    return max(1, 10 - position)


class GroundedBackend(LLMBackend):
    """No language model: persona, ranked lists, reasons, chat answers and taste requests from
    evidence."""

    name = "grounded"
    engine = ENGINE

    def __init__(self, **_ignored):
        pass

    def ask(self, task: Task) -> Answer:
        answer = getattr(self, f"_{task.kind}")(task)
        return Answer(answer, attempts=0, stats={}, version=PROMPT_VERSION)

    def _persona(self, task: Task):
        return persona_answer(task.inp, task.labels)

    def _rerank(self, task: Task) -> ParsedRerank:
        """The recommender's order (its scores are the evidence), first k, with reasons."""
        return self._reasons(task, limit=task.k)

    def _reasons(self, task: Task, limit: int | None = None) -> ParsedRerank:
        inp: RerankInput = task.inp
        labels = list(task.labels)[:limit]
        chosen = [task.labels[label] for label in labels]
        texts = reasons_for(chosen, inp.watched, inp.profile.language, stats=inp.keyword_stats)
        items = [
            ParsedItem(label=label, fit=position_fit(i), reason=text)
            for i, (label, text) in enumerate(zip(labels, texts, strict=True))
        ]
        return ParsedRerank(items=items)

    def _taste(self, task: Task):
        # The grounded reading of the request (`taste.llm_parser.TasteAsk.grounded`): the
        # grounded parser read the user's words against the catalogue before the question.
        return task.inp.grounded

    def _chat(self, task: Task) -> tuple[str, str]:
        # The user's own words stand as the request (the pipeline passes them on).
        return phrases(task.language).CHAT_ACK, ""

    def generate(self, messages: list[Message], **kwargs) -> Generation:
        raise LLMUnavailable("the grounded backend has no language model to generate text")
