"""The recommender's numbers against the issue's targets, in one run on one machine.

    python bench/recommender_bench.py [--data /work/shared/datasets] [--skip loo,foldin,training]

Sections: ml-100k `ua` (every model side by side with the plain LightFM WARP baseline),
ml-latest-small leave-one-out 5-core (the LlamaRec protocol), fold-in of held-out users from 5
movies, serving latency at ~10k items, LightFM training time on ml-latest-small, the training
command's time (first EASE training on ml-latest-small, the default kind on ml-100k and
ml-latest-small), peak memory.
Writes bench/out/recommender_bench.json (and one JSON/PNG per table)."""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recommendations.engine.bundle import train_recommender
from recommendations.engine.data import load_movielens
from recommendations.engine.evaluation import evaluate, format_table, prepare, write_outputs
from recommendations.engine.splits import Split
from recommendations.engine.training import DEFAULT_KIND, make_model

OUT = Path(__file__).resolve().parent / "out"
# The sequential model trains for minutes per fit (twice with the blend's validation): it is
# left out here unless --sequential; bench/sequential_bench.py measures it on its own.
MODELS = ["popularity", "lightfm_baseline", "lightfm", "ease", "markov", "blend"]
FOLDIN_MODELS = ["popularity", "lightfm", "ease", "markov", "blend"]
PUBLISHED_LOO = {"BERT4Rec": 0.0366, "SASRec": 0.0522, "LRURec": 0.0705, "LlamaRec": 0.0759}


def best(results: dict, key: str, *, plain: bool = True) -> tuple[str, float]:
    rows = {n: r for n, r in results.items() if not plain or "+novelty" not in n}
    name = max(rows, key=lambda n: rows[n][key])
    return name, rows[name][key]


def check(label: str, value: float, target: float, *, lower_is_better: bool = False) -> dict:
    ok = value <= target if lower_is_better else value >= target
    sign = "<=" if lower_is_better else ">="
    print(f"  {label:<52} {value:10.4f}   target {sign} {target:<10.4f} {'PASS' if ok else 'MISS'}")
    return {"label": label, "value": value, "target": target, "pass": ok}


def table(data: Path, dataset: str, split: str, models: list[str], tag: str, threads: int):
    report = evaluate(data / dataset, split, models, threads=threads, log=lambda m: print(m))
    print(format_table(report))
    write_outputs(
        report,
        json_path=OUT / f"{tag}.json",
        png_path=OUT / f"{tag}.png",
        dump_top=OUT / f"{tag}-top.json",
    )
    return report


def latency(data: Path, checks: list, summary: dict) -> None:
    """Serving path (`Recommender.recommend`: blend scores, exclusions, evidence) for a
    folded-in user at ~10k items, and LightFM training time on ml-latest-small."""
    ds = load_movielens(data / "ml-latest-small")
    t0 = time.perf_counter()
    rec = train_recommender(
        ds.interactions,
        users=ds.users,
        items=ds.items,
        kind="blend",
        tune=False,
        members=tuple(m for m in MODELS if m not in ("lightfm_baseline", "blend")),
    )
    summary["serving_bundle_train_s"] = round(time.perf_counter() - t0, 1)
    rng = np.random.default_rng(0)
    item_ids = rec.item_map.ids
    times = []
    for _ in range(200):
        picks = rng.choice(item_ids, size=int(rng.integers(0, 60)), replace=False).tolist()
        start = time.perf_counter()
        rec.recommend(user_id=None, history_ids=picks, keys=["gender:F", "age:25-34"], k=10)
        times.append((time.perf_counter() - start) * 1000)
    p95 = float(np.percentile(times, 95))
    summary["serving_items"] = len(item_ids)
    summary["serving_ms_p95"] = p95
    print(f"serving: {len(item_ids)} items, members {list(rec.weights)}")
    checks.append(
        check(f"serve one user, {len(item_ids)} items: p95 ms", p95, 5.0, lower_is_better=True)
    )

    empty = ds.interactions.take(np.zeros(len(ds.interactions), dtype=bool))
    full = Split("all", ds.interactions, ds.interactions, empty, ds.interactions, empty)
    prep = prepare(ds, full)
    t0 = time.perf_counter()
    make_model("lightfm").fit(prep.train)
    features_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    make_model("lightfm_baseline").fit(prep.train)
    plain_s = time.perf_counter() - t0
    summary["lightfm_train_s_ml_latest_small"] = {
        "lightfm": features_s,
        "lightfm_baseline": plain_s,
    }
    checks.append(
        check(
            "LightFM with features, training on ml-latest-small (s)",
            features_s,
            60.0,
            lower_is_better=True,
        )
    )
    checks.append(
        check(
            "LightFM WARP baseline training on ml-latest-small (s)",
            plain_s,
            60.0,
            lower_is_better=True,
        )
    )


