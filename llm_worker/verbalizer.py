"""One-pass candidate ranking from next-token logits (the "verbalizer" of LlamaRec).

The candidates are shown with single-token letter labels ("A".."Z"), the answer is pre-filled up
to the point where the next token is the chosen letter, and one forward pass gives every label's
log-probability: sorting them ranks all candidates at the cost of reading the prompt once,
instead of generating a JSON list token by token. Labels are checked against the tokenizer
(`label_token_id`); candidates beyond the 26th keep the recommender's order after the ranked
ones.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from llm_worker.contracts import CandidateBrief, RerankInput
from llm_worker.prompts import VERBALIZER_LABELS, verbalizer_messages


@dataclass
class VerbalizerRanking:
    order: list[CandidateBrief]  # best first, every candidate once
    logprobs: dict[int, float]  # movie_id -> label log-probability (ranked ones only)
    prompt_tokens: int
    seconds: float


def verbalizer_rank(backend, inp: RerankInput) -> VerbalizerRanking:
    """Rank `inp.candidates` with one forward pass of `backend` (needs `supports_logits`)."""
    if not getattr(backend, "supports_logits", False):
        raise NotImplementedError(f"the {backend.name} backend cannot read next-token logits")
    ranked = list(inp.candidates[: len(VERBALIZER_LABELS)])
    rest = list(inp.candidates[len(VERBALIZER_LABELS) :])
    labels = list(VERBALIZER_LABELS[: len(ranked)])
    sub = dataclasses.replace(inp, candidates=tuple(ranked))
    messages, prefix = verbalizer_messages(sub, labels)
    started = time.perf_counter()
    scores = backend.label_logprobs(messages, labels, answer_prefix=prefix)
    seconds = time.perf_counter() - started
    # Ties (e.g. a random model) keep the recommender's order: sort is stable on position.
    positions = sorted(range(len(ranked)), key=lambda i: -scores[labels[i]])
    order = [ranked[i] for i in positions] + rest
    prompt_tokens = backend.count_tokens(backend.render(messages, answer_prefix=prefix))
    return VerbalizerRanking(
        order=order,
        logprobs={ranked[i].movie_id: scores[labels[i]] for i in range(len(ranked))},
        prompt_tokens=prompt_tokens,
        seconds=seconds,
    )
