import pytest

from accounts.tests.factories import UserFactory
from movies.tests.factories import MovieFactory, RatingFactory
from recommendations.candidates import candidates_for_user
from recommendations.models import Feedback, RecommendationItem, RecommendationList
from recommendations.services import feedback_set


@pytest.mark.django_db
def test_watched_shown_dismissed_and_hidden_never_come_back():
    user = UserFactory()
    watched, shown, dismissed, hidden, *fresh = (
        MovieFactory(num_ratings=100 - i) for i in range(8)
    )
    hidden.hidden = True
    hidden.save()
    RatingFactory(user=user, movie=watched)
    lst = RecommendationList.objects.create(user=user, request_key="k1")
    RecommendationItem.objects.create(
        recommendation_list=lst, movie=shown, rank=1, score=1.0, engine="popularity"
    )
    feedback_set(user=user, movie_id=dismissed.pk, kind=Feedback.Kind.DISMISS)

    got = [c.movie_id for c in candidates_for_user(user=user, k=10)]

    assert got == [m.pk for m in fresh]
    assert len(set(got)) == len(got)
