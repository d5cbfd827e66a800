"""Reading MovieLens, the splits (disjoint by construction), deterministic seeded training on
a real slice of ml-100k, and the artifact round trip."""

from __future__ import annotations

import numpy as np
import pytest

from recommendations.engine.bundle import Recommender, UnknownMovieError, train_recommender
from recommendations.engine.data import Interactions, load_movielens
from recommendations.engine.evaluation import prepare
from recommendations.engine.splits import make_split
from recommendations.engine.training import make_model


def pairs(inter: Interactions) -> set[tuple[int, int]]:
    return set(zip(inter.users.tolist(), inter.items.tolist(), strict=True))


@pytest.fixture(scope="module")
def ml100k(data_dir):
    return load_movielens(data_dir / "ml-100k")


@pytest.mark.dataset
def test_ml100k_is_read_whole(ml100k):
    assert len(ml100k.interactions) == 100_000
    assert len(ml100k.users) == 943
    assert ml100k.users[1].occupation == "technician"
    assert ml100k.items[1].year == 1995
    assert "Animation" in ml100k.items[1].genres


@pytest.mark.dataset
@pytest.mark.parametrize("name", ["ua", "u3", "loo", "temporal", "foldin", "random20"])
def test_train_and_test_are_disjoint(ml100k, name):
    split = make_split(ml100k, name)

    assert not pairs(split.train) & pairs(split.test)
    assert not pairs(split.fit) & pairs(split.valid)
    assert pairs(split.fit) | pairs(split.valid) <= pairs(split.train)
    if split.picks is not None:
        assert not pairs(split.picks) & pairs(split.test)
        assert not set(split.picks.users.tolist()) & set(split.train.users.tolist())


@pytest.mark.dataset
def test_random20_holds_a_fifth_of_each_users_movies(ml100k):
    split = make_split(ml100k, "random20")
    per_user = np.bincount(ml100k.interactions.users)
    held = np.bincount(split.test.users, minlength=len(per_user))
    users = np.flatnonzero(per_user)

    np.testing.assert_array_equal(held[users], np.floor(per_user[users] * 0.2))
    assert len(split.train) + len(split.test) == 100_000
    again = make_split(ml100k, "random20")
    assert pairs(again.test) == pairs(split.test)  # seeded
    assert pairs(make_split(ml100k, "random20", seed=1).test) != pairs(split.test)


@pytest.mark.dataset
def test_leave_one_out_holds_the_last_item(ml100k):
    split = make_split(ml100k, "loo")
    user = int(split.test.users[0])
    test_ts = split.test.timestamps[split.test.users == user][0]
    valid_ts = split.valid.timestamps[split.valid.users == user][0]

    assert (split.test.users == user).sum() == 1
    assert split.train.timestamps[split.train.users == user].max() <= test_ts
    assert split.fit.timestamps[split.fit.users == user].max() <= valid_ts <= test_ts


@pytest.mark.dataset
def test_seeded_training_is_deterministic_on_a_real_slice(ml100k):
    small = ml100k.interactions.take(ml100k.interactions.users <= 80)
    small_ds = type(ml100k)(ml100k.name, ml100k.path, small, ml100k.users, ml100k.items)
    split = make_split(small_ds, "temporal")
    prep = prepare(small_ds, split)
    users = np.arange(10)

    runs = [
        make_model("lightfm", seed=7, components=16, epochs=5).fit(prep.train).score_users(users)
        for _ in range(2)
    ]
    other = make_model("lightfm", seed=8, components=16, epochs=5).fit(prep.train)

    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], other.score_users(users))


@pytest.mark.dataset
@pytest.mark.parametrize("kind", ["blend", "sequential"])
def test_bundle_round_trip_and_unknown_ids(ml100k, tmp_path, kind):
    if kind == "sequential":
        pytest.importorskip("recommendations.engine.sequential")
    small = ml100k.interactions.take(ml100k.interactions.users <= 60)
    options = {
        "lightfm": {"components": 8, "epochs": 3},
        "sequential": {"hidden": 8, "heads": 1, "layers": 1, "max_len": 10, "epochs": 1},
    }
    rec = train_recommender(
        small, users=ml100k.users, items=ml100k.items, kind=kind, options=options
    )
    loaded = Recommender.load(rec.save(tmp_path / "v1"))
    picks = [1, 50, 181]

    for user_id in (None, 5):
        a, _ = rec.scores(user_id=user_id, history_ids=picks, keys=["gender:M"])
        b, _ = loaded.scores(user_id=user_id, history_ids=picks, keys=["gender:M"])
        np.testing.assert_array_equal(a, b)
    assert loaded.fingerprint == rec.fingerprint
    with pytest.raises(UnknownMovieError, match="99999"):
        loaded.recommend(user_id=None, history_ids=[1, 99999], keys=[], k=5, strict=True)


@pytest.mark.dataset
def test_a_tuned_sequential_model_is_trained_once_and_served(ml100k, monkeypatch):
    pytest.importorskip("recommendations.engine.sequential")
    from recommendations.engine.sequential import SequentialRecommender

    small = ml100k.interactions.take(ml100k.interactions.users <= 40)
    fits = []
    real_fit = SequentialRecommender.fit
    monkeypatch.setattr(
        SequentialRecommender,
        "fit",
        lambda self, *a, **kw: fits.append(1) or real_fit(self, *a, **kw),
    )
    options = {"sequential": {"hidden": 8, "heads": 1, "layers": 1, "max_len": 10, "epochs": 1}}

    rec = train_recommender(
        small, users=ml100k.users, items=ml100k.items, kind="sequential", options=options, tune=True
    )

    assert len(fits) == 1  # the tuning fit serves: minutes are spent once
    assert rec.weights == {"sequential": 1.0}
    assert 0 <= rec.metrics["valid_ndcg@10"] <= 1
    served = rec.models["sequential"].sequences
    assert sum(len(s) for s in served) == len(small)  # known users keep their whole history
