"""Cold items: movies the recommender has no interactions for (synced from TMDb after training,
or in the catalogue without a rating yet), placed among the trained items by their features so
they can be recommended on day one, without a retrain. Plain numpy, no Django.

Placement (once per movie, when it is synced: `place`). Each movie is a sparse vector of its
item keys (`features.item_keys`: genres, decade, up to two directors, the top three cast, ten
keywords, original language); a key weighs KIND_WEIGHTS[its kind] times its inverse document
frequency over the trained items, so a shared director counts for far more than a shared
"Drama". Rows are L2-normalised. A cold movie's neighbours are the K trained items with
interactions whose cosine similarity to it is highest (at least MIN_SIM).

Scoring (per request: `ColdItems.scores`). For one user, s is the recommender's score of every
trained item and z = (s - mean(s)) / std(s). A movie of the user's own history counts as z_top,
the z of their best unwatched item (they chose it: at least as good a sign as our best guess;
an item-item model scores a watched movie by the others only), a dismissed one as -z_top. Then

    z_c = DISCOUNT * sum_j(sim_cj * z_j) / (sum_j(sim_cj) + PRIOR)
    s_c = mean(s) + std(s) * z_c

the neighbours' similarity-weighted mean, shrunk toward the average by PRIOR (few or weak
neighbours say little) and discounted: z_c < DISCOUNT * max_j z_j, so a guess from features
stays below the neighbours that earned their place with ratings, yet above movies unlike
anything the user likes. The discount is deliberate: placed the same way, a film that does have
ratings lands above the model's own rank for it four times in five on ml-latest-small (mostly
little-known films the model ranks low), so an undiscounted guess would be optimistic.

Day one (`fresh_slot`). Averaged like this, a new film by a director the user picked lands
where that director's typical film does: for a user who picked three films of one of the 40
most-watched directors of ml-latest-small (EASE), at rank 240 of 9.7k in the median, outside a
30-candidate pool, where it would wait for ratings it cannot get without being shown. So the
best placed movie whose score is in the user's top FRESH_TOP_SHARE of the trained movies takes
the last place of a top k that has no placed movie on merit (FRESH_SLOTS = 1): it stays below
every candidate that earned its place, and one guess per list displaces one candidate at most.
With 5%, that user's new film qualifies 98% of the time (1%: 12%, 3%: 72%), a new film by one
of the 39 other directors 5% of the time (3%: 1.5%).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

KIND_WEIGHTS = {
    "director": 2.0,
    "cast": 1.0,
    "genre": 1.0,
    "keyword": 0.5,
    "decade": 1.0,
    "lang": 1.0,
}
K = 20  # neighbours kept per cold movie
MIN_SIM = 0.05  # below this cosine a trained movie is no evidence
DISCOUNT = 0.6
PRIOR = 1.0
FRESH_SLOTS = 1
FRESH_TOP_SHARE = 0.05
FILE = "cold_items.npz"
KEYS_FILE = "item_keys.json"


def _kind(key: str) -> str:
    return key.split(":", 1)[0]


class FeatureIndex:
    """The trained items' feature vectors (only items with interactions are neighbours)."""

    def __init__(self, keys_per_item: Sequence[Sequence[str]], usable: np.ndarray) -> None:
        usable = np.asarray(usable, dtype=bool)
        self.n_items = len(keys_per_item)
        df = Counter(k for i in np.flatnonzero(usable) for k in set(keys_per_item[i]))
        n = max(int(usable.sum()), 1)
        self.vocab = {k: c for c, k in enumerate(sorted(df))}
        self.idf = np.array([math.log((1 + n) / (1 + df[k])) + 1 for k in sorted(df)])
        self._unseen_idf = math.log(1 + n) + 1
        rows, cols, vals = [], [], []
        for i in np.flatnonzero(usable):
            for c, w in self._weights(keys_per_item[i])[0].items():
                rows.append(i)
                cols.append(c)
                vals.append(w)
        m = sp.csr_matrix(
            (np.asarray(vals, dtype=np.float32), (rows, cols)),
            shape=(self.n_items, len(self.vocab)),
        )
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        self.matrix = sp.diags(1.0 / np.maximum(norms, 1e-12)).astype(np.float32) @ m

    def _weights(self, keys: Iterable[str]) -> tuple[dict[int, float], float]:
        """Known columns with their weights, and the squared weight of keys no trained item
        has (a debut director): they count in the norm, so they lower every similarity."""
        known, unseen = {}, 0.0
        for key in set(keys):
            w = KIND_WEIGHTS.get(_kind(key), 1.0)
            col = self.vocab.get(key)
            if col is None:
                unseen += (w * self._unseen_idf) ** 2
            else:
                known[col] = w * float(self.idf[col])
        return known, unseen

    def similarities(self, keys: Sequence[str]) -> np.ndarray:
        """Cosine similarity of a movie with `keys` to every trained item (0: no shared key)."""
        known, unseen = self._weights(keys)
        if not known:
            return np.zeros(self.n_items, dtype=np.float32)
        cols = np.fromiter(known, dtype=np.int64, count=len(known))
        vals = np.fromiter(known.values(), dtype=np.float64, count=len(known))
        norm = math.sqrt(float(vals @ vals) + unseen)
        return np.asarray(self.matrix[:, cols] @ (vals / norm), dtype=np.float32).ravel()


