"""engine.cold without Django: neighbours by weighted features (a shared director outweighs a
shared genre), the documented score (discounted, shrunk, never above the best neighbour), the
user's own and dismissed movies as evidence, and a Recommender that merges placed movies into
its top k and re-reads a newer placement."""

from __future__ import annotations

import numpy as np

from recommendations.engine import cold
from recommendations.engine.bundle import Recommender, train_recommender
from recommendations.engine.data import Interactions, ItemInfo

KEYS = [
    ["genre:Drama", "director:Ana", "decade:2010"],  # 0
    ["genre:Drama", "director:Ana", "decade:2010"],  # 1
    ["genre:Drama", "director:Bo", "decade:2010"],  # 2
    ["genre:Drama", "director:Cy", "decade:2010"],  # 3
    ["genre:Comedy", "director:Di", "decade:1980"],  # 4
]


def test_a_shared_director_counts_for_more_than_a_shared_genre():
    index = cold.FeatureIndex(KEYS, np.ones(len(KEYS), dtype=bool))

    sims = index.similarities(["genre:Drama", "director:Ana", "decade:2020"])

    assert sims[0] == sims[1] > sims[2] == sims[3] > sims[4] == 0


def test_only_items_with_interactions_are_neighbours():
    usable = np.array([False, True, True, True, True])
    placed = cold.place(cold.FeatureIndex(KEYS, usable), {7: ["director:Ana", "genre:Drama"]})

    assert 0 not in placed.neighbours[0].tolist()
    assert placed.neighbours[0][0] == 1


def test_the_score_is_the_discounted_shrunk_mean_of_the_neighbours():
    placed = cold.ColdItems(
        ids=np.array([9]),
        neighbours=np.array([[0, 1] + [-1] * (cold.K - 2)]),
        similarity=np.array([[0.5, 0.5] + [0.0] * (cold.K - 2)], dtype=np.float32),
    )
    s = np.array([3.0, 1.0, 0.0, -1.0, -3.0])
    z = (s - s.mean()) / s.std()

    got = placed.scores(s, history=np.array([], np.int64), dismissed=np.array([], np.int64))

    z_c = cold.DISCOUNT * (0.5 * z[0] + 0.5 * z[1]) / (1.0 + cold.PRIOR)
    assert np.isclose(got[0], s.mean() + s.std() * z_c)
    assert got[0] < s[1] < s[0]


def test_a_watched_neighbour_counts_as_the_best_unwatched_one_a_dismissed_one_against():
    placed = cold.ColdItems(
        ids=np.array([9]),
        neighbours=np.array([[3] + [-1] * (cold.K - 1)]),
        similarity=np.array([[0.9] + [0.0] * (cold.K - 1)], dtype=np.float32),
    )
    s = np.array([3.0, 1.0, 0.0, -1.0, -3.0])
    none = np.array([], np.int64)

    plain = placed.scores(s, history=none, dismissed=none)[0]
    watched = placed.scores(s, history=np.array([3]), dismissed=none)[0]
    dismissed = placed.scores(s, history=none, dismissed=np.array([3]))[0]

    assert dismissed < plain < s.mean() < watched < s[0]


def test_no_neighbour_scores_the_average():
    placed = cold.place(cold.FeatureIndex(KEYS, np.ones(5, bool)), {9: ["director:Zed"]})
    s = np.array([3.0, 1.0, 0.0, -1.0, -3.0])

    assert placed.neighbours[0].max() == -1
    none = np.array([], np.int64)
    assert np.isclose(placed.scores(s, history=none, dismissed=none)[0], s.mean())


def test_placements_merge_save_and_load(tmp_path):
    index = cold.FeatureIndex(KEYS, np.ones(5, bool))
    first = cold.place(index, {7: ["director:Ana"], 8: ["director:Bo"]})
    again = cold.place(index, {8: ["director:Cy"]})

    merged = first.merged(again, drop=[7])
    merged.save(tmp_path)
    loaded = cold.ColdItems.load(tmp_path)

    assert loaded.ids.tolist() == [8]
    assert loaded.neighbours[0][0] == 3
    assert len(cold.ColdItems.load(tmp_path / "nowhere")) == 0


