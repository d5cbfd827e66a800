"""Training the recommender's members: the model factory, the fixed hyperparameters an
untuned training uses, and the tuning done on request (EASE's λ and recency decay, the blend
weights) on a random holdout. Used by the serving bundle (`bundle.train_recommender`) and the
offline evaluation alike.

Names: a *kind* is what an operator trains (`--kind`); a *member* is one model inside it.
Each name means one thing: the kind `blend` mixes members; the member `lightfm` is LightFM
WARP with user and item features (the kind `lightfm` is that member alone); the evaluation's
`lightfm_baseline` is the plain LightFM of the issue, with no features."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import metrics as M
from .data import Interactions, TrainSet, build_trainset
from .embedding_models import LightFMModel, Sequential
from .item_models import EASE, Transitions
from .models import Blend, Model, Popularity, Progress, standardize
from .progress import Step, Tracker
from .splits import holdout_random
from .targets import K, Targets, foldin_targets, mean_ndcg, rank_targets, score_targets, targets_for

MEMBERS = ("popularity", "lightfm", "lightfm_baseline", "ease", "markov", "sequential")
KINDS = ("blend", "ease", "lightfm", "sequential", "popularity")
# What an operator gets without --kind: trains in minutes on ml-100k or ml-latest-small on two
# cores (README, bench/README.md).
DEFAULT_KIND = "blend"
# How each kind is built (popularity is always kept for users with no movies yet). The
# sequential model is a kind of its own: it trains for up to 10 minutes by itself on 2 cores.
KIND_MEMBERS = {
    "blend": ("popularity", "lightfm", "ease", "markov"),
    "lightfm": ("lightfm",),
    "ease": ("ease",),
    "sequential": ("sequential",),
    "popularity": (),
}
# Names stored before the rename (ModelVersion rows, artifact manifests of format 1).
RENAMED_KINDS = {"hybrid": "blend"}
RENAMED_MEMBERS = {"hybrid": "lightfm"}

EASE_L2_GRID = (100.0, 250.0, 500.0, 1000.0)
EASE_DECAY_GRID = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)
# Without --tune, training uses these. They are what the tuning below chose on ml-latest-small
# (all 100,836 ratings, 10 random held-out per user, seed 0; bench/README.md, "fixed
# hyperparameters"), so a first training costs one fit per member.
FIXED_OPTIONS = {"ease": {"l2": 250.0, "decay": 1.0}}
FIXED_WEIGHTS = {"lightfm": 0.4, "ease": 0.6}
FIXED_FOLDIN_WEIGHTS = {"popularity": 0.2, "ease": 0.8}

Log = Callable[[str], None]


def make_model(name: str, *, seed: int = 0, threads: int = 1, **over) -> Model:
    """The configurations the evaluation and the training command share."""
    if name == "popularity":
        return Popularity()
    if name == "lightfm_baseline":
        # The baseline, exactly: WARP, 30 components, 30 epochs, lr 0.05, no features.
        return LightFMModel(
            features=False, components=30, epochs=30, learning_rate=0.05, seed=seed, threads=threads
        )
    if name == "lightfm":
        opts = {"components": 96, "epochs": 60, "learning_rate": 0.05, "alpha": 1e-6}
        opts.update(over)
        return LightFMModel(features=True, seed=seed, threads=threads, **opts)
    if name == "ease":
        return EASE(**over)
    if name == "markov":
        return Transitions(**over)
    if name == "sequential":
        return Sequential(seed=seed, **over)
    hint = " ('hybrid' is now 'lightfm')" if name in RENAMED_MEMBERS else ""
    raise ValueError(f"unknown model {name!r}{hint}; choose from {', '.join(MEMBERS)}")


# Seconds per unit of work for the estimate, measured on the shared 2-core machine under load
# (ml-100k and ml-latest-small; bench/README.md, "training time"): an order of magnitude.
EASE_S_PER_COLUMN3 = 3.5e-11  # one float32 Cholesky inverse of an n x n Gram matrix: n^3
EASE_S_PER_SCORE = 7e-9  # per interaction x column, one tuning evaluation
LIGHTFM_S_PER_UPDATE = 5e-8  # per interaction, epoch and component (WARP, one thread)
SEQUENTIAL_S_PER_UPDATE = 2e-4  # per interaction and epoch at 64 hidden units
BLEND_S_PER_CELL = 1e-8  # per user x item x weight combination
CHEAP_S_PER_INTERACTION = 2e-6  # popularity, transitions


def estimate_seconds(what: str, train: TrainSet, options: dict | None = None, *, n=1) -> float:
    """Estimated seconds of one step: a member's fit ("ease", "lightfm", ...), or a tuning
    grid ("tune_ease", "tune_blend" over `n` members)."""
    options = options or {}
    nnz = float(train.matrix.nnz)
    cols = min(int((train.item_counts() > 0).sum()), options.get("max_items", 8000))
    if what == "ease":
        return EASE_S_PER_COLUMN3 * cols**3 + CHEAP_S_PER_INTERACTION * nnz
    if what == "tune_ease":
        fits = len(EASE_L2_GRID) * EASE_S_PER_COLUMN3 * cols**3
        evals = len(EASE_L2_GRID) * len(EASE_DECAY_GRID) * nnz * cols
        return fits + EASE_S_PER_SCORE * evals
    if what in ("lightfm", "lightfm_baseline"):
        p = make_model(what, **options).params
        return LIGHTFM_S_PER_UPDATE * nnz * p["epochs"] * p["components"]
    if what == "sequential":
        p = make_model(what, **options).params
        scale = p.get("epochs", 50) * p.get("hidden", 64) / 64
        return min(SEQUENTIAL_S_PER_UPDATE * nnz * scale, p.get("max_seconds") or math.inf)
    if what == "tune_blend":
        steps = 10 if n <= 3 else 5
        combos = math.comb(steps + n - 1, n - 1) if n > 1 else 1
        return BLEND_S_PER_CELL * combos * train.n_users * train.n_items * 2
    return CHEAP_S_PER_INTERACTION * nnz


def canonical_kind(kind: str) -> str:
    kind = RENAMED_KINDS.get(kind, kind)
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    return kind


def available(member: str) -> bool:
    """The sequential model needs torch, an optional dependency."""
    if member != "sequential":
        return True
    try:
        from . import sequential  # noqa: F401
    except ImportError:
        return False
    return True


def tune_ease(
    fit: TrainSet, valid: Targets, log: Log, progress: Progress | None = None
) -> tuple[dict, EASE]:
    """λ and the recency decay, chosen on validation (one inversion per λ), and the chosen
    model fitted on `fit`."""
    best, best_opts, best_model = -1.0, {}, None
    for n, l2 in enumerate(EASE_L2_GRID, start=1):
        m = EASE(l2=l2).fit(fit)
        for decay in EASE_DECAY_GRID:
            m.params["decay"] = decay
            ndcg = mean_ndcg(m, valid)
            if ndcg > best:
                best, best_opts, best_model = ndcg, {"l2": l2, "decay": decay}, m
        if progress is not None:
            progress(n / len(EASE_L2_GRID))
    best_model.params["decay"] = best_opts["decay"]
    log(f"  ease {best_opts}: valid ndcg@10 {best:.4f}")
    return best_opts, best_model


def tune_blend(members: dict[str, Model], valid: Targets, log: Log) -> dict:
    """Grid over the simplex (steps of 0.1, or 0.2 beyond three members) on validation
    scores computed once per member."""
    names = list(members)
    z = {n: standardize(score_targets(members[n], valid, slice(None))) for n in names}
    blocked = np.zeros_like(z[names[0]], dtype=bool)
    for r, excl in enumerate(valid.excluded):
        blocked[r, excl] = True
    relevant = [set(r.tolist()) for r in valid.relevant]
    n_steps = 10 if len(names) <= 3 else 5
    best, best_w = -1.0, {names[0]: 1.0}
    for combo in itertools.product(range(n_steps + 1), repeat=len(names)):
        if sum(combo) != n_steps:
            continue
        mix = sum((c / n_steps) * z[n] for n, c in zip(names, combo, strict=True) if c)
        mix = np.where(blocked, -np.inf, mix)
        part = np.argpartition(-mix, K, axis=1)[:, :K]
        order = np.take_along_axis(part, np.argsort(-np.take_along_axis(mix, part, 1), 1), 1)
        ndcg = float(
            np.mean([M.ndcg_at_k(t, r) for t, r in zip(order.tolist(), relevant, strict=True)])
        )
        if ndcg > best + 1e-12:
            best, best_w = ndcg, {n: c / n_steps for n, c in zip(names, combo, strict=True)}
    log(f"  blend weights {best_w} (valid ndcg@10 {best:.4f})")
    return best_w


@dataclass
class Fitted:
    """The members of one recommender, fitted on everything, and how to mix them."""

    models: dict[str, Model]
    weights: dict[str, float]
    foldin_weights: dict[str, float]
    options: dict
    metrics: dict = field(default_factory=dict)


def fixed_weights(members: list[str], table: dict[str, float]) -> dict[str, float]:
    """`table`'s weights for `members`, rescaled to sum to 1 (equal ones if none is listed)."""
    known = {m: table[m] for m in members if table.get(m, 0) > 0}
    if not known:
        return {m: 1.0 / len(members) for m in members} if members else {}
    total = sum(known.values())
    return {m: w / total for m, w in known.items()}


