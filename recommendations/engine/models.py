"""The recommender models behind one small interface.

Every model is fitted on a `TrainSet` and then scores all items either for users it was
trained on (`score_users`) or for anyone from a history of item indices plus side-feature keys
(`score_histories`: the fold-in path that serves site users without retraining). Each saves
to and loads from a folder of plain numpy/json files."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from .data import TrainSet
from .features import FeatureSpace

logger = logging.getLogger(__name__)


class Model:
    name: ClassVar[str] = ""

    def fit(self, train: TrainSet) -> Model:
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


def _write(folder: Path, params: dict, **arrays) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "params.json").write_text(json.dumps(params, sort_keys=True))
    np.savez(folder / "arrays.npz", **arrays)


def _read(folder: Path) -> tuple[dict, dict]:
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

    def fit(self, train: TrainSet) -> Popularity:
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
        _write(
            folder,
            {"segments": self.segments, "n_users": int(self.n_users)},
            counts=self.counts,
            segment_counts=self.segment_counts,
            segment_users=self.segment_users,
        )

    @classmethod
    def load(cls, folder: Path) -> Popularity:
        params, arrays = _read(folder)
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


class LightFMModel(Model):
    """LightFM WARP. `features=False` is the plain baseline of the issue (30 components,
    30 epochs, lr 0.05); `features=True` the hybrid with user and item side features and
    identity columns, so known entities keep their own vector and new ones share their
    features' vectors."""

    name = "lightfm"

    def __init__(
        self,
        *,
        features: bool = False,
        components: int = 30,
        epochs: int = 30,
        learning_rate: float = 0.05,
        schedule: str = "adagrad",
        alpha: float = 0.0,
        max_sampled: int = 10,
        seed: int = 0,
        threads: int = 1,
        foldin_reg: float = 1.0,
    ) -> None:
        self.params = {
            "features": features,
            "components": components,
            "epochs": epochs,
            "learning_rate": learning_rate,
            "schedule": schedule,
            "alpha": alpha,
            "max_sampled": max_sampled,
            "seed": seed,
            "threads": threads,
            "foldin_reg": foldin_reg,
        }
        if features:
            self.name = "hybrid"

    def fit(self, train: TrainSet) -> LightFMModel:
        from lightfm import LightFM  # a compiled extension: import only when training

        p = self.params
        model = LightFM(
            no_components=p["components"],
            loss="warp",
            learning_schedule=p["schedule"],
            learning_rate=p["learning_rate"],
            item_alpha=p["alpha"],
            user_alpha=p["alpha"],
            max_sampled=p["max_sampled"],
            random_state=np.random.RandomState(p["seed"]),
        )
        if p["features"]:
            self.user_space = FeatureSpace.build(train.user_keys, min_count=2)
            self.item_space = FeatureSpace.build(train.item_keys, min_count=2)
            uf = self.user_space.matrix(train.user_keys, identity=True)
            itf = self.item_space.matrix(train.item_keys, identity=True)
        else:
            self.user_space = FeatureSpace([])
            self.item_space = FeatureSpace([])
            uf = itf = None
        model.fit(
            train.matrix.tocoo(),
            user_features=uf,
            item_features=itf,
            epochs=p["epochs"],
            num_threads=p["threads"],
        )
        n_users, n_items = train.n_users, train.n_items
        uf = uf if uf is not None else sp.identity(n_users, format="csr", dtype=np.float32)
        itf = itf if itf is not None else sp.identity(n_items, format="csr", dtype=np.float32)
        self.user_repr = np.asarray(uf @ model.user_embeddings, dtype=np.float32)
        self.item_repr = np.asarray(itf @ model.item_embeddings, dtype=np.float32)
        self.item_bias = np.asarray(itf @ model.item_biases, dtype=np.float32).ravel()
        # Vectors of the demographic features alone: the prior of a folded-in user.
        self.user_feature_vectors = np.asarray(
            model.user_embeddings[n_users:] if p["features"] else np.zeros((0, p["components"])),
            dtype=np.float32,
        )
        self._prepare()
        return self

    def _prepare(self) -> None:
        self._gram = self.item_repr.T @ self.item_repr

    def score_users(self, users: np.ndarray) -> np.ndarray:
        return self.user_repr[users] @ self.item_repr.T + self.item_bias

    def fold_in_vectors(self, histories, user_keys) -> np.ndarray:
        """Closed-form implicit least squares for the user vector with items frozen: picked
        items are the positives (weight 1 + C), every other item a weak negative, the ridge
        pulls toward the demographic prior (the user's features' vectors)."""
        k = self.item_repr.shape[1]
        conf = 20.0
        reg = self.params["foldin_reg"] * np.eye(k, dtype=np.float32)
        out = np.zeros((len(histories), k), dtype=np.float32)
        for r, (hist, keys) in enumerate(zip(histories, user_keys, strict=True)):
            feats = self.user_space.row(keys)
            prior = (
                self.user_feature_vectors[feats].mean(axis=0)
                if len(feats)
                else np.zeros(k, dtype=np.float32)
            )
            if len(hist) == 0:
                out[r] = prior
                continue
            v = self.item_repr[np.asarray(hist)]
            a = self._gram + conf * (v.T @ v) + reg
            b = (1.0 + conf) * v.sum(axis=0) + reg @ prior
            out[r] = np.linalg.solve(a, b)
        return out

    def score_histories(self, histories, user_keys) -> np.ndarray:
        return self.fold_in_vectors(histories, user_keys) @ self.item_repr.T + self.item_bias

    def item_embeddings(self) -> np.ndarray:
        return self.item_repr

    def save(self, folder: Path) -> None:
        _write(
            folder,
            {
                **self.params,
                "user_features": self.user_space.names,
                "item_features": self.item_space.names,
            },
            user_repr=self.user_repr,
            item_repr=self.item_repr,
            item_bias=self.item_bias,
            user_feature_vectors=self.user_feature_vectors,
        )

    @classmethod
    def load(cls, folder: Path) -> LightFMModel:
        params, arrays = _read(folder)
        m = cls(**{k: v for k, v in params.items() if k not in ("user_features", "item_features")})
        m.user_space = FeatureSpace(params["user_features"])
        m.item_space = FeatureSpace(params["item_features"])
        for key, value in arrays.items():
            setattr(m, key, value)
        m._prepare()
        return m


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

    def fit(self, train: TrainSet) -> EASE:
        counts = train.item_counts()
        keep = np.flatnonzero(counts > 0)
        if len(keep) > self.params["max_items"]:
            top = np.argsort(-counts[keep], kind="stable")[: self.params["max_items"]]
            keep = np.sort(keep[top])
        x = train.matrix[:, keep].astype(np.float64)
        gram = (x.T @ x).toarray()
        gram[np.diag_indices_from(gram)] += self.params["l2"]
        p = np.linalg.inv(gram)
        b = -p / np.diag(p)
        b[np.diag_indices_from(b)] = 0.0
        self.columns = keep.astype(np.int64)
        self.weights = b.astype(np.float32)
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
        _write(
            folder,
            {**self.params, "n_items": self.n_items},
            columns=self.columns,
            weights=self.weights,
            lengths=lengths,
            flat=flat,
        )

    @classmethod
    def load(cls, folder: Path) -> EASE:
        params, a = _read(folder)
        m = cls(l2=params["l2"], decay=params["decay"], max_items=params["max_items"])
        m.n_items, m.columns, m.weights = params["n_items"], a["columns"], a["weights"]
        m.sequences = _unflatten(a["flat"], a["lengths"])
        return m


