"""The sequential (BERT4Rec / SASRec-style) recommender: learns order, is reproducible, round
trips through disk, handles any history length, and beats popularity on real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from recommendations.engine.sequential import SequentialRecommender

N = 12
SMALL = {"max_len": 8, "hidden": 32, "layers": 1, "heads": 2, "dropout": 0.0, "batch_size": 16}


@pytest.fixture(autouse=True)
def _one_thread():
    # Shared CI machine: one thread is faster than two fighting for a loaded core, and keeps
    # float reductions in the same order from run to run.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def successor_sequences(count: int = 80, seed: int = 1) -> list[np.ndarray]:
    """Item i is always followed by item i + 1 (mod N); histories of 2 to 10 items."""
    rng = np.random.default_rng(seed)
    return [(rng.integers(N) + np.arange(rng.integers(2, 11))) % N for _ in range(count)]


def fitted(**options) -> SequentialRecommender:
    params = {**SMALL, "epochs": 30, "lr": 1e-2, **options}
    return SequentialRecommender(N, **params).fit(successor_sequences())


@pytest.mark.parametrize("causal", [False, True])
def test_it_learns_that_each_item_is_followed_by_the_next(causal):
    model = fitted(causal=causal)
    histories = [(np.arange(3) + i - 2) % N for i in range(N)]  # [.., i-1, i]
    top = model.score(histories).argmax(axis=1)
    assert (top == (np.arange(N) + 1) % N).all()


def test_same_seed_gives_identical_scores_and_another_seed_does_not():
    histories = [np.array([3, 4, 5]), np.array([9]), np.array([], dtype=np.int64)]
    a = fitted(epochs=3, dropout=0.1).score(histories)
    b = fitted(epochs=3, dropout=0.1).score(histories)
    c = fitted(epochs=3, dropout=0.1, seed=1).score(histories)
    assert a.dtype == np.float32
    assert a.shape == (3, N)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[:2], c[:2])


@pytest.mark.parametrize("causal", [False, True])
def test_save_and_load_give_identical_scores(tmp_path, causal):
    model = fitted(epochs=3, causal=causal)
    histories = [np.array([1, 2, 3]), np.arange(30) % N, np.array([], dtype=np.int64)]
    model.save(tmp_path / "seq")
    loaded = SequentialRecommender.load(tmp_path / "seq")
    np.testing.assert_array_equal(model.score(histories), loaded.score(histories))
    np.testing.assert_array_equal(model.item_embeddings(), loaded.item_embeddings())
    assert loaded.item_embeddings().shape == (N, SMALL["hidden"])
    assert loaded.causal is causal


@pytest.mark.parametrize(
    ("causal", "kept"), [(True, SMALL["max_len"]), (False, SMALL["max_len"] - 1)]
)
def test_long_histories_use_their_last_items_and_empty_ones_get_popularity(causal, kept):
    model = fitted(epochs=3, causal=causal)
    long = (np.arange(50) * 5) % N
    # Causal: the last max_len items; bidirectional: max_len - 1 items plus the [MASK] slot.
    np.testing.assert_allclose(model.score([long])[0], model.score([long[-kept:]])[0], rtol=1e-5)
    assert not np.allclose(model.score([long])[0], model.score([long[-(kept - 1) :]])[0])
    skewed = [np.array([0, 0, 0, 1, 2]), np.array([0, 0, 3, 4]), np.array([5, 0, 6])]
    model = SequentialRecommender(N, **SMALL, epochs=1).fit(skewed)
    empty = model.score([np.array([], dtype=np.int64)])[0]
    assert np.isfinite(empty).all()
    assert empty.argmax() == 0  # the most watched item leads a history-less list


def test_out_of_range_items_are_a_clear_error():
    model = fitted(epochs=1)
    with pytest.raises(ValueError, match=r"item indices must lie in 0\.\.11"):
        model.score([np.array([3, N])])
    with pytest.raises(RuntimeError, match="not fitted"):
        SequentialRecommender(N).score([np.array([1])])


def test_validation_keeps_the_best_epoch():
    seqs = successor_sequences()
    valid = [(s[:-1], int(s[-1])) for s in successor_sequences(count=20, seed=7)]
    model = SequentialRecommender(N, **SMALL, epochs=12, lr=5e-3, patience=3)
    model.fit(seqs, valid=valid)
    ndcg = [row["ndcg@10"] for row in model.history]
    assert model.best_epoch == 1 + int(np.argmax(ndcg))
    assert max(ndcg) > 0.9  # the successor is trivially predictable


def _ml100k_sequences(folder, users: int) -> tuple[list[np.ndarray], int]:
    df = pd.read_csv(folder / "u.data", sep="\t", names=["user", "item", "rating", "ts"])
    df = df[df["user"] <= users]
    counts = df["item"].value_counts()
    df = df[df["item"].isin(counts.index[counts >= 5])]
    items = np.sort(df["item"].unique())
    df = df.assign(code=np.searchsorted(items, df["item"])).sort_values(["user", "ts", "item"])
    seqs = [g["code"].to_numpy(np.int64) for _, g in df.groupby("user")]
    return [s for s in seqs if len(s) >= 5], len(items)


def _ndcg(scores: np.ndarray, histories: list[np.ndarray], targets: np.ndarray) -> float:
    rows = np.arange(len(targets))
    target = scores[rows, targets].copy()
    for r, h in enumerate(histories):
        scores[r, h] = -np.inf
    scores[rows, targets] = target
    rank = (scores > target[:, None]).sum(axis=1)
    return float(np.where(rank < 10, 1 / np.log2(rank + 2.0), 0).mean())


@pytest.mark.dataset
def test_it_beats_popularity_on_the_last_movie_of_real_ml100k_users(data_dir):
    seqs, n_items = _ml100k_sequences(data_dir / "ml-100k", users=300)
    train = [s[:-1] for s in seqs]
    targets = np.asarray([s[-1] for s in seqs])
    model = SequentialRecommender(
        n_items, max_len=50, hidden=32, layers=1, heads=2, epochs=5, causal=True, seed=0
    ).fit(train)
    popularity = np.bincount(np.concatenate(train), minlength=n_items).astype(np.float32)
    pop = _ndcg(np.tile(popularity, (len(train), 1)), train, targets)
    seq = _ndcg(model.score(train), train, targets)
    assert seq > 1.2 * pop, (seq, pop)
