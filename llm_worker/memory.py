"""Taste-chat memory within a token budget (no Django imports).

`fit_chat_history` keeps the most recent turns that fit, together with a rolling summary, inside
`budget_tokens` as measured by `count_tokens` (the model tokenizer's count for transformers, the
simple word/punctuation count for grounded). The check is made on the exact text that goes into
the prompt (`render_history`), so the budget is never exceeded, however long the conversation or
a single turn.

The summary is extractive and deterministic, not written by the model: the first sentence of
each folded user turn (what the user asked for; assistant turns carry no new taste) appended to
the previous summary, oldest pieces dropped first when it outgrows its share of the budget.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from llm_worker.contracts import ChatTurn

SUMMARY_SHARE = 0.25  # of the budget, reserved for the summary once turns must be folded
PIECE_CHARS = 120
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s|\n")
_SEPARATOR = " | "


def turn_line(turn: ChatTurn) -> str:
    return f"{turn.role}: {' '.join(turn.content.split())}"


def render_history(summary: str, turns: Sequence[ChatTurn]) -> str:
    """The history text the prompt receives; the budget is measured on exactly this."""
    lines = [summary] if summary else []
    lines.extend(turn_line(t) for t in turns)
    return "\n".join(lines)


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    head = _SENTENCE_END.split(text, maxsplit=1)[0]
    return head[:PIECE_CHARS].rstrip()


def _truncate(text: str, budget: int, count: Callable[[str], int]) -> str:
    """The longest prefix of `text` (cut on characters, "…" added) that costs <= budget."""
    if count(text) <= budget:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # binary search on the character length
        mid = (lo + hi + 1) // 2
        if count(text[:mid].rstrip() + "…") <= budget:
            lo = mid
        else:
            hi = mid - 1
    return (text[:lo].rstrip() + "…") if lo else ""


def _shrink_summary(pieces: list[str], budget: int, count: Callable[[str], int]) -> str:
    while pieces and count(_SEPARATOR.join(pieces)) > budget:
        if len(pieces) == 1:
            return _truncate(pieces[0], budget, count)
        pieces.pop(0)  # the oldest request goes first
    return _SEPARATOR.join(pieces)


def fit_chat_history(
    turns: Sequence[ChatTurn],
    *,
    summary: str,
    budget_tokens: int,
    count_tokens: Callable[[str], int],
) -> tuple[str, list[ChatTurn]]:
    """(rolling summary, most recent turns) whose rendered text costs <= budget_tokens.
    Turns that no longer fit are folded into the summary; a single turn too long for the
    budget is truncated."""
    if budget_tokens <= 0:
        return "", []
    turns = list(turns)
    summary = " ".join((summary or "").split())
    must_fold = bool(summary) or count_tokens(render_history("", turns)) > budget_tokens
    turn_budget = budget_tokens - (int(budget_tokens * SUMMARY_SHARE) if must_fold else 0)

    kept: list[ChatTurn] = []
    for turn in reversed(turns):
        if count_tokens(render_history("", [turn, *kept])) <= turn_budget:
            kept.insert(0, turn)
            continue
        if not kept:  # the newest turn alone is too long: keep its beginning
            room = turn_budget - count_tokens(f"{turn.role}: ")
            content = _truncate(" ".join(turn.content.split()), room, count_tokens)
            if content:
                kept.insert(0, ChatTurn(turn.role, content))
        break
    folded = turns[: len(turns) - len(kept)] if kept else turns
    if kept and kept[0].content != turns[len(turns) - len(kept)].content:
        folded = turns[: len(turns) - 1]  # the truncated newest turn is not folded twice

    pieces = [summary] if summary else []
    pieces += [_first_sentence(t.content) for t in folded if t.role == "user" and t.content.strip()]
    used = count_tokens(render_history("", kept)) if kept else 0
    new_summary = _shrink_summary(pieces, max(0, budget_tokens - used - 1), count_tokens)

    # Token counts of joined text can differ from the sum of the parts (BPE merges across the
    # newline); the final word is the count of the exact rendered text.
    while kept and count_tokens(render_history(new_summary, kept)) > budget_tokens:
        kept.pop(0)
    while new_summary and count_tokens(render_history(new_summary, kept)) > budget_tokens:
        new_summary = _truncate(new_summary, max(0, count_tokens(new_summary) - 2), count_tokens)
    return new_summary, kept
