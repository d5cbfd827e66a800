"""The sequential model behind the common model interface (when its module is present)."""

from __future__ import annotations

import numpy as np
import pytest

from recommendations.engine.data import IdMap, Interactions, build_trainset
from recommendations.engine.embedding_models import Sequential

pytest.importorskip("recommendations.engine.sequential")

TINY = {"hidden": 8, "heads": 1, "layers": 1, "max_len": 8, "epochs": 1, "batch_size": 4}


def test_it_scores_trained_and_folded_in_users_and_round_trips(tmp_path):
    rows = [(u, (u + j) % 7, 4.0, u * 10 + j) for u in range(1, 9) for j in range(5)]
    inter = Interactions.from_rows(rows)
    train = build_trainset(inter, user_map=IdMap(inter.users), item_map=IdMap(range(7)))
    model = Sequential(seed=3, **TINY).fit(train)

    known = model.score_users(np.array([0, 1]))
    folded = model.score_histories([np.array([2, 3])], [[]])
    model.save(tmp_path / "seq")
    loaded = Sequential.load(tmp_path / "seq")

    assert known.shape == (2, 7)
    assert folded.shape == (1, 7)
    assert model.item_embeddings().shape[0] == 7
    np.testing.assert_allclose(loaded.score_users(np.array([0, 1])), known, rtol=1e-5)