def training(data: Path, checks: list, summary: dict) -> None:
    """What `manage.py train_recommender` costs an operator: the first EASE training on
    ml-latest-small (fixed hyperparameters, no tuning), the default kind on both datasets."""
    runs = [
        ("ml-latest-small", "ease", 60.0),
        ("ml-100k", DEFAULT_KIND, 300.0),
        ("ml-latest-small", DEFAULT_KIND, 300.0),
    ]
    for dataset, kind, target in runs:
        ds = load_movielens(data / dataset)
        t0 = time.perf_counter()
        train_recommender(ds.interactions, users=ds.users, items=ds.items, kind=kind)
        seconds = time.perf_counter() - t0
        summary[f"train_s_{dataset}_{kind}"] = seconds
        checks.append(
            check(
                f"train_recommender --kind {kind} on {dataset} (s)",
                seconds,
                target,
                lower_is_better=True,
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", default=os.environ.get("LLECOMMEND_DATA_DIR", "/work/shared/datasets")
    )
    parser.add_argument(
        "--skip", default="", help="comma-separated: ua,loo,foldin,latency,training"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sequential", action="store_true", help="also the sequential model")
    parser.add_argument("--name", default="recommender_bench", help="summary file name")
    args = parser.parse_args()
    data, skip = Path(args.data), set(args.skip.split(","))
    if args.sequential:
        MODELS.insert(-1, "sequential")
        FOLDIN_MODELS.insert(-1, "sequential")
    print(f"machine: {os.cpu_count()} CPUs (shared with other work: timings are upper bounds)")
    checks, summary = [], {}

    if "ua" not in skip:
        r = table(
            data,
            "ml-100k",
            "ua",
            MODELS,
            "ua",
            args.threads,
        )
        base = r.results["lightfm"]
        name, p10 = best(r.results, "precision@10")
        nd_name, ndcg = best(r.results, "ndcg@10")
        summary["ua"] = r.results
        checks.append(check(f"ua best P@10 ({name})", p10, 0.30))
        checks.append(
            check(f"ua best NDCG@10 ({nd_name}) vs 1.2 x lightfm", ndcg, 1.2 * base["ndcg@10"])
        )
        if "sequential" in r.results:
            checks.append(
                check(
                    "sequential training on ml-100k ua (s)",
                    r.results["sequential"]["train_s"],
                    600,
                    lower_is_better=True,
                )
            )

    if "loo" not in skip:
        r = table(
            data,
            "ml-latest-small",
            "loo",
            MODELS,
            "loo",
            args.threads,
        )
        summary["loo"] = r.results
        name, ndcg = best(r.results, "ndcg@10")
        print(
            "  published NDCG@10 (LlamaRec paper): "
            + ", ".join(f"{k} {v}" for k, v in PUBLISHED_LOO.items())
        )
        checks.append(
            check(f"ml-latest-small LOO best NDCG@10 ({name})", ndcg, PUBLISHED_LOO["LlamaRec"])
        )

    if "foldin" not in skip:
        r = table(
            data,
            "ml-100k",
            "foldin",
            FOLDIN_MODELS,
            "foldin",
            args.threads,
        )
        summary["foldin"] = r.results
        name, ndcg = best({k: v for k, v in r.results.items() if k != "popularity"}, "ndcg@10")
        checks.append(
            check(
                f"fold-in from 5 movies NDCG@10 ({name}) vs popularity",
                ndcg,
                r.results["popularity"]["ndcg@10"],
            )
        )

    if "latency" not in skip:
        latency(data, checks, summary)

    if "training" not in skip:
        training(data, checks, summary)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary["peak_rss_mb"] = round(peak, 1)
    summary["checks"] = checks
    print(f"peak RSS {peak:.0f} MB")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{args.name}.json").write_text(json.dumps(summary, indent=2, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
