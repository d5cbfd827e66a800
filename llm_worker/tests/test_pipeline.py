"""Pipeline behaviour around the parser: repair, fallbacks, edge cases, chat replies."""

from __future__ import annotations

import json

from llm_worker.backends import LLMTimeout, get_backend
from llm_worker.contracts import RerankInput
from llm_worker.pipeline import chat_reply, persona_build, rerank
from llm_worker.tests.fake_backend import FakeBackend
from llm_worker.tests.llm_samples import PROFILE_EN, PROFILE_KO, persona_input, rerank_input

GOOD = json.dumps({"final": [{"label": "C03", "fit": 8, "reason": "A patient detective story."}]})


def test_one_repair_attempt_that_succeeds_is_counted():
    backend = FakeBackend("I think Prisoners is great!", GOOD)
    result = rerank(backend, rerank_input(k=1))
    assert result.parse_attempts == 2
    assert result.stats["first_try_ok"] is False
    assert result.engine == "llm:fake"
    assert [it.movie_id for it in result.items] == [12]
    assert "no JSON object" in backend.calls[1][-1]["content"]  # the repair says what was wrong


def test_each_call_gets_a_schema_of_its_own_labels_and_the_wording_to_avoid():
    backend = FakeBackend(GOOD)
    inp = rerank_input(k=2)
    rerank(backend, inp)
    final = backend.schemas[0]["properties"]["final"]
    assert final["items"]["properties"]["label"]["enum"] == [
        f"C{i:02d}" for i in range(1, len(inp.candidates) + 1)
    ]
    assert (final["minItems"], final["maxItems"], final["uniqueItems"]) == (2, 2, True)
    assert any("Pick the best" in text for text in backend.avoided[0])
    persona = FakeBackend("no json")
    persona_build(persona, persona_input("ko"))
    reasons = persona.schemas[0]["properties"]["reasons"]["items"]["properties"]
    assert reasons["movies"]["items"]["enum"] == ["W01", "W02", "W03"]
    assert persona.avoided[0] == persona.avoided[1]  # the repair turn too
    assert any("취향" in text for text in persona.avoided[0])


def test_k_larger_than_the_candidates_and_empty_candidates():
    result = rerank(FakeBackend(GOOD), rerank_input(k=50))
    assert len(result.items) == 6  # all candidates, the model's pick first
    assert result.items[0].movie_id == 12
    empty = RerankInput(profile=PROFILE_EN, persona_summary="", watched=(), candidates=(), k=5)
    assert rerank(FakeBackend(), empty).items == []


def test_verbalizer_on_a_backend_without_logits_ranks_by_generation():
    result = rerank(FakeBackend(GOOD), rerank_input(k=1), method="verbalizer")
    assert result.stats["method"] == "generate"
    assert result.items[0].movie_id == 12


def test_persona_from_a_valid_answer():
    answer = json.dumps(
        {
            "summary": "Patient crime stories.",
            "liked": ["slow-burn detectives"],
            "disliked": [],
            "reasons": [{"text": "Se7en and Zodiac.", "movies": ["W03", "W04"]}],
        }
    )
    persona = persona_build(FakeBackend(answer), persona_input())
    assert persona.engine == "llm:fake"
    assert persona.prompt_version == "persona-v1"
    assert persona.reasons[0].movie_ids == (3, 4)


def test_chat_reply_falls_back_to_an_acknowledgement():
    reply = chat_reply(
        FakeBackend(LLMTimeout("slow")),
        profile=PROFILE_KO,
        persona_summary="",
        text="덜 무서운 걸로",
    )
    assert reply.engine == "grounded"
    assert reply.request == "덜 무서운 걸로"
    assert "추천" in reply.reply
    assert "slow" in reply.degraded_reason
    ok = chat_reply(
        FakeBackend('{"reply": "Lighter picks coming.", "request": "lighter crime"}'),
        profile=PROFILE_EN,
        persona_summary="",
        text="something lighter",
    )
    assert (ok.reply, ok.request, ok.engine) == (
        "Lighter picks coming.",
        "lighter crime",
        "llm:fake",
    )
    assert (
        chat_reply(get_backend("grounded"), profile=PROFILE_EN, persona_summary="", text="x").engine
        == "grounded"
    )


def test_verbalizer_failures_are_coded_and_grounded_reasons_are_not_silent(monkeypatch):
    import llm_worker.pipeline as pipeline
    from llm_worker.contracts import Degraded, degraded_codes
    from llm_worker.verbalizer import VerbalizerRanking

    inp = rerank_input(k=2)

    class Logits(FakeBackend):
        supports_logits = True

    def broken(backend, inp):
        raise RuntimeError("CUDA error: device-side assert")

    monkeypatch.setattr(pipeline, "verbalizer_rank", broken)
    failed = rerank(Logits(), inp, method="verbalizer")
    assert failed.engine == "grounded"
    assert (
        failed.degraded_reason == "verbalizer_failed: RuntimeError: CUDA error: device-side assert"
    )

    def ranked(backend, inp):
        order = list(inp.candidates)
        logprobs = {c.movie_id: -1.0 for c in order}
        return VerbalizerRanking(order=order, logprobs=logprobs, prompt_tokens=9, seconds=0.1)

    monkeypatch.setattr(pipeline, "verbalizer_rank", ranked)
    # The ranking worked but the reasons came back garbled twice: grounded reasons, said so.
    result = rerank(Logits("no json", "still none"), inp, method="verbalizer")
    assert result.stats["method"] == "verbalizer"
    assert all(it.reason for it in result.items)
    assert degraded_codes(result.degraded_reason) == [Degraded.UNPARSEABLE]
