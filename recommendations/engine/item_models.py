"""Item-item models: EASE (a closed-form item autoencoder) and first-order item transitions.
Both score a user from their history alone, so a site user is scored exactly like a trained
one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .data import TrainSet
from .models import Model, Progress, read_folder, unflatten, write_folder


class EASE(Model):
    """Embarrassingly shallow autoencoder (Steck 2019): a closed-form item-item model,
    B = I - P / diag(P) with P = (XᵀX + λI)⁻¹. A user's scores are their history row times B,
    so a site user is scored exactly like a trained one. `decay` < 1 weighs the history by
    recency (the latest item 1, the one before `decay`, ...): "what next" rather than "what
    else". Only the `max_items` most popular items get a column (memory grows with the
    square); the rest score zero here."""

    name = "ease"

    def __init__(self, *, l2: float = 300.0, decay: float = 1.0, max_items: int = 8000) -> None:
        self.params = {"l2": l2, "decay": decay, "max_items": max_items}

    def fit(self, train: TrainSet, *, progress: Progress | None = None) -> EASE:
        counts = train.item_counts()
        keep = np.flatnonzero(counts > 0)
        if len(keep) > self.params["max_items"]:
            top = np.argsort(-counts[keep], kind="stable")[: self.params["max_items"]]
            keep = np.sort(keep[top])
        x = train.matrix[:, keep].astype(np.float32)
        # Sparse times dense: one pass over the interactions per column block, much faster
        # than a sparse-sparse product whose result is dense anyway. Counts are exact in
        # float32.
        gram = np.asarray(x.T @ x.toarray(), dtype=np.float32)
        gram[np.diag_indices_from(gram)] += self.params["l2"]
        self.columns = keep.astype(np.int64)
        self.weights = _ease_weights(gram)
        self.n_items = train.n_items
        self.sequences = train.sequences
        return self

    def _rows(self, histories: list[np.ndarray]) -> sp.csr_matrix:
        decay = self.params["decay"]
        hist = [np.asarray(h, dtype=np.int64) for h in histories]
        rows = np.repeat(np.arange(len(hist)), [len(h) for h in hist])
        cols = np.concatenate(hist) if hist else np.empty(0, np.int64)
        vals = np.concatenate(
            [decay ** np.arange(len(h) - 1, -1, -1, dtype=np.float64) for h in hist]
            if hist
            else [np.empty(0)]
        )
        # float32 like the weights: a float64 row would upcast the whole matrix per call.
        m = sp.csr_matrix((vals.astype(np.float32), (rows, cols)), shape=(len(hist), self.n_items))
        m.sum_duplicates()
        return m

    def _scores(self, rows: sp.csr_matrix) -> np.ndarray:
        out = np.zeros((rows.shape[0], self.n_items), dtype=np.float32)
        out[:, self.columns] = rows[:, self.columns] @ self.weights
        return out

    def score_users(self, users: np.ndarray) -> np.ndarray:
        return self._scores(self._rows([self.sequences[u] for u in users]))

    def score_histories(self, histories, user_keys) -> np.ndarray:
        return self._scores(self._rows(histories))

    def contributions(self, item: int, history: np.ndarray) -> np.ndarray:
        """How much each history item adds to `item`'s score (-inf where not modelled)."""
        out = np.full(len(history), -np.inf)
        col = np.searchsorted(self.columns, item)
        if col >= len(self.columns) or self.columns[col] != item:
            return out
        rows = np.minimum(np.searchsorted(self.columns, history), len(self.columns) - 1)
        ok = self.columns[rows] == history
        out[ok] = self.weights[rows[ok], col]
        return out

    def save(self, folder: Path) -> None:
        lengths = np.asarray([len(q) for q in self.sequences], dtype=np.int64)
        flat = np.concatenate(self.sequences) if self.sequences else np.empty(0, np.int64)
        write_folder(
            folder,
            {**self.params, "n_items": self.n_items},
            columns=self.columns,
            weights=self.weights,
            lengths=lengths,
            flat=flat,
        )

    @classmethod
    def load(cls, folder: Path) -> EASE:
        params, a = read_folder(folder)
        m = cls(l2=params["l2"], decay=params["decay"], max_items=params["max_items"])
        m.n_items, m.columns = params["n_items"], a["columns"]
        m.weights = np.ascontiguousarray(a["weights"])  # see _ease_weights
        m.sequences = unflatten(a["flat"], a["lengths"])
        return m


