"""Who is ranked and what counts as a hit: the target users of an evaluation or a tuning
holdout, their scores and top lists. Shared by tuning (`training.py`) and the offline
evaluation (`evaluation.py`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import metrics as M
from .data import TrainSet, build_trainset
from .models import Model, novelty_rescore
from .splits import FOLDIN_PICKS

K = 10


@dataclass
class Targets:
    """Who is evaluated and what each may not be recommended."""

    users: np.ndarray  # user indices
    relevant: list[np.ndarray]
    excluded: list[np.ndarray]
    histories: list[np.ndarray] | None  # fold-in: score from these instead of the user index
    keys: list[list[str]]


def targets_for(train: TrainSet, held, picks=None) -> Targets:
    rows = build_trainset(held, user_map=train.user_map, item_map=train.item_map)
    users = np.flatnonzero(np.diff(rows.matrix.indptr) > 0)
    relevant = [rows.matrix[u].indices for u in users]
    keys = [train.user_keys[u] for u in users]
    if picks is not None:
        p = build_trainset(picks, user_map=train.user_map, item_map=train.item_map)
        histories = [p.sequences[u] for u in users]
        return Targets(users, relevant, histories, histories, keys)
    excluded = [train.matrix[u].indices for u in users]
    return Targets(users, relevant, excluded, None, keys)


def score_targets(model: Model, t: Targets, rows: slice) -> np.ndarray:
    if t.histories is not None:
        return model.score_histories(t.histories[rows], t.keys[rows])
    return model.score_users(t.users[rows])


def rank_targets(
    model: Model, t: Targets, item_counts: np.ndarray, *, novelty: float = 0.0, chunk: int = 256
):
    """Top-K per target user and per-user AUC."""
    tops, aucs = [], []
    n_items = len(item_counts)
    for start in range(0, len(t.users), chunk):
        rows = slice(start, start + chunk)
        scores = novelty_rescore(score_targets(model, t, rows), item_counts, novelty)
        for r, s in enumerate(scores):
            idx = start + r
            excl = t.excluded[idx]
            tops.append(M.top_k(s, K, excl))
            cand = np.setdiff1d(np.arange(n_items), excl, assume_unique=True)
            aucs.append(M.auc(s, t.relevant[idx], cand))
    return tops, aucs


def mean_ndcg(model: Model, t: Targets) -> float:
    scores = score_targets(model, t, slice(None))
    return float(
        np.mean(
            [
                M.ndcg_at_k(M.top_k(s, K, t.excluded[i]).tolist(), set(t.relevant[i].tolist()))
                for i, s in enumerate(scores)
            ]
        )
    )


def foldin_targets(fit_set: TrainSet, valid: Targets) -> Targets:
    """Validation users as if new: their first few movies are the picks, everything else
    they watched is what a good list finds (their identity vectors are not used)."""
    users, relevant, histories, keys = [], [], [], []
    for u, held in zip(valid.users, valid.relevant, strict=True):
        seq = fit_set.sequences[u]
        if len(seq) <= FOLDIN_PICKS:
            continue
        users.append(u)
        histories.append(seq[:FOLDIN_PICKS])
        relevant.append(np.union1d(seq[FOLDIN_PICKS:], held))
        keys.append(fit_set.user_keys[u])
    return Targets(np.asarray(users), relevant, histories, histories, keys)
