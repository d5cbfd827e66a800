"""A trained recommender as one versioned artifact: id maps, feature keys, fitted models, blend
weights, data fingerprint and metrics in one folder; and the request-time scoring of any user
(trained or folded in from their picks) that the serving service calls.

Ids here are whatever the caller trains with: catalogue primary keys when serving, the
dataset's own ids in the benchmarks."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import metrics as M
from .cold import FILE as COLD_FILE
from .cold import ColdItems, fresh_slot, save_item_keys
from .data import IdMap, Interactions, ItemInfo, UserInfo, build_trainset
from .embedding_models import LightFMModel, Sequential
from .features import item_keys, user_keys
from .item_models import EASE, Transitions
from .models import Model, Popularity, novelty_rescore, standardize
from .progress import Tracker
from .threads import one_blas_thread
from .training import (
    DEFAULT_KIND,
    KIND_MEMBERS,
    RENAMED_KINDS,
    RENAMED_MEMBERS,
    available,
    canonical_kind,
    fit_members,
    plan,
)

# 2: the kind "blend" and the member "lightfm" (format 1 called both "hybrid").
FORMAT = 2
LOADERS: dict[str, type[Model]] = {
    "popularity": Popularity,
    "lightfm": LightFMModel,
    "ease": EASE,
    "markov": Transitions,
    "sequential": Sequential,
}
COLD_ENGINE = "{engine}+features"  # a movie placed from its features (engine.cold)
FOLDIN_MAX_HISTORY = 10  # up to this many movies, an unseen user gets `foldin_weights`
DISMISS_PENALTY = 1.0  # in z-score units, times the cosine similarity to a dismissed movie


class UnknownMovieError(ValueError):
    """A movie id the model (or the catalogue) does not know."""

    def __init__(self, movie_ids, message: str = "unknown movie id(s): {ids}") -> None:
        self.movie_ids = sorted(int(m) for m in movie_ids)
        shown = ", ".join(str(m) for m in self.movie_ids[:10])
        super().__init__(message.format(ids=shown))


def fingerprint(inter: Interactions, items: dict[int, ItemInfo]) -> str:
    """Same interactions and item metadata give the same hash, whatever the row order."""
    h = hashlib.sha256()
    order = np.lexsort((inter.items, inter.users))
    h.update(np.ascontiguousarray(inter.users[order]).tobytes())
    h.update(np.ascontiguousarray(inter.items[order]).tobytes())
    for i in sorted(items):
        h.update(f"{i}:{item_keys(items[i])}".encode())
    return h.hexdigest()


@dataclass
class Recommender:
    kind: str
    user_map: IdMap
    item_map: IdMap
    user_keys: list[list[str]]
    models: dict[str, Model]
    weights: dict[str, float]
    item_counts: np.ndarray
    fingerprint: str = ""
    metrics: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    # Weights for a user the model never saw with only a few movies (tuned on such users).
    foldin_weights: dict[str, float] = field(default_factory=dict)
    # Each item's feature keys at training (saved for placing cold items; not loaded).
    item_keys: list[list[str]] = field(default_factory=list)
    # Movies without interactions placed from their features (engine.cold), and the file's
    # stamp when read, so `cold_refresh` notices a newer placement.
    cold: ColdItems = field(default_factory=ColdItems.empty)
    folder: Path | None = None
    cold_stamp: tuple = ()

    # -- scoring -----------------------------------------------------------------------------
    def engine_name(self) -> str:
        return self.kind if self.weights else "popularity"

    def scores(
        self,
        *,
        user_id: int | None,
        history_ids: list[int],
        keys: list[str],
        dismissed_ids: list[int] = (),
        novelty: float = 0.0,
        strict: bool = False,
    ) -> tuple[np.ndarray, str]:
        """Scores over `item_map` for one user, and the engine that produced them.

        A user the model was trained on keeps their trained vector (LightFM); everyone else is
        folded in from `history_ids` (oldest first) and their demographic `keys`. With no
        history at all: popularity within the user's demographic cell. `strict` raises
        `UnknownMovieError` for history ids the model does not know (otherwise they are
        skipped: movies added to the catalogue after training)."""
        hist = self.known_indices(history_ids, strict=strict)
        uidx = self.user_map.get(user_id) if user_id is not None else None
        weights = self.weights
        if uidx is None and len(hist) <= FOLDIN_MAX_HISTORY and self.foldin_weights:
            weights = self.foldin_weights
        if len(hist) == 0 or not weights or set(weights) == {"popularity"}:
            s = self.models["popularity"].score_histories([hist], [keys])[0]
            engine = "popularity"
        else:
            parts = {}
            for name in weights:
                model = self.models[name]
                if uidx is not None and isinstance(model, LightFMModel):
                    parts[name] = model.score_users(np.array([uidx]))[0]
                else:
                    parts[name] = model.score_histories([hist], [keys])[0]
            s = sum(w * standardize(parts[n][None, :])[0] for n, w in weights.items())
            engine = self.engine_name()
        s = np.asarray(s, dtype=np.float64)
        if novelty > 0:
            s = novelty_rescore(s[None, :], self.item_counts, novelty)[0]
        dismissed = self.known_indices(dismissed_ids)
        emb = self.item_embeddings()
        if len(dismissed) and emb is not None:
            # "Not interested" also pushes down what looks like the dismissed movie.
            s = standardize(s[None, :])[0] - DISMISS_PENALTY * np.maximum(
                _cosine(emb, emb[dismissed]).max(axis=1), 0
            )
        return s, engine

    def recommend(
        self,
        *,
        user_id: int | None,
        history_ids: list[int],
        keys: list[str],
        k: int,
        excluded_ids: set[int] = frozenset(),
        dismissed_ids: list[int] = (),
        novelty: float = 0.0,
        strict: bool = False,
        fresh_within: int | None = None,
    ) -> list[tuple[int, float, str, list[int]]]:
        """The top `k` (movie id, score, engine, because ids), never an excluded or history
        movie. Placed movies (engine.cold) compete on their score; when none is among the first
        `fresh_within` (default k: the caller shows them all), the best one the user would like
        is put at place `fresh_within` (engine.cold.fresh_slot)."""
        with one_blas_thread():
            return self._recommend(
                user_id=user_id,
                history_ids=history_ids,
                keys=keys,
                k=k,
                excluded_ids=excluded_ids,
                dismissed_ids=dismissed_ids,
                novelty=novelty,
                strict=strict,
                fresh_within=min(k, fresh_within or k),
            )

    def _recommend(
        self, *, user_id, history_ids, keys, k, excluded_ids, dismissed_ids, novelty, strict,
        fresh_within,
    ):  # fmt: skip
        s, engine = self.scores(
            user_id=user_id,
            history_ids=history_ids,
            keys=keys,
            dismissed_ids=dismissed_ids,
            novelty=novelty,
            strict=strict,
        )
        hist = self.known_indices(history_ids)
        blocked = self.known_indices(set(excluded_ids) | set(dismissed_ids))
        cold, skip = self.cold, set(history_ids) | set(excluded_ids) | set(dismissed_ids)
        placed = {}  # movie id -> (score, row in cold)
        if len(cold):
            values = cold.scores(s, history=hist, dismissed=self.known_indices(dismissed_ids))
            placed = {
                int(m): (float(v), r)
                for r, (m, v) in enumerate(zip(cold.ids, values, strict=True))
                if int(m) not in skip
            }
            s = s.copy()
            for m, (v, _r) in placed.items():
                if m in self.item_map:  # trained without interactions: its place replaces 0
                    s[self.item_map.index(m)] = v
        offered = np.ones(len(s), dtype=bool)
        offered[np.concatenate([hist, blocked]).astype(np.int64)] = False
        top = M.top_k(s, k, np.flatnonzero(~offered))
        out = [
            (int(self.item_map.ids[i]), float(s[i]), engine, self.because(int(i), hist))
            for i in top
            if int(self.item_map.ids[i]) not in placed
        ]
        cold_engine = COLD_ENGINE.format(engine=engine)
        rows_cold = [
            (m, v, cold_engine, [int(self.item_map.ids[j]) for j in cold.because(r, hist)])
            for m, (v, r) in placed.items()
        ]
        out += rows_cold
        out.sort(key=lambda row: -row[1])
        if placed and not any(row[0] in placed for row in out[:fresh_within]):
            # Day one: a placed movie the user would like may take the last place (engine.cold).
            offered[[self.item_map.index(m) for m in placed if m in self.item_map]] = False
            scores = {m: v for m, (v, _r) in placed.items()}
            fresh = fresh_slot(s[offered], scores, fresh_within)
            if fresh is not None and len(out) >= fresh_within:
                row = next(row for row in rows_cold if row[0] == fresh)
                out.remove(row)
                out.insert(fresh_within - 1, row)
        return out[:k]

    def cold_scores(self, s: np.ndarray, *, history_ids, dismissed_ids=()) -> dict[int, float]:
        """Scores of the placed cold movies for the user whose trained-item scores are `s`
        (from `scores`), on the same scale: {movie id: score}."""
        cold = self.cold
        if not len(cold):
            return {}
        values = cold.scores(
            s,
            history=self.known_indices(history_ids),
            dismissed=self.known_indices(dismissed_ids),
        )
        return {int(m): float(v) for m, v in zip(cold.ids, values, strict=True)}

    def cold_refresh(self) -> bool:
        """Re-read the cold placements if another process wrote newer ones; True if it did."""
        if self.folder is None:
            return False
        stamp = _stamp(self.folder / COLD_FILE)
        if stamp == self.cold_stamp:
            return False
        self.cold, self.cold_stamp = ColdItems.load(self.folder), stamp
        return True

    def known_indices(self, ids, *, strict: bool = False) -> np.ndarray:
        ids = list(ids)
        missing = [m for m in ids if m not in self.item_map]
        if strict and missing:
            raise UnknownMovieError(missing)
        seen, out = set(), []
        for m in ids:
            if m in self.item_map and m not in seen:
                seen.add(m)
                out.append(self.item_map.index(m))
        return np.asarray(out, dtype=np.int64)

    def item_embeddings(self) -> np.ndarray | None:
        # Any trained embedding model serves as the "nearest movies" space, blended or not.
        for name in ("lightfm", "sequential"):
            if name in self.models:
                return self.models[name].item_embeddings()
        return None

    def because(self, item: int, history: np.ndarray, n: int = 3) -> list[int]:
        """Up to `n` of the user's movies nearest to `item`: cosine in the item-embedding
        space, or, for an item-item model, the history items that add most to its score."""
        if len(history) == 0:
            return []
        emb = self.item_embeddings()
        if emb is not None:
            sims = _cosine(emb[history], emb[[item]])[:, 0]
        elif "ease" in self.models:
            sims = self.models["ease"].contributions(item, history)
        else:
            return []
        order = np.argsort(-sims, kind="stable")[:n]
        return [int(self.item_map.ids[history[j]]) for j in order if np.isfinite(sims[j])]

    # -- persistence -------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "user_ids.npy", self.user_map.ids)
        np.save(folder / "item_ids.npy", self.item_map.ids)
        np.save(folder / "item_counts.npy", self.item_counts)
        for name, model in self.models.items():
            model.save(folder / name)
        if self.item_keys:
            save_item_keys(folder, self.item_keys)
        if len(self.cold):
            self.cold.save(folder)
        manifest = {
            "format": FORMAT,
            "kind": self.kind,
            "models": sorted(self.models),
            "weights": self.weights,
            "foldin_weights": self.foldin_weights,
            "fingerprint": self.fingerprint,
            "metrics": self.metrics,
            "params": self.params,
            "user_keys": self.user_keys,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest))
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Recommender:
        folder = Path(folder)
        manifest = json.loads((folder / "manifest.json").read_text())
        if manifest.get("format") not in (1, FORMAT):
            raise ValueError(f"{folder}: artifact format {manifest.get('format')} != {FORMAT}")
        # Format 1 named the blend kind and the LightFM member "hybrid" (the folder keeps it).
        old = RENAMED_MEMBERS if manifest["format"] == 1 else {}
        new = {name: old.get(name, name) for name in manifest["models"]}
        models = {new[n]: LOADERS[new[n]].load(folder / n) for n in manifest["models"]}
        kind = manifest["kind"]
        stamp = _stamp(folder / COLD_FILE)
        return cls(
            kind=RENAMED_KINDS.get(kind, kind) if manifest["format"] == 1 else kind,
            user_map=IdMap(np.load(folder / "user_ids.npy")),
            item_map=IdMap(np.load(folder / "item_ids.npy")),
            user_keys=manifest["user_keys"],
            models=models,
            weights={old.get(n, n): w for n, w in manifest["weights"].items()},
            foldin_weights={
                old.get(n, n): w for n, w in manifest.get("foldin_weights", {}).items()
            },
            item_counts=np.load(folder / "item_counts.npy"),
            fingerprint=manifest["fingerprint"],
            metrics=manifest["metrics"],
            params=manifest["params"],
            cold=ColdItems.load(folder),
            folder=folder,
            cold_stamp=stamp,
        )


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
    except FileNotFoundError:
        return ()
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    an = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    bn = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return an @ bn.T


def train_recommender(
    inter: Interactions,
    *,
    users: dict[int, UserInfo],
    items: dict[int, ItemInfo],
    kind: str = DEFAULT_KIND,
    seed: int = 0,
    options: dict | None = None,
    tune: bool = False,
    members: tuple[str, ...] | None = None,
    log=lambda _msg: None,
    tracker: Tracker | None = None,
) -> Recommender:
    """Fit a whole recommender of `kind` on `inter` (ids as given): fixed hyperparameters and
    one fit per member, or, with `tune`, tuned on a random holdout first
    (`training.fit_members`). `tracker` shows the progress (estimated seconds per step)."""
    kind = canonical_kind(kind)
    options = options or {}
    tracker = tracker or Tracker()
    started = time.perf_counter()
    user_map = IdMap(inter.users)
    item_map = IdMap(set(inter.items.tolist()) | set(items))
    ukeys = [user_keys(users.get(int(u))) for u in user_map.ids]
    ikeys = [item_keys(items.get(int(i))) for i in item_map.ids]
    kw = {"user_map": user_map, "item_map": item_map, "user_keys": ukeys, "item_keys": ikeys}
    train = build_trainset(inter, **kw)
    members = [m for m in (members or KIND_MEMBERS[kind]) if available(m)]
    tracker.begin(plan(train, members, tune=tune, options=options))
    fitted = fit_members(
        inter,
        train,
        trainset_kw=kw,
        members=members,
        seed=seed,
        options=options,
        tune=tune,
        log=log,
        tracker=tracker,
    )
    tracker.end()
    metrics = {
        "users": train.n_users,
        "items": train.n_items,
        "interactions": int(train.matrix.nnz),
        **fitted.metrics,
        "train_s": round(time.perf_counter() - started, 2),
    }
    return Recommender(
        kind=kind,
        user_map=user_map,
        item_map=item_map,
        user_keys=ukeys,
        models=fitted.models,
        weights={m: w for m, w in fitted.weights.items() if w > 0},
        foldin_weights={m: w for m, w in fitted.foldin_weights.items() if w > 0},
        item_counts=train.item_counts(),
        item_keys=ikeys,
        fingerprint=fingerprint(inter, items),
        metrics=metrics,
        params={"seed": seed, "options": fitted.options, "members": members, "tuned": tune},
    )
