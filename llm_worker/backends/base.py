"""The one interface every LLM backend speaks, and its errors (no Django imports).

A backend turns chat messages into text. Everything about prompts, JSON and fallbacks lives above
it (`llm_worker.pipeline`), so a backend only has to be honest about failures: it raises
`LLMUnavailable` (or its subclass `LLMTimeout`) instead of returning something half-made.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

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
    #: False for the grounded backend, which never produces free text
    generates_text: bool = True

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