def _unflatten(flat: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    return list(np.split(flat, np.cumsum(lengths)[:-1])) if len(lengths) else []


class Transitions(Model):
    """First-order item transitions: how often item b came right after item a in users'
    time-ordered histories (row-normalised). A user's scores are the rows of their last few
    movies, the latest weighing most. Cheap, and it carries the "what next" signal that the
    leave-one-out protocol rewards."""

    name = "markov"

    def __init__(self, *, window: int = 5, decay: float = 0.5) -> None:
        self.params = {"window": window, "decay": decay}

    def fit(self, train: TrainSet) -> Transitions:
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
        _write(
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
        params, a = _read(folder)
        m = cls(**params)
        m.matrix = sp.csr_matrix((a["data"], a["indices"], a["indptr"]), shape=tuple(a["shape"]))
        m.sequences = _unflatten(a["flat"], a["lengths"])
        return m


class Sequential(Model):
    """Adapter over the BERT4Rec-style `SequentialRecommender` (recommendations/engine/
    sequential.py): the history, oldest first, is the sequence."""

    name = "sequential"
    # The sequential model's own defaults are its tuned ones; only bound the training time.
    DEFAULTS: ClassVar[dict] = {"max_seconds": 600.0}

    def __init__(self, **options) -> None:
        self.params = {**self.DEFAULTS, **options}
        self.inner = None

    def fit(self, train: TrainSet) -> Sequential:
        from .sequential import SequentialRecommender

        self.inner = SequentialRecommender(train.n_items, **self.params)
        self.inner.fit([s for s in train.sequences if len(s)])
        self.sequences = train.sequences
        return self

    def score_users(self, users: np.ndarray) -> np.ndarray:
        return np.asarray(self.inner.score([self.sequences[u] for u in users]), dtype=np.float32)

    def score_histories(self, histories, user_keys) -> np.ndarray:
        return np.asarray(self.inner.score(list(histories)), dtype=np.float32)

    def item_embeddings(self) -> np.ndarray:
        return np.asarray(self.inner.item_embeddings(), dtype=np.float32)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.inner.save(folder / "inner")
        lengths = np.asarray([len(s) for s in self.sequences])
        flat = np.concatenate(self.sequences) if self.sequences else np.empty(0, np.int64)
        _write(folder, self.params, lengths=lengths, flat=flat)

    @classmethod
    def load(cls, folder: Path) -> Sequential:
        from .sequential import SequentialRecommender

        params, a = _read(folder)
        m = cls(**params)
        m.inner = SequentialRecommender.load(folder / "inner")
        m.sequences = _unflatten(a["flat"], a["lengths"])
        return m


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

    def fit(self, train: TrainSet) -> Blend:
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
        for name in ("hybrid", "lightfm", "sequential"):
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
