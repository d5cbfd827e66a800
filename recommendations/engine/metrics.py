"""Top-k ranking metrics. Every function takes one user's ranked list (item indices, best
first) and that user's relevant set, so each can be checked by hand on a tiny case."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

METRIC_KEYS = (
    "precision@10",
    "recall@10",
    "ndcg@10",
    "mrr@10",
    "auc",
    "coverage",
    "novelty",
    "diversity",
    "train_s",
    "score_ms_p95",
)


def precision_at_k(ranked: Sequence[int], relevant: set[int], k: int = 10) -> float:
    return sum(1 for i in ranked[:k] if i in relevant) / k


def recall_at_k(ranked: Sequence[int], relevant: set[int], k: int = 10) -> float:
    if not relevant:
        return 0.0
    return sum(1 for i in ranked[:k] if i in relevant) / len(relevant)


def ndcg_at_k(ranked: Sequence[int], relevant: set[int], k: int = 10) -> float:
    dcg = sum(1.0 / np.log2(r + 2) for r, i in enumerate(ranked[:k]) if i in relevant)
    ideal = sum(1.0 / np.log2(r + 2) for r in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def mrr_at_k(ranked: Sequence[int], relevant: set[int], k: int = 10) -> float:
    for r, i in enumerate(ranked[:k]):
        if i in relevant:
            return 1.0 / (r + 1)
    return 0.0


def auc(scores: np.ndarray, relevant: np.ndarray, candidates: np.ndarray) -> float:
    """Probability that a relevant item outscores a non-relevant one, among `candidates`
    (the items the user could be recommended: everything but their train items). Ties
    count one half."""
    mask = np.zeros(len(scores), dtype=bool)
    mask[relevant] = True
    cand_scores = scores[candidates]
    is_pos = mask[candidates]
    n_pos = int(is_pos.sum())
    n_neg = len(candidates) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = _average_ranks(cand_scores)
    return float((ranks[is_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    sorted_vals = values[order]
    ranks = np.empty(len(values), dtype=np.float64)
    # Group equal values and give each the mean of its 1-based positions.
    starts = np.r_[0, np.flatnonzero(sorted_vals[1:] != sorted_vals[:-1]) + 1]
    ends = np.r_[starts[1:], len(values)]
    mean_rank = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def coverage(lists: Sequence[Sequence[int]], n_items: int) -> float:
    """Share of the catalogue that appears in at least one list."""
    return len({i for lst in lists for i in lst}) / n_items if n_items else 0.0


def novelty(lists: Sequence[Sequence[int]], item_counts: np.ndarray, n_users: int) -> float:
    """Mean self-information -log2(p(i)) of the recommended items, p(i) the share of training
    users who interacted with i (add-one smoothed so unseen items stay finite)."""
    p = (item_counts + 1.0) / (n_users + 1.0)
    info = -np.log2(p)
    values = [info[i] for lst in lists for i in lst]
    return float(np.mean(values)) if values else 0.0


def intra_list_diversity(lists: Sequence[Sequence[int]], item_vectors: np.ndarray) -> float:
    """Mean pairwise cosine distance inside each list, averaged over lists. Items with an
    all-zero vector count as unlike everything."""
    norms = np.linalg.norm(item_vectors, axis=1, keepdims=True)
    unit = np.divide(item_vectors, norms, out=np.zeros_like(item_vectors), where=norms > 0)
    values = []
    for lst in lists:
        if len(lst) < 2:
            continue
        v = unit[np.asarray(lst)]
        sim = v @ v.T
        n = len(lst)
        values.append(1.0 - (sim.sum() - np.trace(sim)) / (n * (n - 1)))
    return float(np.mean(values)) if values else 0.0


def top_k(scores: np.ndarray, k: int, excluded: np.ndarray | None = None) -> np.ndarray:
    """Indices of the k best scores, best first, skipping `excluded`; ties by lower index."""
    s = scores.astype(np.float64, copy=True)
    if excluded is not None and len(excluded):
        s[excluded] = -np.inf
    k = min(k, int(np.isfinite(s).sum()))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    part = np.argpartition(-s, k - 1)[:k]
    return part[np.lexsort((part, -s[part]))]
