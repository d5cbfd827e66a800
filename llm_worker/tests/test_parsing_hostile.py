"""Hostile model outputs through the real pipeline: each gives the documented result, and no
result ever holds a movie that is not among the candidates."""

from __future__ import annotations

import json

import pytest

from llm_worker.backends import LLMTimeout, LLMUnavailable
from llm_worker.parsing import ParseError, extract_json, parse_rerank
from llm_worker.pipeline import persona_build, rerank
from llm_worker.tests.fake_backend import FakeBackend
from llm_worker.tests.llm_samples import CANDIDATES_EN, persona_input, rerank_input

CANDIDATE_IDS = {c.movie_id for c in CANDIDATES_EN}


def _final(*entries) -> str:
    return json.dumps({"final": [dict(e) for e in entries]})


def _assert_only_candidates(result, k=3):
    ids = [item.movie_id for item in result.items]
    assert set(ids) <= CANDIDATE_IDS
    assert len(ids) == len(set(ids)) == k


def test_invented_titles_are_dropped_and_counted():
    text = _final(
        {"title": "Inception", "fit": 10, "reason": "Mind-bending."},
        {"label": "C99", "title": "The Matrix", "fit": 9, "reason": "Cyberpunk."},
        {"label": "C03", "fit": 8, "reason": "A detective story like Zodiac."},
    )
    result = rerank(FakeBackend(text), rerank_input(k=3))
    _assert_only_candidates(result)
    assert result.dropped == 2
    assert result.items[0].movie_id == 12  # C03 = Prisoners, the only valid pick, comes first
    assert result.items[0].engine == "llm:fake"
    # The rest is filled from the recommender's order and says so.
    assert [it.engine for it in result.items[1:]] == ["grounded", "grounded"]
    assert "Inception" not in json.dumps([it.reason for it in result.items])


def test_unknown_labels_only_trigger_repair_then_grounded_fallback():
    bad = _final({"label": "C42", "fit": 9, "reason": "x"}, {"label": "Z1", "fit": 3})
    backend = FakeBackend(bad, bad)
    result = rerank(backend, rerank_input(k=3))
    assert len(backend.calls) == 2  # one repair attempt, no more
    assert "C42" in backend.calls[1][-1]["content"]  # the bad output was sent back
    assert result.engine == "grounded"
    assert result.degraded_reason.startswith("unparseable: after one repair")
    assert [it.movie_id for it in result.items] == [10, 11, 12]  # the recommender's order
    _assert_only_candidates(result)


def test_duplicates_are_dropped_and_counted():
    text = _final(
        {"label": "C01", "fit": 9, "reason": "Michael Mann heist."},
        {"label": "c1", "fit": 9, "reason": "Again."},
        {"label": "C01", "fit": 8, "reason": "And again."},
        {"label": "C05", "fit": 8, "reason": "Fincher mystery."},
        {"label": "C03", "fit": 7, "reason": "Detective story."},
    )
    result = rerank(FakeBackend(text), rerank_input(k=3))
    assert [it.movie_id for it in result.items] == [10, 14, 12]
    assert result.stats["duplicates"] == 2
    assert result.dropped == 0


def test_missing_fields_get_position_scores_and_grounded_reasons():
    text = json.dumps({"final": [{"label": "C05"}, "C03", {"label": "C01", "fit": "eleven"}]})
    result = rerank(FakeBackend(text), rerank_input(k=3))
    assert [it.movie_id for it in result.items] == [14, 12, 10]
    assert [it.fit_score for it in result.items] == [10, 9, 8]
    # Gone Girl: the grounded reason cites Fincher and the user's other film of his, Se7en;
    # Zodiac (its nearest movie) is on the page's "because" line, so the reason does not repeat it.
    assert "David Fincher" in result.items[0].reason
    assert "Se7en" in result.items[0].reason
    assert "Zodiac" not in result.items[0].reason
    assert result.stats["missing_reasons"] == 3


def test_fit_scores_are_clamped():
    text = _final(
        {"label": "C01", "fit": 42, "reason": "Great."},
        {"label": "C03", "fit": -3, "reason": "Poor."},
        {"label": "C05", "fit": 7.6, "reason": "Good."},
    )
    result = rerank(FakeBackend(text), rerank_input(k=3))
    assert [it.fit_score for it in result.items] == [10, 1, 8]


