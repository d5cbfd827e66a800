"""The serving service with a trained, active model: fold-in for N = 0, 1 and many picks,
exclusions, evidence, feedback, unknown ids and the popularity fallback."""

from __future__ import annotations

import logging

import pytest
from django.utils import translation

from accounts.tests.factories import UserFactory
from movies.tests.factories import MovieFactory, RatingFactory
from recommendations import candidates, services
from recommendations.models import Feedback, RecommendationItem, RecommendationList

pytestmark = pytest.mark.django_db


def ids(cands):
    return [c.movie_id for c in cands]


def test_many_picks_fold_in_to_the_picked_taste(trained, catalogue):
    action = {m.pk for m in catalogue["action"]}
    user = UserFactory(age=40, gender="X")  # a site user the model never saw
    for movie in catalogue["action"][:4]:
        RatingFactory(user=user, movie=movie)

    got = candidates.candidates_for_user(user=user, k=5)

    assert len(got) == 5
    assert all(c.engine == "blend" for c in got)
    assert set(ids(got)) <= action - {m.pk for m in catalogue["action"][:4]}


def test_one_pick_is_enough(trained, catalogue):
    user = UserFactory(age=40, gender="X")
    RatingFactory(user=user, movie=catalogue["romance"][0])

    got = candidates.candidates_for_user(user=user, k=3)

    romance = {m.pk for m in catalogue["romance"]}
    assert sum(m in romance for m in ids(got)) >= 2
    assert catalogue["romance"][0].pk not in ids(got)


def test_no_picks_gets_popularity_of_the_users_age_and_gender(trained, catalogue):
    young_man = UserFactory(age=21, gender="M")
    older_woman = UserFactory(age=53, gender="F")

    for_him = candidates.candidates_for_user(user=young_man, k=5)
    for_her = candidates.candidates_for_user(user=older_woman, k=5)

    assert {c.engine for c in for_him + for_her} == {"popularity"}
    assert set(ids(for_him)) <= {m.pk for m in catalogue["action"]}
    assert set(ids(for_her)) <= {m.pk for m in catalogue["romance"]}


def test_evidence_is_among_the_users_own_movies(trained, catalogue):
    user = UserFactory()
    mine = [m.pk for m in catalogue["action"][:3]] + [catalogue["romance"][0].pk]
    for pk in mine:
        RatingFactory(user=user, movie_id=pk)

    got = candidates.candidates_for_user(user=user, k=6)

    assert all(c.because_movie_ids for c in got)
    assert all(set(c.because_movie_ids) <= set(mine) for c in got)
    assert all(len(c.because_movie_ids) <= 3 for c in got)


def test_exclusions_hold_with_a_trained_model(trained, catalogue):
    user = UserFactory()
    watched, shown, dismissed, hidden, excluded = catalogue["action"][:5]
    RatingFactory(user=user, movie=watched)
    lst = RecommendationList.objects.create(user=user, request_key="k-serving")
    RecommendationItem.objects.create(
        recommendation_list=lst, movie=shown, rank=1, score=1.0, engine="blend"
    )
    services.feedback_set(user=user, movie_id=dismissed.pk, kind=Feedback.Kind.DISMISS)
    hidden.hidden = True
    hidden.save()

    got = ids(candidates.candidates_for_user(user=user, k=50, exclude_movie_ids={excluded.pk}))

    assert not {watched.pk, shown.pk, dismissed.pk, hidden.pk, excluded.pk} & set(got)
    assert len(got) == len(set(got)) == 24 - 5


def test_likes_count_as_picks(trained, catalogue):
    user = UserFactory(age=40, gender="X")
    for movie in catalogue["romance"][:3]:
        services.feedback_set(user=user, movie_id=movie.pk, kind=Feedback.Kind.LIKE)

    got = candidates.candidates_for_user(user=user, k=4)

    assert got[0].engine == "blend"
    assert set(ids(got)) <= {m.pk for m in catalogue["romance"][3:]}


def test_dismissing_pushes_similar_movies_down(trained, catalogue):
    user = UserFactory(age=40, gender="X")
    RatingFactory(user=user, movie=catalogue["action"][0])
    RatingFactory(user=user, movie=catalogue["romance"][0])
    before = ids(candidates.candidates_for_user(user=user, k=22))

    for movie in catalogue["action"][1:4]:
        services.feedback_set(user=user, movie_id=movie.pk, kind=Feedback.Kind.DISMISS)
    after = ids(candidates.candidates_for_user(user=user, k=6))

    action = {m.pk for m in catalogue["action"]}
    assert sum(m in action for m in before[:6]) >= 2
    assert sum(m in action for m in after) < sum(m in action for m in before[:6])


def test_unknown_movie_id_in_picks_is_a_clear_error(trained, catalogue):
    picks = [catalogue["action"][0].pk, 987654]

    with translation.override("en"), pytest.raises(candidates.UnknownMovieError) as caught:
        candidates.candidates_for_picks(movie_ids=picks, k=5)
    with translation.override("ko"), pytest.raises(candidates.UnknownMovieError) as in_korean:
        candidates.candidates_for_picks(movie_ids=picks, k=5)

    assert isinstance(caught.value, ValueError)
    assert caught.value.movie_ids == [987654]
    assert str(caught.value) == "These movies are not in the catalogue: 987654"
    assert "987654" in str(in_korean.value)
    assert str(in_korean.value) != str(caught.value)


def test_picks_without_a_session_user(trained, catalogue):
    picks = [m.pk for m in catalogue["romance"][:2]]

    got = candidates.candidates_for_picks(movie_ids=picks, k=4, age=30, gender="F")

    assert len(got) == 4
    assert not set(picks) & set(ids(got))


def test_movies_added_after_training_are_filled_by_popularity(trained, catalogue):
    late = MovieFactory(title="new release", num_ratings=999)
    user = UserFactory()
    RatingFactory(user=user, movie=catalogue["action"][0])

    got = candidates.candidates_for_user(user=user, k=30)

    assert late.pk in ids(got)
    assert len(ids(got)) == len(set(ids(got))) == 24


def test_without_a_trained_model_popularity_says_so(catalogue, artifacts, caplog):
    user = UserFactory()
    with caplog.at_level(logging.WARNING, logger="recommendations.candidates"):
        got = candidates.candidates_for_user(user=user, k=3)

    assert {c.engine for c in got} == {"popularity"}
    assert "no trained recommender is active" in caplog.text


def test_zero_k_is_an_empty_list(trained):
    assert candidates.candidates_for_user(user=UserFactory(), k=0) == []
