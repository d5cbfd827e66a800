"""The one interface every backend speaks, and its errors (no Django imports).

The pipeline asks a backend one question at a time: a `Task` (a persona, a ranked list, reasons
for chosen movies, a chat answer) that holds both the structured input and the prompt written
from it. `LLMBackend.ask` answers it with a parsed answer or a coded failure, never an
exception for a model's fault:
- a language model answers through text: `generate` on the task's messages, the task's parser,
  and one repair turn when the parser refuses the answer (this class does that for every text
  backend, so a text backend only implements `generate` and is honest about failures: it raises
  `LLMUnavailable`, or its subclass `LLMTimeout`, instead of returning something half-made);
- the grounded backend answers from the structured input alone (`backends.grounded`).
Everything above it (what to ask, fallbacks, results) lives in `llm_worker.pipeline`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from llm_worker.contracts import Degraded, degraded
from llm_worker.parsing import ParseError
from llm_worker.prompts import repair_messages, template_text

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": "..."}


class LLMUnavailable(RuntimeError):
    """The model could not answer: connection refused, 5xx after retries, bad body, load error."""


class LLMTimeout(LLMUnavailable):
    """The model did not answer within the configured time."""


@dataclass
class Generation:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0  # wall time of the whole call
    ttft: float | None = None  # seconds to the first generated token, when the backend knows it
    extra: dict = field(default_factory=dict)


@dataclass
class Task:
    """One question for a backend: the structured input and the prompt written from it."""

    kind: str  # "persona" | "rerank" | "reasons" | "chat" | "taste"
    inp: object  # PersonaInput | RerankInput | ChatAsk: what a backend without text reads
    language: str
    messages: list[Message]  # what a language model reads
    schema: dict  # the JSON schema of the answer (constrained decoding)
    schema_text: str  # the same, short, for the repair turn
    parse: Callable[[str], object]  # text -> parsed answer, or ParseError
    max_new_tokens: int
    version: str  # the prompt version id of `messages`
    labels: dict = field(default_factory=dict)  # label ("C01", "W01") -> the movie it names
    k: int = 0  # "rerank": how many to choose


@dataclass
class Answer:
    parsed: object | None  # what `Task.parse` returns; None when the backend failed
    attempts: int  # model calls made (0: answered without a model)
    stats: dict
    failure: str = ""  # a `degraded` reason: "code: detail"
    version: str = ""  # the prompt (or grounded engine) version that produced it


_SIMPLE_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def simple_token_count(text: str) -> int:
    """A model-free token count: words and punctuation marks (Hangul words count once)."""
    return len(_SIMPLE_TOKEN.findall(text))


class LLMBackend(ABC):
    """What the pipeline needs from a model."""

    name: str = "base"
    #: engine label stored with results ("llm:transformers", "llm:openai", "grounded")
    engine: str = "base"
    #: True when `label_logprobs` works (one forward pass ranking, see `llm_worker.verbalizer`)
    supports_logits: bool = False

    def ask(self, task: Task) -> Answer:
        """Generate, parse; on a parse failure one repair turn. Never raises LLM errors."""
        stats: dict = {"prompt_tokens": 0, "completion_tokens": 0, "seconds": 0.0, "ttft": None}
        messages, text, problem, wrong_language = task.messages, "", "", False
        for attempt in (1, 2):
            if attempt == 2:
                messages = repair_messages(
                    messages,
                    text,
                    problem=problem,
                    schema_text=task.schema_text,
                    language=task.language,
                )
            try:
                gen = self.generate(
                    messages,
                    max_new_tokens=task.max_new_tokens,
                    json_schema=task.schema,
                    avoid=template_text(task.language),
                )
            except LLMTimeout as exc:
                return Answer(None, attempt, stats, degraded(Degraded.TIMEOUT, str(exc)))
            except LLMUnavailable as exc:
                return Answer(None, attempt, stats, degraded(Degraded.LLM_UNAVAILABLE, str(exc)))
            stats["decoding"] = "constrained" if gen.extra.get("constrained") else "free"
            stats["prompt_tokens"] += gen.prompt_tokens
            stats["completion_tokens"] += gen.completion_tokens
            stats["seconds"] += gen.seconds
            if stats["ttft"] is None:
                stats["ttft"] = gen.ttft
            text = gen.text
            try:
                parsed = task.parse(text)
            except ParseError as exc:
                problem, wrong_language = str(exc), exc.wrong_language
                stats[f"attempt{attempt}_error"] = problem
                continue
            stats["first_try_ok"] = attempt == 1
            return Answer(parsed, attempt, stats, version=task.version)
        stats["first_try_ok"] = False
        code = Degraded.WRONG_LANGUAGE if wrong_language else Degraded.UNPARSEABLE
        return Answer(None, 2, stats, degraded(code, f"after one repair: {problem}"))

    @abstractmethod
    def generate(
        self,
        messages: list[Message],
        *,
        max_new_tokens: int = 512,
        json_schema: dict | None = None,
        avoid: Sequence[str] = (),
    ) -> Generation:
        """Answer the conversation; with `json_schema` the answer is asked to be one JSON object.
        `avoid`: text the answer should not copy (the prompts' fixed wording); a backend that can
        steer decoding away from it does, the others ignore it (the parser still checks)."""

    def count_tokens(self, text: str) -> int:
        """Tokens `text` costs in this backend's prompts (the model tokenizer when there is one)."""
        return simple_token_count(text)

    def label_logprobs(self, messages: list[Message], labels: list[str]) -> dict[str, float]:
        """Log-probability of each label as the first token of the answer (one forward pass)."""
        raise NotImplementedError(f"the {self.name} backend cannot read next-token logits")
