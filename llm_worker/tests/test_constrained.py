"""Schema-constrained decoding (llm_worker/constrained.py): whatever the model wants to write,
the answer is one JSON object of the schema's shape, labels come only from the enum and never
twice, and the copy and repeat guards steer strings away from the prompt's wording and from
loops. A random-weight Llama stands for "a model that writes noise"; a scripted model stands for
"a model that wants to write one particular text"."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from llm_worker.backends import get_backend
from llm_worker.constrained import (
    ConstrainedDecoder,
    VocabIndex,
    compile_schema,
    squeezed,
)
from llm_worker.parsing import chat_schema, persona_schema, repetitive, rerank_schema
from llm_worker.prompts import persona_messages, rerank_messages
from llm_worker.tests.llm_samples import persona_input, rerank_input
from llm_worker.tests.tiny_llama import build_tiny_llama

WATCHED = ["W01", "W02", "W03", "W04", "W05"]
CANDIDATES = [f"C{i:02d}" for i in range(1, 11)]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))
    return get_backend("transformers", model=str(folder), device="cpu", quantization="none")


def _strings_fit(value, schema):
    """Assert `value` matches `schema` (the subset the decoder supports), bounds included."""
    kind = schema["type"]
    if kind == "object":
        assert list(value) == schema["required"]
        for key in schema["required"]:
            _strings_fit(value[key], schema["properties"][key])
    elif kind == "array":
        assert schema.get("minItems", 0) <= len(value) <= schema["maxItems"]
        if schema.get("uniqueItems"):
            labels = [v["label"] if isinstance(v, dict) else v for v in value]
            assert len(set(labels)) == len(labels)
        for item in value:
            _strings_fit(item, schema["items"])
    elif kind == "integer":
        assert isinstance(value, int)
        assert schema["minimum"] <= value <= schema["maximum"]
    elif "enum" in schema:
        assert value in schema["enum"]
    else:
        assert isinstance(value, str)
        assert len(value) <= schema["maxLength"] + 20  # the hard stop past maxLength


@pytest.mark.parametrize(
    "schema",
    [
        persona_schema(WATCHED, language="en"),
        persona_schema(WATCHED, language="ko"),
        rerank_schema(CANDIDATES, k=4, language="en", variant="optimized"),
        rerank_schema(CANDIDATES, k=3, language="ko", variant="original"),
        chat_schema(language="en"),
    ],
    ids=["persona-en", "persona-ko", "rerank-optimized", "rerank-original-ko", "chat"],
)
def test_noise_always_comes_out_in_the_schema(tiny, schema):
    messages = rerank_messages(rerank_input(k=3), variant="optimized")
    gen = tiny.generate(messages, max_new_tokens=400, json_schema=schema)
    answer = json.loads(gen.text)
    _strings_fit(answer, schema)
    assert gen.extra["constrained"] is True
    assert gen.completion_tokens > 0
    assert gen.ttft is not None
    assert gen.ttft <= gen.seconds


def test_a_tiny_budget_still_closes_the_json(tiny):
    schema = persona_schema(WATCHED, language="en")
    gen = tiny.generate(persona_messages(persona_input()), max_new_tokens=10, json_schema=schema)
    answer = json.loads(gen.text)  # cut strings and lists, but valid JSON with every key
    assert list(answer) == ["summary", "liked", "disliked", "reasons"]
    assert len(answer["liked"]) == 1  # the minimum items
    assert len(answer["reasons"]) == 1
    assert answer["disliked"] == []


def test_every_candidate_scored_once_in_the_original_variant(tiny):
    # More candidates than fit scores: labels are unique, scores may repeat.
    labels = [f"C{i:02d}" for i in range(1, 13)]
    schema = rerank_schema(labels, k=2, language="en", variant="original")
    gen = tiny.generate(
        rerank_messages(rerank_input(k=2), variant="original"),
        max_new_tokens=1500,
        json_schema=schema,
    )
    answer = json.loads(gen.text)
    assert sorted(e["label"] for e in answer["scores"]) == labels
    assert all(1 <= e["fit"] <= 10 for e in answer["scores"])
    assert len(answer["top"]) == len(set(answer["top"])) == 2
    assert len({e["label"] for e in answer["final"]}) == 2


@pytest.mark.parametrize(
    ("schema", "why"),
    [
        ({"type": "number"}, "not supported"),
        ({"type": "integer"}, "needs an enum or both"),
        ({"type": "object", "properties": {}, "required": ["x"]}, "without a schema"),
        ({"type": "string", "minLength": 50, "maxLength": 10}, "below minLength"),
        ({"type": "array", "items": {"type": "string"}, "minItems": 3, "maxItems": 1}, "below"),
        ({"type": "string", "enum": []}, "at least one value"),
    ],
)
def test_unsupported_or_impossible_schemas_are_refused(schema, why):
    with pytest.raises(ValueError, match=why):
        compile_schema(schema)


# --- the guards, with a model that wants to write one particular text ------------------------
class ScriptedLM:
    """Prefers, after whatever it has read, the next token of `script` (continuing the longest
    stretch of the script its input ends with), and a closing quote once the script is done."""

    def __init__(self, tiny_backend, script: str, *, loop: bool = False):
        import torch

        self.tokenizer = tiny_backend.tokenizer
        self.config = tiny_backend.model.config
        self.script = self.tokenizer(script, add_special_tokens=False)["input_ids"]
        self.quote = self.tokenizer('"', add_special_tokens=False)["input_ids"][0]
        self.loop = loop
        self.seen: list[int] = []
        self._param = torch.nn.Parameter(torch.zeros(1))

    def parameters(self):
        yield self._param

    def __call__(self, input_ids, **kwargs):
        import torch

        self.seen.extend(input_ids[0].tolist())
        wanted = self.script[0]
        for n in range(min(len(self.seen), len(self.script)), 0, -1):
            if self.seen[-n:] == self.script[:n]:
                done = n == len(self.script)
                wanted = (self.script[0] if self.loop else self.quote) if done else self.script[n]
                break
        logits = torch.zeros(1, 1, self.config.vocab_size)
        logits[0, 0, wanted] = 10.0
        return SimpleNamespace(logits=logits)


SUMMARY_ONLY = {
    "type": "object",
    "properties": {"summary": {"type": "string", "minLength": 5, "maxLength": 200}},
    "required": ["summary"],
}
# The parser's notion of a copy: 12 letters and digits in a row (`parsing.copied_from`).
COPY_RUN = 12
REPEAT_RUN = 20
ECHO = "the viewer watched crime drama thriller mystery films by the director"


def _decode(tiny, model, *, avoid=()) -> str:
    decoder = ConstrainedDecoder(
        model, tiny.tokenizer, VocabIndex(tiny.tokenizer, 200), max_new_tokens=120, avoid=avoid
    )
    text = decoder.run(tiny.tokenizer("<|assistant|>")["input_ids"], compile_schema(SUMMARY_ONLY))
    return json.loads(text.text)["summary"]


def _windows(text: str, n: int) -> set[str]:
    sq = squeezed(text)
    return {sq[i : i + n] for i in range(len(sq) - n + 1)}


def test_without_the_guard_the_scripted_model_echoes(tiny):
    summary = _decode(tiny, ScriptedLM(tiny, ECHO))
    assert squeezed(summary) == squeezed(ECHO)


def test_the_copy_guard_keeps_an_echo_of_the_template_out(tiny):
    summary = _decode(tiny, ScriptedLM(tiny, ECHO), avoid=("Infer taste. " + ECHO,))
    assert summary
    assert not _windows(summary, COPY_RUN) & _windows(ECHO, COPY_RUN)


def test_the_repeat_guard_breaks_loops(tiny):
    summary = _decode(tiny, ScriptedLM(tiny, "crime drama thriller mystery", loop=True))
    windows = [squeezed(summary)[i : i + REPEAT_RUN] for i in range(len(squeezed(summary)))]
    full = [w for w in windows if len(w) == REPEAT_RUN]
    assert len(full) == len(set(full)), summary
    assert "crime drama thriller mystery" in summary  # the first round is the model's own


# Words of the tiny vocabulary. No run of REPEAT_RUN letters repeats, so only the word guard
# can stop the third "the taste of the".
ANAPHORA = (
    "the taste of the crime films with the taste of the drama films and the taste of the comedy"
)


def test_the_word_loop_guard_keeps_a_third_round_out(tiny):
    assert repetitive(ANAPHORA)
    summary = _decode(tiny, ScriptedLM(tiny, ANAPHORA))
    assert summary.startswith("the taste of the crime films with the taste of the drama"), summary
    assert not repetitive(summary), summary


def test_hangul_counts_double_in_the_guards():
    assert squeezed("Crime, 드라마!") == "crime드드라라마마"