def plan(train: TrainSet, members: list[str], *, tune: bool, options: dict) -> list[Step]:
    """The steps of one training and their estimated seconds (the progress bar's total)."""
    steps = []
    if tune and members:
        tuned_ease = "ease" in members and "ease" not in options
        if tuned_ease:
            steps.append(Step("tune ease", estimate_seconds("tune_ease", train)))
        for m in members:
            if m == "ease" and tuned_ease:
                continue
            steps.append(Step(f"fit {m} (tuning)", estimate_seconds(m, train, options.get(m))))
        steps.append(Step("tune weights", estimate_seconds("tune_blend", train, n=len(members))))
    steps.append(Step("fit popularity", estimate_seconds("popularity", train)))
    for m in members:
        if m != "popularity" and not (tune and m == "sequential"):
            steps.append(Step(f"fit {m}", estimate_seconds(m, train, options.get(m))))
    return steps


def fit_members(
    inter: Interactions,
    train: TrainSet,
    *,
    trainset_kw: dict,
    members: list[str],
    seed: int,
    options: dict,
    tune: bool,
    log: Log,
    tracker: Tracker,
) -> Fitted:
    """Fit `members` on `train` (built from `inter` with `trainset_kw`): with the fixed
    hyperparameters and weights, one fit per member; or, with `tune`, after `tune_members`.
    A member without weight is not fitted; popularity always is (users with no movies)."""
    if tune and members:
        fitted = tune_members(
            inter,
            train,
            trainset_kw,
            members=members,
            seed=seed,
            options=options,
            log=log,
            tracker=tracker,
        )
    else:
        fitted = Fitted(
            models={},
            weights=fixed_weights(members, FIXED_WEIGHTS),
            foldin_weights=fixed_weights(members, FIXED_FOLDIN_WEIGHTS),
            options={**{m: o for m, o in FIXED_OPTIONS.items() if m in members}, **options},
            metrics={"tuned": False},
        )
    with tracker.step("fit popularity"):
        fitted.models["popularity"] = Popularity().fit(train)
    for m in members:
        weighed = fitted.weights.get(m, 0) > 0 or fitted.foldin_weights.get(m, 0) > 0
        if m in fitted.models or not weighed:
            continue
        with tracker.step(f"fit {m}") as report:
            t0 = time.perf_counter()
            model = make_model(m, seed=seed, **fitted.options.get(m, {}))
            fitted.models[m] = model.fit(train, progress=report)
            fitted.metrics[f"fit_{m}_s"] = round(time.perf_counter() - t0, 2)
    return fitted


