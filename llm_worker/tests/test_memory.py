"""The taste-chat memory budget holds for long conversations and over-long turns."""

from __future__ import annotations

import pytest

from llm_worker.backends import simple_token_count
from llm_worker.contracts import ChatTurn
from llm_worker.memory import fit_chat_history, render_history


def _conversation(n: int) -> list[ChatTurn]:
    turns = []
    for i in range(n):
        turns.append(ChatTurn("user", f"Request {i}: something slow-burn like movie {i}. More."))
        turns.append(ChatTurn("assistant", f"Here are picks for request {i}, with reasons."))
    return turns[:n]


@pytest.mark.parametrize("budget", [40, 120, 400, 1000])
def test_200_turns_never_exceed_the_budget(budget):
    turns = _conversation(200)
    summary, kept = fit_chat_history(
        turns, summary="", budget_tokens=budget, count_tokens=simple_token_count
    )
    assert simple_token_count(render_history(summary, kept)) <= budget
    assert kept, "the most recent turns are kept"
    assert kept[-1] == turns[-1]  # the newest turn survives intact
    assert kept == turns[len(turns) - len(kept) :]  # a suffix, in order
    assert "Request" in summary  # older user requests are folded into the summary


def test_everything_fits_keeps_all_turns_and_no_summary():
    turns = _conversation(4)
    summary, kept = fit_chat_history(
        turns, summary="", budget_tokens=500, count_tokens=simple_token_count
    )
    assert summary == ""
    assert kept == turns


def test_a_single_over_long_turn_is_truncated_to_fit():
    turns = [ChatTurn("user", "thriller " * 5000)]
    summary, kept = fit_chat_history(
        turns, summary="old summary", budget_tokens=50, count_tokens=simple_token_count
    )
    assert simple_token_count(render_history(summary, kept)) <= 50
    assert kept[0].content.startswith("thriller thriller")
    assert kept[0].content.endswith("…")


def test_the_rolling_summary_keeps_the_newest_folded_requests():
    turns = _conversation(60)
    summary, kept = fit_chat_history(
        turns, summary="Likes Korean thrillers.", budget_tokens=80, count_tokens=simple_token_count
    )
    assert simple_token_count(render_history(summary, kept)) <= 80
    folded_last = turns[len(turns) - len(kept) - 2].content.split(":")[0]
    assert folded_last in summary  # the newest folded user request is remembered


def test_budget_holds_with_the_real_model_tokenizer(tiny_tokenizer_count):
    turns = [
        ChatTurn("user" if i % 2 == 0 else "assistant", f"범죄 드라마 {i} 추천해줘")
        for i in range(200)
    ]
    summary, kept = fit_chat_history(
        turns, summary="", budget_tokens=64, count_tokens=tiny_tokenizer_count
    )
    assert tiny_tokenizer_count(render_history(summary, kept)) <= 64
    assert kept[-1] == turns[-1]


@pytest.fixture(scope="module")
def tiny_tokenizer_count(tmp_path_factory):
    from transformers import AutoTokenizer

    from llm_worker.tests.tiny_llama import build_tiny_llama

    folder = build_tiny_llama(tmp_path_factory.mktemp("tiny"))
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    return lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"])
