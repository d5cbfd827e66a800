"""Sequential recommender benchmark: leave-one-out on MovieLens, the LlamaRec paper's protocol.

Per dataset: all ratings as implicit interactions, 5-core filtered (users and items with at
least 5 interactions, repeated until stable), each user's history ordered by timestamp (ties by
movie id); the last item is the test item, the one before it the validation item. The model
trains on everything before the validation item, early-stops on validation NDCG@10, and is
tested from the history up to (and including) the validation item. Full ranking over all
items with the user's history items excluded. Prints one table: NDCG@10, Recall@10, MRR@10,
train seconds, epochs, p95 ms to score one user, peak RSS.

    .venv/bin/python bench/sequential_bench.py                        # both datasets, defaults
    .venv/bin/python bench/sequential_bench.py --datasets ml-latest-small --causal
    .venv/bin/python bench/sequential_bench.py --set hidden=128 --set mask_prob=0.3

The loader is kept here on purpose (the engine's data module belongs to the evaluation code);
it reads the MovieLens folders directly.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommendations.engine.sequential import SequentialRecommender

DATA = Path("/work/shared/datasets")
PUBLISHED = (
    "ml-latest-small, LlamaRec paper: BERT4Rec 0.0366, SASRec 0.0522, LRURec 0.0705, "
    "LlamaRec 0.0759"
)


def load_ratings(folder: Path) -> pd.DataFrame:
    """user, item, timestamp for ml-100k (u.data) or the CSV family (ratings.csv)."""
    if (folder / "u.data").exists():
        df = pd.read_csv(folder / "u.data", sep="\t", names=["user", "item", "rating", "timestamp"])
    else:
        df = pd.read_csv(folder / "ratings.csv").rename(
            columns={"userId": "user", "movieId": "item"}
        )
    return df[["user", "item", "timestamp"]]


def five_core(df: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    while True:
        items = df["item"].value_counts()
        df = df[df["item"].isin(items.index[items >= k])]
        users = df["user"].value_counts()
        df = df[df["user"].isin(users.index[users >= k])]
        if df["item"].value_counts().min() >= k:
            return df


def sequences(df: pd.DataFrame) -> tuple[list[np.ndarray], int]:
    """Per-user item indices, oldest first (ties by movie id), and the number of items."""
    items = np.sort(df["item"].unique())
    index = {m: i for i, m in enumerate(items)}
    df = df.sort_values(["user", "timestamp", "item"], kind="stable")
    codes = df["item"].map(index).to_numpy(np.int64)
    bounds = np.flatnonzero(np.diff(df["user"].to_numpy())) + 1
    return list(np.split(codes, bounds)), len(items)


def rank_metrics(scores: np.ndarray, histories: list[np.ndarray], targets: np.ndarray) -> dict:
    rows = np.arange(len(targets))
    target = scores[rows, targets].copy()
    for r, h in enumerate(histories):
        scores[r, h] = -np.inf
    scores[rows, targets] = target
    rank = (scores > target[:, None]).sum(axis=1)
    hit = rank < 10
    return {
        "ndcg@10": float(np.where(hit, 1 / np.log2(rank + 2.0), 0).mean()),
        "recall@10": float(hit.mean()),
        "mrr@10": float(np.where(hit, 1 / (rank + 1.0), 0).mean()),
    }


def popularity_scores(train: list[np.ndarray], n_items: int, n: int) -> np.ndarray:
    counts = np.bincount(np.concatenate(train), minlength=n_items).astype(np.float32)
    return np.tile(counts, (n, 1))


def run(name: str, options: dict) -> dict:
    df = five_core(load_ratings(DATA / name))
    seqs, n_items = sequences(df)
    train = [s[:-2] for s in seqs]
    valid = [(s[:-2], int(s[-2])) for s in seqs]
    test_hist = [s[:-1] for s in seqs]
    test_items = np.asarray([s[-1] for s in seqs])
    pop = rank_metrics(popularity_scores(train, n_items, len(seqs)), test_hist, test_items)

    model = SequentialRecommender(n_items, **options)
    start = time.perf_counter()
    model.fit(train, valid=valid)
    train_s = time.perf_counter() - start
    metrics = rank_metrics(model.score(test_hist), test_hist, test_items)

    # One user at a time, the serving shape: the longest history (truncated to max_len).
    longest = max(test_hist, key=len)
    for _ in range(5):
        model.score([longest])
    times = []
    for _ in range(100):
        t0 = time.perf_counter()
        model.score([longest])
        times.append((time.perf_counter() - t0) * 1000)
    return {
        "dataset": name,
        "users": len(seqs),
        "items": n_items,
        "interactions": int(sum(len(s) for s in seqs)),
        "popularity": pop,
        **metrics,
        "train_s": train_s,
        "epochs_run": len(model.history),
        "best_epoch": model.best_epoch,
        "score_ms_p95": float(np.percentile(times, 95)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "options": {**model.config},
        "history": model.history,
    }


def parse_value(text: str):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="ml-latest-small,ml-100k")
    parser.add_argument("--causal", action="store_true", help="SASRec-style causal variant")
    parser.add_argument("--epochs", type=int, default=200)
    # One thread by default: on the shared, overloaded 2-core machine two OpenMP threads spent
    # their time spin-waiting (one-user scoring 630 ms with 2 threads vs 5 ms with 1).
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], help="hyper-parameter KEY=VALUE")
    parser.add_argument("--json", default="bench/out/sequential_bench.json")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    options = {"epochs": args.epochs, "causal": args.causal, "verbose": args.verbose}
    for item in args.set:
        key, _, value = item.partition("=")
        options[key] = parse_value(value)

    results = [run(name, options) for name in args.datasets.split(",")]
    print(f"\nSequential recommender, leave-one-out, 5-core, full ranking ({PUBLISHED})")
    print(f"torch threads: {args.threads} (shared machine: times are upper bounds)")
    print(f"options: {options}")
    head = (
        f"{'dataset':<16} {'users':>5} {'items':>5} {'NDCG@10':>8} {'R@10':>7} {'MRR@10':>7} "
        f"{'pop NDCG':>8} {'train s':>8} {'epochs':>6} {'best':>4} {'p95 ms':>7} {'RSS MB':>7}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r['dataset']:<16} {r['users']:>5} {r['items']:>5} {r['ndcg@10']:>8.4f} "
            f"{r['recall@10']:>7.4f} {r['mrr@10']:>7.4f} {r['popularity']['ndcg@10']:>8.4f} "
            f"{r['train_s']:>8.1f} {r['epochs_run']:>6} {r['best_epoch']!s:>4} "
            f"{r['score_ms_p95']:>7.2f} {r['peak_rss_mb']:>7.0f}"
        )
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
