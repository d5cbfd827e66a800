"""The recommender models' one small interface, popularity, and the blend that mixes them.

Every model is fitted on a `TrainSet` and then scores all items either for users it was
trained on (`score_users`) or for anyone from a history of item indices plus side-feature keys
(`score_histories`: the fold-in path that serves site users without retraining). Each saves
to and loads from a folder of plain numpy/json files. The other models live in
`item_models.py` (EASE, item transitions) and `embedding_models.py` (LightFM, the sequential
adapter)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import numpy as np

from .data import TrainSet

# Called during a long fit with the share of it done so far (0..1): a progress bar's input.
Progress = Callable[[float], None]


class Model:
    name: ClassVar[str] = ""

    def fit(self, train: TrainSet, *, progress: Progress | None = None) -> Model:
        raise NotImplementedError

    def score_users(self, users: np.ndarray) -> np.ndarray:
        """Scores [len(users), n_items] for trained users (by index)."""
        raise NotImplementedError

    def score_histories(
        self, histories: list[np.ndarray], user_keys: list[list[str]]
    ) -> np.ndarray:
        """Scores [len(histories), n_items] for users given only their items (oldest first)
        and their side-feature keys."""
        raise NotImplementedError

    def item_embeddings(self) -> np.ndarray | None:
        return None

    def save(self, folder: Path) -> None:
        raise NotImplementedError

    @classmethod
    def load(cls, folder: Path) -> Model:
        raise NotImplementedError


def write_folder(folder: Path, params: dict, **arrays) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "params.json").write_text(json.dumps(params, sort_keys=True))
    np.savez(folder / "arrays.npz", **arrays)


def read_folder(folder: Path) -> tuple[dict, dict]:
    params = json.loads((folder / "params.json").read_text())
    with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
        return params, {k: npz[k] for k in npz.files}


class Popularity(Model):
    """Most interacted items first. With side keys, popularity within the user's
    demographic cell (age bucket and gender), shrunk toward the global order."""

    name = "popularity"
    SHRINK = 50.0  # a cell of 50 users weighs as much as the global order

    def __init__(self) -> None:
        self.counts = np.zeros(0, dtype=np.float32)
        self.segments: list[str] = []
        self.segment_counts = np.zeros((0, 0), dtype=np.float32)
        self.segment_users = np.zeros(0, dtype=np.float32)

    def fit(self, train: TrainSet, *, progress: Progress | None = None) -> Popularity:
        self.counts = train.item_counts().astype(np.float32)
        cells = [_cell(keys) for keys in train.user_keys]
        self.segments = sorted({c for c in cells if c})
        index = {s: i for i, s in enumerate(self.segments)}
        self.segment_counts = np.zeros((len(self.segments), train.n_items), dtype=np.float32)
        self.segment_users = np.zeros(len(self.segments), dtype=np.float32)
        for u, cell in enumerate(cells):
            if cell:
                row = train.matrix.indices[train.matrix.indptr[u] : train.matrix.indptr[u + 1]]
                self.segment_counts[index[cell], row] += 1
                self.segment_users[index[cell]] += 1
        self.n_users = train.n_users
        return self

    def _global(self) -> np.ndarray:
        return self.counts / max(1.0, float(self.n_users))

    def score_users(self, users: np.ndarray) -> np.ndarray:
        return np.tile(self._global(), (len(users), 1))

    def score_histories(self, histories, user_keys) -> np.ndarray:
        out = np.tile(self._global(), (len(histories), 1))
        index = {s: i for i, s in enumerate(self.segments)}
        for r, keys in enumerate(user_keys):
            s = index.get(_cell(keys))
            if s is not None:
                n = self.segment_users[s]
                out[r] = (self.segment_counts[s] + self.SHRINK * self._global()) / (n + self.SHRINK)
        return out

    def save(self, folder: Path) -> None:
        write_folder(
            folder,
            {"segments": self.segments, "n_users": int(self.n_users)},
            counts=self.counts,
            segment_counts=self.segment_counts,
            segment_users=self.segment_users,
        )

    @classmethod
    def load(cls, folder: Path) -> Popularity:
        params, arrays = read_folder(folder)
        m = cls()
        m.segments, m.n_users = params["segments"], params["n_users"]
        m.counts = arrays["counts"]
        m.segment_counts = arrays["segment_counts"]
        m.segment_users = arrays["segment_users"]
        return m


def _cell(keys: list[str]) -> str:
    age = next((k for k in keys if k.startswith("age:")), "")
    gender = next((k for k in keys if k.startswith("gender:")), "")
    return f"{age}|{gender}" if age or gender else ""


def unflatten(flat: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    return list(np.split(flat, np.cumsum(lengths)[:-1])) if len(lengths) else []


def standardize(scores: np.ndarray) -> np.ndarray:
    """Per-row z-scores, so models with different scales can be mixed."""
    mean = scores.mean(axis=1, keepdims=True)
    std = scores.std(axis=1, keepdims=True)
    return (scores - mean) / np.where(std > 0, std, 1.0)


class Blend(Model):
    """A weighted sum of the members' per-user z-scored scores (weights tuned on
    validation by the caller)."""

    name = "blend"

    def __init__(self, members: dict[str, Model], weights: dict[str, float]) -> None:
        self.members = members
        self.weights = {k: float(v) for k, v in weights.items() if v > 0}

    def fit(self, train: TrainSet, *, progress: Progress | None = None) -> Blend:
        for name in self.weights:
            self.members[name].fit(train)
        return self

    def _mix(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        return sum(w * standardize(parts[n]) for n, w in self.weights.items())

    def score_users(self, users):
        return self._mix({n: self.members[n].score_users(users) for n in self.weights})

    def score_histories(self, histories, user_keys):
        return self._mix(
            {n: self.members[n].score_histories(histories, user_keys) for n in self.weights}
        )

    def item_embeddings(self) -> np.ndarray | None:
        for name in ("lightfm", "lightfm_baseline", "sequential"):
            if name in self.weights:
                return self.members[name].item_embeddings()
        return None


def novelty_rescore(scores: np.ndarray, item_counts: np.ndarray, novelty: float) -> np.ndarray:
    """The novelty knob: z-scored scores minus `novelty` times the z-scored log popularity.
    0 leaves the order alone; 1 weighs "less popular" as much as the model's own opinion."""
    if novelty <= 0:
        return scores
    pop = np.log1p(item_counts.astype(np.float64))[None, :]
    return standardize(scores) - novelty * standardize(pop)
