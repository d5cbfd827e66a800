"""Offline evaluation: fit the chosen models on a split, rank every item for every test user
(train items excluded), compute the metrics, print one table, write JSON / PNG / top lists.

Used by `manage.py evaluate_recommender` and `bench/evaluate.py` alike (no Django here)."""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import metrics as M
from .data import Dataset, IdMap, TrainSet, build_trainset, load_movielens
from .features import item_keys, user_keys
from .models import Blend, Model
from .splits import Split, make_split
from .targets import K, Targets, rank_targets, score_targets, targets_for
from .threads import one_blas_thread
from .training import RENAMED_MEMBERS, make_model, tune_blend, tune_ease

BASE_MODELS = ("popularity", "lightfm_baseline", "lightfm", "ease", "markov", "sequential")
ALL_MODELS = (*BASE_MODELS, "blend")
BLEND_MEMBERS = ("popularity", "ease", "lightfm", "markov", "sequential")


def parse_models(text: str) -> list[str]:
    names = list(ALL_MODELS) if text.strip() == "all" else [t.strip() for t in text.split(",")]
    for n in names:
        if n not in ALL_MODELS:
            hint = " ('hybrid' is now 'lightfm')" if n in RENAMED_MEMBERS else ""
            raise ValueError(
                f"unknown model {n!r}{hint}; choose from {', '.join(ALL_MODELS)} or all"
            )
    return names


@dataclass
class Prepared:
    dataset: Dataset
    split: Split
    train: TrainSet
    fit: TrainSet
    item_vectors: np.ndarray  # for intra-list diversity


def prepare(dataset: Dataset, split: Split) -> Prepared:
    user_map = IdMap(split.universe.users)
    item_map = IdMap(split.universe.items)
    ukeys = [user_keys(dataset.users.get(int(u))) for u in user_map.ids]
    ikeys = [item_keys(dataset.items.get(int(i))) for i in item_map.ids]
    kw = {"user_map": user_map, "item_map": item_map, "user_keys": ukeys, "item_keys": ikeys}
    train = build_trainset(split.train, **kw)
    fit = build_trainset(split.fit, **kw)
    genres = sorted({k for keys in ikeys for k in keys if k.startswith("genre:")})
    if genres:
        col = {g: j for j, g in enumerate(genres)}
        vectors = np.zeros((len(item_map), len(genres)), dtype=np.float32)
        for i, keys in enumerate(ikeys):
            for k in keys:
                if k in col:
                    vectors[i, col[k]] = 1.0
    else:
        vectors = train.matrix.T.toarray()
    return Prepared(dataset, split, train, fit, vectors)


def summarize(tops, aucs, t: Targets, prep: Prepared) -> dict[str, float]:
    rel = [set(r.tolist()) for r in t.relevant]
    lists = [top.tolist() for top in tops]
    counts = prep.train.item_counts()
    aucs = [a for a in aucs if not np.isnan(a)]
    return {
        "precision@10": float(
            np.mean([M.precision_at_k(a, b) for a, b in zip(lists, rel, strict=True)])
        ),
        "recall@10": float(np.mean([M.recall_at_k(a, b) for a, b in zip(lists, rel, strict=True)])),
        "ndcg@10": float(np.mean([M.ndcg_at_k(a, b) for a, b in zip(lists, rel, strict=True)])),
        "mrr@10": float(np.mean([M.mrr_at_k(a, b) for a, b in zip(lists, rel, strict=True)])),
        "auc": float(np.mean(aucs)) if aucs else float("nan"),
        "coverage": M.coverage(lists, prep.train.n_items),
        "novelty": M.novelty(lists, counts, prep.train.n_users),
        "diversity": M.intra_list_diversity(lists, prep.item_vectors),
    }


def latency_ms_p95(model: Model, t: Targets, *, samples: int = 100, seed: int = 0) -> float:
    """Scoring all items plus picking the top 10 for one user at a time."""
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(t.users), size=min(samples, len(t.users)), replace=False)
    times = []
    with one_blas_thread():
        times = _timed(model, t, picks)
    return float(np.percentile(times, 95))


def _timed(model: Model, t: Targets, picks) -> list[float]:
    times = []
    for p in picks:
        start = time.perf_counter()
        s = score_targets(model, t, slice(p, p + 1))[0]
        M.top_k(s, K, t.excluded[p])
        times.append((time.perf_counter() - start) * 1000)
    return times


