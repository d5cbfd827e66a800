"""The plain models on hand-made data: what each one is for, and its save/load."""

from __future__ import annotations

import numpy as np

from recommendations.engine.data import IdMap, Interactions, build_trainset
from recommendations.engine.item_models import EASE, Transitions, _ease_weights
from recommendations.engine.models import Popularity


def trainset(rows, keys=None):
    inter = Interactions.from_rows([(u, i, 4.0, t) for t, (u, i) in enumerate(rows)])
    users = IdMap(inter.users)
    return build_trainset(inter, user_map=users, item_map=IdMap(range(6)), user_keys=keys)


def test_transitions_recommend_what_usually_comes_next(tmp_path):
    train = trainset([(1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 3), (3, 4), (3, 0), (3, 1)])
    model = Transitions(window=2, decay=0.5).fit(train)

    scores = model.score_histories([np.array([5, 0])], [[]])[0]

    assert scores.argmax() == 1  # 0 was always followed by 1
    loaded = Transitions.load(_saved(model, tmp_path))
    np.testing.assert_array_equal(loaded.score_users(np.arange(3)), model.score_users(np.arange(3)))


def test_ease_recency_decay_favours_the_latest_movie(tmp_path):
    # Items 0-1 go together, items 2-3 go together.
    rows = [(u, i) for u in range(1, 7) for i in ((0, 1) if u % 2 else (2, 3))]
    train = trainset(rows)
    flat = EASE(l2=1.0, decay=1.0).fit(train)
    recent = EASE(l2=1.0, decay=0.2).fit(train)
    history = [np.array([0, 2])]  # 2 is the latest

    s_flat = flat.score_histories(history, [[]])[0]
    s_recent = recent.score_histories(history, [[]])[0]

    assert s_flat[1] == s_flat[3]
    assert s_recent[3] > s_recent[1]
    loaded = EASE.load(_saved(recent, tmp_path))
    np.testing.assert_array_equal(loaded.score_histories(history, [[]]), s_recent[None, :])


def test_ease_weights_are_the_closed_form_in_row_order():
    rng = np.random.default_rng(0)
    x = (rng.random((40, 10)) < 0.3).astype(np.float32)
    gram = x.T @ x + 5.0 * np.eye(10, dtype=np.float32)
    p = np.linalg.inv(gram.astype(np.float64))
    expected = -p / np.diag(p)
    np.fill_diagonal(expected, 0.0)

    got = _ease_weights(gram.copy(), block=3)  # blocks of 3: the mirroring crosses blocks

    np.testing.assert_allclose(got, expected, atol=1e-5)
    # A history row times it without a copy per request (a copy made serving 20x slower).
    assert got.flags["C_CONTIGUOUS"]


def test_popularity_within_the_demographic_cell():
    rows = [(u, 0 if u <= 3 else 1) for u in range(1, 6)] + [(6, 1), (7, 1)]
    keys = [["age:18-24", "gender:M"]] * 3 + [["age:56+", "gender:F"]] * 4
    model = Popularity().fit(trainset(rows, keys))

    overall = model.score_users(np.array([0]))[0]
    young = model.score_histories([np.array([], dtype=int)], [["age:18-24", "gender:M"]])[0]

    assert overall.argmax() == 1
    assert young[0] / young[1] > overall[0] / overall[1]


def _saved(model, tmp_path):
    folder = tmp_path / model.name
    model.save(folder)
    return folder