@dataclass
class ColdItems:
    """The placed movies: ids, and per movie its K neighbours (item indices, -1 for none) and
    their similarities (0 for none)."""

    ids: np.ndarray
    neighbours: np.ndarray
    similarity: np.ndarray

    @classmethod
    def empty(cls) -> ColdItems:
        return cls(
            np.empty(0, np.int64), np.full((0, K), -1, np.int64), np.zeros((0, K), np.float32)
        )

    def __len__(self) -> int:
        return len(self.ids)

    def merged(self, newer: ColdItems, *, drop: Iterable[int] = ()) -> ColdItems:
        """These placements with `newer`'s replacing any of the same movie, minus `drop`."""
        gone = set(newer.ids.tolist()) | {int(m) for m in drop}
        keep = np.asarray([int(m) not in gone for m in self.ids], dtype=bool)
        return ColdItems(
            np.concatenate([self.ids[keep], newer.ids]),
            np.concatenate([self.neighbours[keep], newer.neighbours]),
            np.concatenate([self.similarity[keep], newer.similarity]),
        )

    def scores(self, s: np.ndarray, *, history: np.ndarray, dismissed: np.ndarray) -> np.ndarray:
        """Each placed movie's score on the scale of `s` (see the module docstring)."""
        if not len(self):
            return np.zeros(0)
        s = np.asarray(s, dtype=np.float64)
        mean, std = float(s.mean()), float(s.std()) or 1.0
        z = (s - mean) / std
        own = np.zeros(len(z), dtype=bool)
        own[np.asarray(history, dtype=np.int64)] = True
        own[np.asarray(dismissed, dtype=np.int64)] = True
        z_top = max(float(z[~own].max()) if (~own).any() else 0.0, 0.0)
        z[np.asarray(history, dtype=np.int64)] = z_top
        z[np.asarray(dismissed, dtype=np.int64)] = -z_top
        sims = self.similarity.astype(np.float64)
        zn = np.where(self.neighbours >= 0, z[np.maximum(self.neighbours, 0)], 0.0)
        z_c = DISCOUNT * (sims * zn).sum(axis=1) / (sims.sum(axis=1) + PRIOR)
        return mean + std * z_c

    def because(self, row: int, history: np.ndarray, n: int = 3) -> list[int]:
        """Up to `n` item indices of the user's history among the movie's neighbours, most
        similar first."""
        mine = set(np.asarray(history).tolist())
        return [int(j) for j in self.neighbours[row] if j >= 0 and int(j) in mine][:n]

    # -- persistence -------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Written to a temporary file and renamed: a serving process never reads half a file."""
        path = Path(folder) / FILE
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cold-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, ids=self.ids, neighbours=self.neighbours, similarity=self.similarity)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load(cls, folder: str | Path) -> ColdItems:
        path = Path(folder) / FILE
        if not path.exists():
            return cls.empty()
        with np.load(path, allow_pickle=False) as a:
            return cls(a["ids"], a["neighbours"], a["similarity"])


def fresh_slot(trained: np.ndarray, placed: dict[int, float], k: int) -> int | None:
    """The placed movie (id -> score) that takes the last place of a top k (see the module
    docstring), or None: none scores in the top FRESH_TOP_SHARE of `trained` (the scores of the
    trained movies the user may be offered), or k is too small to give a place away."""
    if not placed or k < 2 or FRESH_SLOTS < 1:
        return None
    best = max(placed, key=placed.get)
    above = int((trained > placed[best]).sum())
    return best if above < FRESH_TOP_SHARE * max(len(trained), 1) else None


def place(index: FeatureIndex, keys_by_id: dict[int, Sequence[str]], *, k: int = K) -> ColdItems:
    """Neighbours of each movie of `keys_by_id` among the trained items (see the docstring);
    a movie with no neighbour at all gets none, and so scores the average."""
    ids = sorted(keys_by_id)
    neighbours = np.full((len(ids), k), -1, np.int64)
    similarity = np.zeros((len(ids), k), np.float32)
    for r, movie_id in enumerate(ids):
        sims = index.similarities(keys_by_id[movie_id])
        top = np.argsort(-sims, kind="stable")[:k]
        top = top[sims[top] >= MIN_SIM]
        neighbours[r, : len(top)] = top
        similarity[r, : len(top)] = sims[top]
    return ColdItems(np.asarray(ids, dtype=np.int64), neighbours, similarity)


def save_item_keys(folder: str | Path, keys_per_item: Sequence[Sequence[str]]) -> None:
    (Path(folder) / KEYS_FILE).write_text(json.dumps([list(k) for k in keys_per_item]))


def load_item_keys(folder: str | Path) -> list[list[str]] | None:
    path = Path(folder) / KEYS_FILE
    return json.loads(path.read_text()) if path.exists() else None