def _ease_weights(gram: np.ndarray, block: int = 1024) -> np.ndarray:
    """B = -P / diag(P), zero diagonal, for P = gram⁻¹, in place and in float32. The Gram
    matrix is symmetric positive definite (λ > 0), so a Cholesky inverse does half the work of
    a general one; float32 halves memory and time again (relative error ~1e-6 on
    ml-latest-small, far below what changes a top-10)."""
    from scipy.linalg import lapack

    factor, info = lapack.spotrf(gram, lower=0, clean=0, overwrite_a=1)
    if info == 0:
        p, info = lapack.spotri(factor, lower=0, overwrite_c=1)
    if info != 0:
        raise ValueError(f"EASE: the Gram matrix is not positive definite (LAPACK info {info})")
    # spotri fills the upper triangle only: mirror it, one block of rows at a time.
    n = len(p)
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        p[lo:hi, :lo] = p[:lo, lo:hi].T
        d = p[lo:hi, lo:hi]
        d[:] = np.triu(d) + np.triu(d, 1).T
    # LAPACK leaves it in column order: the transpose of a symmetric matrix is itself, in the
    # row order that a history row times it needs (20x faster per user than column order).
    p = p.T
    p /= -np.diag(p).copy()
    np.fill_diagonal(p, 0.0)
    return p


class Transitions(Model):
    """First-order item transitions: how often item b came right after item a in users'
    time-ordered histories (row-normalised). A user's scores are the rows of their last few
    movies, the latest weighing most. Cheap, and it carries the "what next" signal that the
    leave-one-out protocol rewards."""

    name = "markov"

    def __init__(self, *, window: int = 5, decay: float = 0.5) -> None:
        self.params = {"window": window, "decay": decay}

    def fit(self, train: TrainSet, *, progress: Progress | None = None) -> Transitions:
        src = np.concatenate([q[:-1] for q in train.sequences if len(q) > 1] or [np.empty(0)])
        dst = np.concatenate([q[1:] for q in train.sequences if len(q) > 1] or [np.empty(0)])
        n = train.n_items
        counts = sp.csr_matrix(
            (np.ones(len(src), dtype=np.float32), (src.astype(np.int64), dst.astype(np.int64))),
            shape=(n, n),
        )
        counts.sum_duplicates()
        out_deg = np.asarray(counts.sum(axis=1)).ravel()
        self.matrix = sp.diags(1.0 / np.maximum(out_deg, 1.0)).astype(np.float32) @ counts
        self.matrix = self.matrix.tocsr()
        self.sequences = train.sequences
        return self

    def _scores(self, histories) -> np.ndarray:
        w, d = self.params["window"], self.params["decay"]
        rows, cols, vals = [], [], []
        for r, h in enumerate(histories):
            last = np.asarray(h[-w:], dtype=np.int64)[::-1]
            rows += [r] * len(last)
            cols += last.tolist()
            vals += (d ** np.arange(len(last))).tolist()
        weights = sp.csr_matrix(
            (np.asarray(vals, dtype=np.float32), (rows, cols)),
            shape=(len(histories), self.matrix.shape[0]),
        )
        return np.asarray((weights @ self.matrix).toarray(), dtype=np.float32)

    def score_users(self, users):
        return self._scores([self.sequences[u] for u in users])

    def score_histories(self, histories, user_keys):
        return self._scores(histories)

    def save(self, folder: Path) -> None:
        m = self.matrix
        lengths = np.asarray([len(q) for q in self.sequences], dtype=np.int64)
        flat = np.concatenate(self.sequences) if self.sequences else np.empty(0, np.int64)
        write_folder(
            folder,
            self.params,
            data=m.data,
            indices=m.indices,
            indptr=m.indptr,
            shape=np.asarray(m.shape),
            lengths=lengths,
            flat=flat,
        )

    @classmethod
    def load(cls, folder: Path) -> Transitions:
        params, a = read_folder(folder)
        m = cls(**params)
        m.matrix = sp.csr_matrix((a["data"], a["indices"], a["indptr"]), shape=tuple(a["shape"]))
        m.sequences = unflatten(a["flat"], a["lengths"])
        return m