def _toy():
    """Users 1-6 watch items 10-13 (Ana's dramas and Bo's), users 7-12 comedies 20-23."""
    rows = []
    for u in range(1, 13):
        items = (10, 11, 12, 13) if u <= 6 else (20, 21, 22, 23)
        rows += [(u, i, 4.0, 1000 * u + n) for n, i in enumerate(items) if (u + n) % 4]
    items = {i: ItemInfo(genres=["Drama"], directors=["Ana"], year=2015) for i in (10, 11)}
    items |= {i: ItemInfo(genres=["Drama"], directors=["Bo"], year=2015) for i in (12, 13)}
    items |= {i: ItemInfo(genres=["Comedy"], directors=[f"D{i}"], year=1985) for i in range(20, 24)}
    return Interactions.from_rows(rows), items


def test_a_recommender_merges_placed_movies_and_rereads_a_newer_placement(tmp_path):
    inter, items = _toy()
    rec = train_recommender(inter, users={}, items=items, kind="ease", options={"ease": {"l2": 1}})
    rec.save(tmp_path)
    rec = Recommender.load(tmp_path)  # as a serving process has it
    index = cold.FeatureIndex(cold.load_item_keys(tmp_path), rec.item_counts > 0)
    cold.place(index, {99: ["genre:Drama", "director:Ana", "decade:2020"]}).save(tmp_path)

    assert rec.cold_refresh()  # the file is newer than what it holds
    top = rec.recommend(user_id=None, history_ids=[10], keys=[], k=8)
    ids = [m for m, _s, _e, _b in top]

    assert 99 in ids
    assert ids.index(99) < min(ids.index(m) for m in (20, 21, 22, 23) if m in ids)
    assert next(b for m, _s, _e, b in top if m == 99) == [10]
    assert 99 not in [m for m, *_ in rec.recommend(user_id=None, history_ids=[10], keys=[],
                                                   k=8, excluded_ids={99})]  # fmt: skip
    assert not rec.cold_refresh()  # nothing newer since


def test_the_fresh_slot_goes_to_a_placed_movie_in_the_users_top_share():
    trained = np.arange(1000, dtype=float)  # 999 is the best trained movie

    top = 1000 * (1 - cold.FRESH_TOP_SHARE)  # scores above this are in the top share

    assert cold.fresh_slot(trained, {7: top + 0.5, 8: top - 50}, k=30) == 7
    assert cold.fresh_slot(trained, {7: top - 1.5}, k=30) is None  # just outside the share
    assert cold.fresh_slot(trained, {7: top + 0.5}, k=1) is None  # no place to give away


def test_a_fresh_placed_movie_takes_the_last_place_below_the_proven_ones(tmp_path, monkeypatch):
    inter, items = _toy()
    rec = train_recommender(inter, users={}, items=items, kind="ease", options={"ease": {"l2": 1}})
    rec.save(tmp_path)
    rec = Recommender.load(tmp_path)
    index = cold.FeatureIndex(cold.load_item_keys(tmp_path), rec.item_counts > 0)
    cold.place(index, {99: ["genre:Drama", "director:Ana", "decade:2020"]}).save(tmp_path)
    rec.cold_refresh()
    merit = [m for m, *_ in rec.recommend(user_id=None, history_ids=[10], keys=[], k=8)]
    assert merit.index(99) >= 2  # on its score alone, outside a top 2

    monkeypatch.setattr(cold, "FRESH_TOP_SHARE", 0.5)
    got = [m for m, *_ in rec.recommend(user_id=None, history_ids=[10], keys=[], k=4,
                                        fresh_within=2)]  # fmt: skip

    assert got[:2] == [merit[0], 99]
    assert got[2:] == [m for m in merit if m != 99][1:3]


def test_a_placed_movie_is_similar_to_what_its_neighbours_are_similar_to(tmp_path):
    from recommendations.engine.retrieval import item_similarity

    inter, items = _toy()
    rec = train_recommender(inter, users={}, items=items, kind="ease", options={"ease": {"l2": 1}})
    rec.save(tmp_path)
    rec = Recommender.load(tmp_path)
    index = cold.FeatureIndex(cold.load_item_keys(tmp_path), rec.item_counts > 0)
    cold.place(index, {99: ["genre:Drama", "director:Ana", "decade:2020"]}).save(tmp_path)
    rec.cold_refresh()

    sims = item_similarity(rec, [99, 98], [10, 12, 20])

    assert sims[0, 0] > 0
    assert sims[0, 1] > sims[0, 2]  # a drama watched with Ana's, not a comedy
    assert np.isnan(sims[1]).all()  # unknown and not placed: no similarity