def tune_members(
    inter: Interactions,
    train: TrainSet,
    trainset_kw: dict,
    *,
    members: list[str],
    seed: int,
    options: dict,
    log: Log,
    tracker: Tracker,
) -> Fitted:
    """A random holdout of up to 10 interactions per user picks EASE's λ and decay and the
    blend weights (main, and for users folded in from a few movies). The members are refitted
    on everything afterwards, except the sequential model: its tuning fit is kept (its
    minutes are spent once; it misses only the held-out interactions)."""
    fit_part, valid_part = holdout_random(inter, per_user=10, seed=seed)
    fit_set = build_trainset(fit_part, **trainset_kw)
    valid = targets_for(fit_set, valid_part)
    tuned: dict[str, Model] = {}
    if "ease" in members and "ease" not in options:
        with tracker.step("tune ease") as report:
            ease_options, tuned["ease"] = tune_ease(fit_set, valid, log, report)
            options = {**options, "ease": ease_options}
    for m in members:
        if m not in tuned:
            with tracker.step(f"fit {m} (tuning)") as report:
                model = make_model(m, seed=seed, **options.get(m, {}))
                tuned[m] = model.fit(fit_set, progress=report)
    weights = foldin_weights = {m: 1.0 for m in members}
    with tracker.step("tune weights"):
        if len(members) > 1:
            weights = tune_blend(tuned, valid, log)
            new_users = foldin_targets(fit_set, valid)
            # Too few users with enough history to play "new": keep the main weights.
            enough = len(new_users.users) >= 20
            foldin_weights = tune_blend(tuned, new_users, log) if enough else weights
        tops, _ = rank_targets(Blend(tuned, weights), valid, fit_set.item_counts())
    pairs = [(t.tolist(), set(r.tolist())) for t, r in zip(tops, valid.relevant, strict=True)]
    kept = {}
    if "sequential" in tuned:
        kept["sequential"] = tuned["sequential"]
        kept["sequential"].sequences = train.sequences  # known users: their whole history
    return Fitted(
        models=kept,
        weights=weights,
        foldin_weights=foldin_weights,
        options=options,
        metrics={
            "tuned": True,
            "valid_precision@10": float(np.mean([M.precision_at_k(t, r) for t, r in pairs])),
            "valid_ndcg@10": float(np.mean([M.ndcg_at_k(t, r) for t, r in pairs])),
        },
    )