@dataclass
class Report:
    dataset: str
    split: str
    results: dict[str, dict[str, float]] = field(default_factory=dict)
    tops: dict[str, dict[int, list[int]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


def evaluate(
    dataset_dir: str | Path,
    split_name: str,
    model_names: list[str],
    *,
    seed: int = 0,
    novelty_levels: tuple[float, ...] = (0.3,),
    log: Callable[[str], None] = print,
    threads: int = 1,
) -> Report:
    started = time.perf_counter()
    dataset = load_movielens(dataset_dir)
    split = make_split(dataset, split_name, seed=seed)
    prep = prepare(dataset, split)
    report = Report(dataset.name, split_name)
    test = targets_for(prep.train, split.test, split.picks)
    valid = targets_for(prep.fit, split.valid, split.valid_picks)
    log(
        f"{dataset.name} / {split_name}: {prep.train.n_users} users, {prep.train.n_items} items, "
        f"{prep.train.matrix.nnz} train, {len(split.test)} test rows, {len(test.users)} test users"
    )
    counts = prep.train.item_counts()
    fitted: dict[str, tuple[Model, float]] = {}
    on_fit: dict[str, Model] = {}  # fitted without the validation rows (blend weights)
    wanted = set(model_names)
    # The blend mixes the other models asked for (all of them when only "blend" is named).
    pool = [n for n in BLEND_MEMBERS if n in wanted] or list(BLEND_MEMBERS)
    if "blend" in wanted:
        wanted |= set(pool)
    for name in BASE_MODELS:
        if name not in wanted:
            continue
        try:
            over = {}
            if name == "ease":
                over, on_fit["ease"] = tune_ease(prep.fit, valid, log)
            model = make_model(name, seed=seed, threads=threads, **over)
            t0 = time.perf_counter()
            model.fit(prep.train)
            fitted[name] = (model, time.perf_counter() - t0)
            log(f"  trained {name} in {fitted[name][1]:.1f}s")
        except ImportError as exc:
            report.notes.append(f"{name} skipped: {exc}")
            log(f"  {name} skipped: {exc}")

    if "blend" in model_names:
        members = [n for n in pool if n in fitted]
        if members:
            # Weights are tuned on models fitted without the validation rows, then applied
            # to the members fitted on the full train part.
            tuned = {
                n: on_fit.get(n) or make_model(n, seed=seed, threads=threads).fit(prep.fit)
                for n in members
            }
            weights = tune_blend(tuned, valid, log)
            blend = Blend({n: fitted[n][0] for n in members}, weights)
            fitted["blend"] = (blend, sum(fitted[n][1] for n, w in weights.items() if w > 0))
            report.meta["blend_weights"] = weights

    for name in model_names:
        if name not in fitted:
            continue
        model, train_s = fitted[name]
        levels = (0.0, *novelty_levels) if name == _knob_model(model_names, fitted) else (0.0,)
        for level in levels:
            label = name if level == 0 else f"{name}+novelty{level:g}"
            tops, aucs = rank_targets(model, test, counts, novelty=level)
            row = summarize(tops, aucs, test, prep)
            row["train_s"] = round(train_s, 3)
            row["score_ms_p95"] = latency_ms_p95(model, test, seed=seed)
            report.results[label] = row
            report.tops[label] = {
                int(prep.train.user_map.ids[u]): [int(prep.train.item_map.ids[i]) for i in top]
                for u, top in zip(test.users, tops, strict=True)
            }
    report.meta.update(
        {
            "users": prep.train.n_users,
            "items": prep.train.n_items,
            "train_rows": int(prep.train.matrix.nnz),
            "test_users": len(test.users),
            "seed": seed,
            "wall_s": round(time.perf_counter() - started, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    )
    return report


def _knob_model(model_names, fitted) -> str | None:
    """The novelty trade-off is shown for the strongest model asked for."""
    for name in ("blend", "ease", "lightfm", "sequential", "markov", "lightfm_baseline"):
        if name in model_names and name in fitted:
            return name
    return None


def format_table(report: Report) -> str:
    cols = M.METRIC_KEYS
    head = f"{'model':<24}" + "".join(f"{c:>14}" for c in cols)
    lines = [f"{report.dataset} / {report.split}", head, "-" * len(head)]
    for name, row in report.results.items():
        lines.append(f"{name:<24}" + "".join(f"{row[c]:>14.4f}" for c in cols))
    lines += [f"note: {n}" for n in report.notes]
    lines.append(
        f"peak RSS {report.meta.get('peak_rss_mb')} MB, wall {report.meta.get('wall_s')} s"
        + (f", blend {report.meta['blend_weights']}" if "blend_weights" in report.meta else "")
    )
    return "\n".join(lines)


def write_outputs(report: Report, *, json_path=None, dump_top=None, png_path=None) -> None:
    if json_path:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        payload = {
            **report.results,
            "_meta": {
                **report.meta,
                "dataset": report.dataset,
                "split": report.split,
                "notes": report.notes,
            },
        }
        Path(json_path).write_text(json.dumps(payload, indent=2))
    if dump_top:
        Path(dump_top).parent.mkdir(parents=True, exist_ok=True)
        Path(dump_top).write_text(json.dumps(report.tops))
    if png_path:
        plot(report, png_path)


def plot(report: Report, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ["precision@10", "recall@10", "ndcg@10", "mrr@10", "coverage"]
    names = list(report.results)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / max(1, len(names))
    for j, name in enumerate(names):
        xs = np.arange(len(keys)) + j * width
        ax.bar(xs, [report.results[name][k] for k in keys], width, label=name)
    ax.set_xticks(np.arange(len(keys)) + width * (len(names) - 1) / 2, keys)
    ax.set_title(f"{report.dataset} / {report.split}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
