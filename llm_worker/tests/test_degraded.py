"""Degradation codes: stored as "code: detail", split back, bounded without losing a code, and
turned into a sentence in the user's language (never the detail)."""

from __future__ import annotations

from django.utils import translation

from llm_worker.contracts import (
    Degraded,
    degraded,
    degraded_codes,
    degraded_join,
    degraded_split,
)
from llm_worker.templatetags.degraded import degraded_message_text
from llm_worker.tests.degraded_samples import DETAIL, EN_GENERIC, KO, KO_GENERIC, assert_no_detail


def test_a_reason_starts_with_its_code_and_keeps_the_detail_on_one_line():
    assert degraded(Degraded.TIMEOUT, "no answer\n within 30 s") == "timeout: no answer within 30 s"
    assert degraded(Degraded.LIST_FAILED) == "list_failed"


def test_joined_reasons_split_back_even_when_a_detail_holds_a_semicolon():
    joined = degraded_join(
        degraded(Degraded.LLM_UNAVAILABLE, DETAIL),  # DETAIL has "; " inside
        degraded(Degraded.PARTIAL_RANKING, "3 of 10"),
        degraded(Degraded.LLM_UNAVAILABLE, DETAIL),  # the same reason twice counts once
    )
    assert degraded_split(joined) == [f"llm_unavailable: {DETAIL}", "partial_ranking: 3 of 10"]
    assert degraded_codes(joined) == [Degraded.LLM_UNAVAILABLE, Degraded.PARTIAL_RANKING]


def test_chat_reply_failure_wraps_the_inner_reason_as_its_detail():
    reason = degraded(Degraded.CHAT_REPLY_FAILED, degraded(Degraded.TIMEOUT, "slow"))
    assert degraded_codes(reason) == [Degraded.CHAT_REPLY_FAILED]


def test_a_bounded_join_keeps_every_code():
    long = degraded(Degraded.BACKEND_UNAVAILABLE, "OSError: " + "x" * 500)
    parts = [long, degraded(Degraded.TASTE_SEARCH_UNAVAILABLE, "no index"), "partial_ranking"]
    joined = degraded_join(*parts, limit=300)
    assert len(joined) <= 300
    assert degraded_codes(joined) == [
        Degraded.BACKEND_UNAVAILABLE,
        Degraded.TASTE_SEARCH_UNAVAILABLE,
        Degraded.PARTIAL_RANKING,
    ]
    assert "taste_search_unavailable: no index" in joined  # short ones are not cut
    assert "…" in joined


def test_legacy_text_has_no_code():
    assert degraded_codes("LLM unavailable: connection refused") == []
    assert degraded_codes("") == []


def test_every_code_has_a_korean_sentence_and_the_detail_never_shows():
    with translation.override("ko"):
        for code in Degraded:
            text = degraded_message_text(degraded(code, DETAIL))
            assert text == KO[code]
            assert_no_detail(text)
        assert degraded_message_text("verbalizer failed: CUDA out of memory") == KO_GENERIC
        both = degraded_join(degraded(Degraded.TIMEOUT, DETAIL), "partial_ranking: 2 of 5")
        assert (
            degraded_message_text(both) == f"{KO[Degraded.TIMEOUT]} {KO[Degraded.PARTIAL_RANKING]}"
        )
    with translation.override("en"):
        assert degraded_message_text("LLM unavailable: connection refused") == EN_GENERIC
    assert degraded_message_text("") == ""
