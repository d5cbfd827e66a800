"""Ranking metrics on cases small enough to compute by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recommendations.engine import metrics as M


def test_precision_recall_on_two_hits_in_ten():
    ranked = [5, 1, 7, 2, 9, 3, 8, 0, 4, 6]
    relevant = {1, 6, 11}

    assert M.precision_at_k(ranked, relevant) == pytest.approx(2 / 10)
    assert M.recall_at_k(ranked, relevant) == pytest.approx(2 / 3)


def test_ndcg_by_hand():
    # Hits at ranks 2 and 10: DCG = 1/log2(3) + 1/log2(11); ideal: ranks 1, 2, 3.
    ranked = [5, 1, 7, 2, 9, 3, 8, 0, 4, 6]
    relevant = {1, 6, 11}
    dcg = 1 / math.log2(3) + 1 / math.log2(11)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)

    assert M.ndcg_at_k(ranked, relevant) == pytest.approx(dcg / ideal)
    assert M.ndcg_at_k([1, 6, 11], relevant) == pytest.approx(1.0)
    assert M.ndcg_at_k([2, 3], relevant) == 0.0


def test_mrr_is_the_first_hit():
    assert M.mrr_at_k([4, 3, 9, 1], {9, 1}) == pytest.approx(1 / 3)
    assert M.mrr_at_k([4, 3], {9}) == 0.0
    assert M.mrr_at_k(list(range(20)), {15}) == 0.0  # beyond the cut


def test_auc_counts_pairs_and_half_ties():
    scores = np.array([0.9, 0.1, 0.5, 0.5, 0.0])
    # Candidates 0..3 (4 is a train item). Positives 0 and 2; negatives 1 and 3.
    # Pairs: (0>1) 1, (0>3) 1, (2>1) 1, (2=3) 0.5 -> 3.5 / 4.
    got = M.auc(scores, np.array([0, 2]), np.array([0, 1, 2, 3]))

    assert got == pytest.approx(3.5 / 4)
    assert math.isnan(M.auc(scores, np.array([], dtype=int), np.array([0, 1])))


def test_coverage_novelty_diversity():
    lists = [[0, 1], [1, 2]]
    counts = np.array([3, 1, 0, 7])  # 7 training users

    assert M.coverage(lists, 4) == pytest.approx(3 / 4)
    info = -np.log2((counts + 1) / 8)
    assert M.novelty(lists, counts, 7) == pytest.approx((info[0] + 2 * info[1] + info[2]) / 4)
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    # List 1: identical items (distance 0); list 2: orthogonal (distance 1).
    assert M.intra_list_diversity(lists, vectors) == pytest.approx(0.5)


def test_top_k_skips_excluded_and_orders_best_first():
    scores = np.array([0.3, 0.9, 0.5, 0.9, 0.1])

    assert M.top_k(scores, 3, np.array([1])).tolist() == [3, 2, 0]
    assert M.top_k(scores, 10, np.array([0, 1, 2, 3])).tolist() == [4]
