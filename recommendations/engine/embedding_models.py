"""Models with item embeddings: LightFM (WARP, with or without side features) and the adapter
over the sequential model. Their item vectors are also the "nearest movies" space of the
serving bundle."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from .data import TrainSet
from .features import FeatureSpace
from .models import Model, Progress, read_folder, unflatten, write_folder


class LightFMModel(Model):
    """LightFM WARP. `features=True` (the member "lightfm") is the hybrid with user and item
    side features and identity columns, so known entities keep their own vector and new ones
    share their features' vectors; `features=False` (the evaluation's "lightfm_baseline") is
    the plain baseline of the issue (30 components, 30 epochs, lr 0.05)."""

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
        self.name = "lightfm" if features else "lightfm_baseline"

    def fit(self, train: TrainSet, *, progress: Progress | None = None) -> LightFMModel:
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
        interactions = train.matrix.tocoo()
        # One epoch per call, to report progress: the same shuffles and updates as one `fit`
        # of all the epochs (fit_partial keeps the state and the random generator).
        for epoch in range(p["epochs"]):
            model.fit_partial(
                interactions,
                user_features=uf,
                item_features=itf,
                epochs=1,
                num_threads=p["threads"],
            )
            if progress is not None:
                progress((epoch + 1) / p["epochs"])
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
        write_folder(
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
        params, arrays = read_folder(folder)
        m = cls(**{k: v for k, v in params.items() if k not in ("user_features", "item_features")})
        m.user_space = FeatureSpace(params["user_features"])
        m.item_space = FeatureSpace(params["item_features"])
        for key, value in arrays.items():
            setattr(m, key, value)
        m._prepare()
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

    def fit(self, train: TrainSet, *, progress: Progress | None = None) -> Sequential:
        from .sequential import SequentialRecommender

        self.inner = SequentialRecommender(train.n_items, **self.params)
        epochs, budget = self.inner.epochs, self.params.get("max_seconds")

        def on_epoch(epoch: int, elapsed: float) -> None:
            # Done after all epochs or at the time bound, whichever comes first.
            if progress is not None:
                progress(max(epoch / epochs, elapsed / budget if budget else 0.0))

        self.inner.fit([s for s in train.sequences if len(s)], on_epoch=on_epoch)
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
        write_folder(folder, self.params, lengths=lengths, flat=flat)

    @classmethod
    def load(cls, folder: Path) -> Sequential:
        from .sequential import SequentialRecommender

        params, a = read_folder(folder)
        m = cls(**params)
        m.inner = SequentialRecommender.load(folder / "inner")
        m.sequences = unflatten(a["flat"], a["lengths"])
        return m
