"""Train/test splits. Each split also carves a validation part out of its train part (for
tuning the blend) so that the test set is never looked at before the final numbers.

- `ua`, `ub`, `u1`..`u5`: the official ml-100k files.
- `loo`: leave-one-out after a 5-core filter (LlamaRec protocol): last item of each user is
  test, the one before is validation.
- `temporal`: one global cut in time (last 20% of interactions are test); test users must
  have history before the cut.
- `foldin`: a seeded 10% of users are held out of training entirely; their first 5 movies are
  the picks they are folded in from, the rest is test.
- `random20`: a seeded random 20% of each user's interactions is test (rounded down), the
  per-user stratified split that public ml-100k tables use (e.g. 80/20 or 75/25 "random
  split"); it puts the models beside published figures, which `ua` (10 per user) cannot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import Dataset, Interactions, k_core, read_ml100k_ratings

FILE_SPLITS = ("ua", "ub", "u1", "u2", "u3", "u4", "u5")
SPLITS = (*FILE_SPLITS, "loo", "temporal", "foldin", "random20")
FOLDIN_PICKS = 5


@dataclass(frozen=True)
class Split:
    name: str
    universe: Interactions  # every interaction the item/user maps are built from
    train: Interactions  # what the final model trains on
    test: Interactions
    fit: Interactions  # train minus valid: for tuning
    valid: Interactions
    # foldin only: the picks of held-out users (not in train), used at scoring time; and the
    # same for the validation users held out of `fit`.
    picks: Interactions | None = None
    valid_picks: Interactions | None = None


def make_split(dataset: Dataset, name: str, *, seed: int = 0) -> Split:
    if name in FILE_SPLITS:
        if dataset.path is None or not (dataset.path / f"{name}.base").exists():
            raise ValueError(f"split {name!r} needs the ml-100k files {name}.base/{name}.test")
        train = read_ml100k_ratings(dataset.path / f"{name}.base")
        test = read_ml100k_ratings(dataset.path / f"{name}.test")
        fit, valid = holdout_random(train, per_user=10, seed=seed)
        return Split(name, dataset.interactions, train, test, fit, valid)
    if name == "loo":
        universe = k_core(dataset.interactions)
        train, test = leave_last_out(universe)
        fit, valid = leave_last_out(train)
        return Split(name, universe, train, test, fit, valid)
    if name == "temporal":
        train, test = temporal_cut(dataset.interactions, 0.8)
        fit, valid = temporal_cut(train, 0.9)
        return Split(name, dataset.interactions, train, test, fit, valid)
    if name == "foldin":
        return _foldin(dataset, seed=seed)
    if name == "random20":
        train, test = holdout_random(dataset.interactions, share=0.2, seed=seed)
        fit, valid = holdout_random(train, per_user=10, seed=seed + 1)
        return Split(name, dataset.interactions, train, test, fit, valid)
    raise ValueError(f"unknown split {name!r}; choose one of {', '.join(SPLITS)}")


def holdout_random(
    inter: Interactions, *, seed: int, per_user: int | None = None, share: float | None = None
) -> tuple:
    """Random interactions of each user: up to `per_user` of them (keeping at least as many in
    train), or `share` of them, rounded down."""
    if (per_user is None) == (share is None):
        raise ValueError("give one of per_user and share")
    rng = np.random.default_rng(seed)
    noise = rng.random(len(inter))
    order = np.lexsort((noise, inter.users))
    users = inter.users[order]
    starts = np.searchsorted(users, users, side="left")
    ends = np.searchsorted(users, users, side="right")
    pos = np.arange(len(users)) - starts
    size = ends - starts
    if share is not None:
        held_sorted = pos < np.floor(size * share)
    else:
        held_sorted = pos < np.minimum(per_user, size // 2)
    held = np.zeros(len(inter), dtype=bool)
    held[order] = held_sorted
    return inter.take(~held), inter.take(held)


def leave_last_out(inter: Interactions) -> tuple[Interactions, Interactions]:
    """The last interaction of each user (by time, ties by position) is held out."""
    order = np.lexsort((np.arange(len(inter)), inter.timestamps, inter.users))
    users = inter.users[order]
    last = np.r_[users[1:] != users[:-1], True]
    held = np.zeros(len(inter), dtype=bool)
    held[order[last]] = True
    return inter.take(~held), inter.take(held)


def temporal_cut(inter: Interactions, quantile: float) -> tuple[Interactions, Interactions]:
    order = np.argsort(inter.timestamps, kind="stable")
    cut = int(len(order) * quantile)
    before = np.zeros(len(inter), dtype=bool)
    before[order[:cut]] = True
    train, test = inter.take(before), inter.take(~before)
    return train, test.take(np.isin(test.users, np.unique(train.users)))


def _foldin(dataset: Dataset, *, seed: int) -> Split:
    inter = dataset.interactions
    train, picks, test = hold_out_users(inter, seed=seed)
    # Validation mimics the test: other users held out of `fit` and folded in from 5 movies.
    fit, valid_picks, valid = hold_out_users(train, seed=seed + 1)
    return Split("foldin", inter, train, test, fit, valid, picks=picks, valid_picks=valid_picks)


def hold_out_users(inter: Interactions, *, seed: int, share: float = 0.1) -> tuple:
    """(rows of the other users, first FOLDIN_PICKS rows of the held-out users, the rest)."""
    users = np.unique(inter.users)
    rng = np.random.default_rng(seed)
    held_users = rng.choice(users, size=max(1, int(len(users) * share)), replace=False)
    held = np.isin(inter.users, held_users)
    kept, rest = inter.take(~held), inter.take(held)
    # The first movies a user rated are the ones a new site user would pick at signup.
    first, _ = _first_n(rest, FOLDIN_PICKS)
    return kept, rest.take(first), rest.take(~first)


def _first_n(inter: Interactions, n: int) -> tuple[np.ndarray, None]:
    order = np.lexsort((np.arange(len(inter)), inter.timestamps, inter.users))
    users = inter.users[order]
    starts = np.searchsorted(users, users, side="left")
    first_sorted = (np.arange(len(users)) - starts) < n
    mask = np.zeros(len(inter), dtype=bool)
    mask[order] = first_sorted
    return mask, None