def test_prose_and_code_fences_around_the_json():
    text = (
        "Sure! Here is my ranking, thinking step by step {not json}.\n```json\n"
        + _final(
            {"label": "C05", "fit": 9, "reason": "Fincher again."},
        )
        + "\n```\nHope this helps!"
    )
    result = rerank(FakeBackend(text), rerank_input(k=1))
    assert result.parse_attempts == 1
    assert result.stats["first_try_ok"] is True
    assert [it.movie_id for it in result.items] == [14]


def test_script_in_a_reason_is_kept_as_plain_text_without_control_chars():
    reason = '<script>alert("x")</script>\x00\x1b[31m Tense\n\n heist'
    long = " ".join(f"scene{i}" for i in range(200))  # varied: "very " * 200 would be refused
    text = _final({"label": "C01", "fit": 9, "reason": reason + " " + long})
    result = rerank(FakeBackend(text), rerank_input(k=1))
    item = result.items[0]
    assert item.movie_id == 10
    assert item.reason.startswith('<script>alert("x")</script>')  # text; templates escape it
    assert "\x00" not in item.reason
    assert "\x1b" not in item.reason
    assert "\n" not in item.reason
    assert len(item.reason) <= 300


def test_wrong_language_reasons_are_replaced_in_the_users_language():
    # A Korean user, reasons written in English: order kept, reasons grounded in Korean.
    text = _final(
        {"label": "C02", "fit": 9, "reason": "Bong Joon-ho again, you will love it."},
        {"label": "C01", "fit": 8, "reason": "나홍진 감독의 스릴러입니다."},
    )
    result = rerank(FakeBackend(text), rerank_input("ko", k=2))
    assert [it.movie_id for it in result.items] == [31, 30]
    # Grounded, in Korean, from evidence: Bong Joon-ho made two of the user's movies (both on the
    # page's "because" line, so they are counted, not named again).
    assert "봉준호 감독" in result.items[0].reason
    assert "2편" in result.items[0].reason
    assert "살인의 추억" not in result.items[0].reason
    assert result.items[1].reason == "나홍진 감독의 스릴러입니다."
    assert result.stats["wrong_language"] == 1
    assert result.degraded_reason.startswith("wrong_language: 1 reason(s) not in Korean")


def test_persona_in_the_wrong_language_is_repaired_then_grounded():
    english = json.dumps({"summary": "Loves crime films.", "liked": ["crime"], "reasons": []})
    backend = FakeBackend(english, english)
    result = persona_build(backend, persona_input("ko"))
    assert len(backend.calls) == 2
    assert result.engine == "grounded"
    assert result.degraded_reason.startswith("wrong_language: ")
    assert "Korean" in result.degraded_reason
    assert "범죄" in result.summary  # grounded, in Korean


def test_persona_citations_outside_the_users_movies_are_dropped():
    text = json.dumps(
        {
            "summary": "Drawn to tense crime stories.",
            "liked": ["crime", "detectives"],
            "disliked": ["musicals"],
            "reasons": [
                {"text": "Two Michael Mann films.", "movies": ["W01", "W02", "W77", "Inception"]}
            ],
        }
    )
    result = persona_build(FakeBackend(text), persona_input("en"))
    assert result.engine == "llm:fake"
    assert result.reasons[0].movie_ids == (1, 2)
    assert result.stats["dropped"] == 2


def test_llm_unavailable_falls_back_without_raising():
    backend = FakeBackend(LLMUnavailable("connection refused"))
    result = rerank(backend, rerank_input(k=2))
    assert result.engine == "grounded"
    assert result.degraded_reason == "llm_unavailable: connection refused"
    persona = persona_build(FakeBackend(LLMTimeout("no answer in 30 s")), persona_input())
    assert persona.engine == "grounded"
    assert persona.degraded_reason == "timeout: no answer in 30 s"


def test_truncated_json_is_reported_as_cut_off():
    with pytest.raises(ParseError, match="cut off"):
        extract_json('{"final": [{"label": "C01", "fit": 9, "reason": "A tense')


def test_trailing_commas_are_tolerated():
    assert extract_json('{"final": [{"label": "C01",},],}') == {"final": [{"label": "C01"}]}


def test_original_variant_uses_scores_when_final_is_short():
    text = json.dumps(
        {
            "scores": [
                {"label": "C01", "fit": 6, "reason": "ok"},
                {"label": "C05", "fit": 9, "reason": "best"},
                {"label": "C03", "fit": 8, "reason": "good"},
            ],
            "top": ["C05"],
            "check": "C05 exists",
            "final": [{"label": "C05", "fit": 9, "reason": "best"}],
        }
    )
    parsed = parse_rerank(text, labels={"C01", "C03", "C05"}, language="en", k=3)
    assert [it.label for it in parsed.items] == ["C05", "C03", "C01"]
