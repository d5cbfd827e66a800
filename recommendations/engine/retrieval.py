"""The numeric side of request-aware retrieval (no Django): item-item similarity from the
recommender's own model, the blend of personal score and soft preferences, and the fit score.

Similarity between two movies is the recommender's own: the cosine of their item embeddings
when a trained embedding model is part of it (LightFM, sequential), else EASE's item-item
weight (how much having watched one adds to the other's score). Movies the model does not know
have no similarity (NaN), never a guessed one; a movie placed from its features (engine.cold)
is, to the model, the similarity-weighted mix of its neighbours, and so is its similarity.

The fit score (1-10) is documented here, because the page shows it as a number:

    q   = p                         when the user asked for nothing
    q   = (p + m) / 2               when they did
    fit = 1 + round(9 * q)

where p is the movie's percentile of the personal score among every movie the recommender
could offer this user (all the movies it knows, minus the user's own), and m is the share of the
request's kinds (genre, person, years, runtime, language, country, keyword, "like X") that the
movie meets. p depends on the user and the movie only, not on which page shows it or at what
rank, so the same movie keeps its fit on every "more" page; for a fixed m it grows with the score.
"""

from __future__ import annotations

import numpy as np

FIT_MIN, FIT_MAX = 1, 10


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    an = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    bn = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return an @ bn.T


def item_similarity(recommender, item_ids, to_ids) -> np.ndarray:
    """(len(item_ids), len(to_ids)) similarities in the recommender's own item space; NaN where
    either movie is unknown to the model (or the model has no item-item notion). A placed
    movie's row is its neighbours' rows averaged with their feature similarities as weights."""
    item_ids, to_ids = list(item_ids), list(to_ids)
    out = np.full((len(item_ids), len(to_ids)), np.nan)
    if recommender is None or not item_ids or not to_ids:
        return out
    out = _known_similarity(recommender, item_ids, to_ids, out)
    cold = getattr(recommender, "cold", None)
    if cold is not None and len(cold):
        row = {int(m): r for r, m in enumerate(cold.ids)}
        for r, m in enumerate(item_ids):
            if int(m) in row:
                out[r] = _placed_row(recommender, cold, row[int(m)], to_ids)
    return out


def _placed_row(recommender, cold, row: int, to_ids) -> np.ndarray:
    ok = cold.neighbours[row] >= 0
    if not ok.any():
        return np.full(len(to_ids), np.nan)
    ids = recommender.item_map.ids[cold.neighbours[row][ok]].tolist()
    sims = _known_similarity(recommender, ids, to_ids, np.full((len(ids), len(to_ids)), np.nan))
    w = np.where(np.isnan(sims), 0.0, cold.similarity[row][ok].astype(np.float64)[:, None])
    with np.errstate(invalid="ignore"):
        return np.where(w.sum(axis=0) > 0, np.nansum(w * sims, axis=0) / w.sum(axis=0), np.nan)


def _known_similarity(recommender, item_ids, to_ids, out: np.ndarray) -> np.ndarray:
    imap = recommender.item_map
    rows = [r for r, m in enumerate(item_ids) if m in imap]
    cols = [c for c, m in enumerate(to_ids) if m in imap]
    if not rows or not cols:
        return out
    a = np.asarray([imap.index(item_ids[r]) for r in rows], dtype=np.int64)
    b = np.asarray([imap.index(to_ids[c]) for c in cols], dtype=np.int64)
    emb = recommender.item_embeddings()
    if emb is not None:
        out[np.ix_(rows, cols)] = _cosine(emb[a], emb[b])
        return out
    ease = recommender.models.get("ease")
    if ease is None:
        return out
    # EASE: weights[j, i] is what having watched j adds to i's score; only modelled columns.
    pos_a, pos_b = np.searchsorted(ease.columns, a), np.searchsorted(ease.columns, b)
    ok_a = (pos_a < len(ease.columns)) & (
        ease.columns[np.minimum(pos_a, len(ease.columns) - 1)] == a
    )
    ok_b = (pos_b < len(ease.columns)) & (
        ease.columns[np.minimum(pos_b, len(ease.columns) - 1)] == b
    )
    sub = ease.weights[np.ix_(pos_b[ok_b], pos_a[ok_a])].T  # (items, to)
    rr, cc = np.asarray(rows)[ok_a], np.asarray(cols)[ok_b]
    out[np.ix_(rr, cc)] = sub
    return out


def seed_similarity(recommender, seed_ids, item_ids) -> np.ndarray:
    """For each of `item_ids`, its largest similarity to any seed movie; 0 where unknown."""
    sims = item_similarity(recommender, item_ids, seed_ids)
    if sims.size == 0:
        return np.zeros(len(list(item_ids)))
    with np.errstate(all="ignore"):
        best = np.nanmax(np.where(np.isnan(sims), -np.inf, sims), axis=1)
    return np.where(np.isfinite(best), best, 0.0)


def zscore(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return values
    sd = values.std()
    return (values - values.mean()) / sd if sd > 1e-12 else np.zeros_like(values)


def percentile(values, reference) -> np.ndarray:
    """Share of `reference` strictly below each value, ties counted half: in [0, 1]."""
    ref = np.sort(np.asarray(reference, dtype=np.float64))
    values = np.asarray(values, dtype=np.float64)
    if ref.size == 0:
        return np.full(values.shape, 0.5)
    below = np.searchsorted(ref, values, side="left")
    upto = np.searchsorted(ref, values, side="right")
    return (below + upto) / (2.0 * ref.size)


def fit_score(pct: float, met_share: float | None = None) -> int:
    """The documented 1-10 fit (see the module docstring); `met_share` None: nothing asked."""
    q = float(pct) if met_share is None else (float(pct) + float(met_share)) / 2.0
    q = min(1.0, max(0.0, q))
    return int(min(FIT_MAX, max(FIT_MIN, FIT_MIN + round(9 * q))))


def nearest(similarities: np.ndarray, history_ids, liked: set[int], n: int = 3) -> list[tuple]:
    """Up to `n` (movie id, similarity, liked) of the user's movies closest to one candidate:
    highest similarity first, a liked movie before a merely watched one where they tie; unknown
    (NaN) and non-positive similarities are no evidence."""
    rows = [
        (int(m), float(s), m in liked)
        for m, s in zip(history_ids, similarities, strict=True)
        if np.isfinite(s) and s > 0
    ]
    rows.sort(key=lambda r: (-round(r[1], 9), not r[2]))
    return rows[:n]
