"""The recommender as the rest of the site sees it.

Interim implementation: the popularity order over the catalogue, with every exclusion the
final service keeps (watched, already shown, dismissed, hidden). The recommender issue replaces
the scoring with the trained models; the signature and the guarantees stay."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction

from movies.models import Movie, Rating

from .models import Feedback, RecommendationItem

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    movie_id: int  # catalogue primary key
    score: float
    engine: str  # which model produced it: "popularity", "lightfm", "sequential", "hybrid", ...
    because_movie_ids: list[int] = field(default_factory=list)  # user's movies nearest to it


def excluded_movie_ids(*, user) -> set[int]:
    """Movies never to recommend to `user` again: watched/picked, already shown, dismissed."""
    watched = Rating.objects.filter(user=user).values_list("movie_id", flat=True)
    shown = RecommendationItem.objects.filter(recommendation_list__user=user).values_list(
        "movie_id", flat=True
    )
    dismissed = Feedback.objects.filter(user=user, kind=Feedback.Kind.DISMISS).values_list(
        "movie_id", flat=True
    )
    return set(watched) | set(shown) | set(dismissed)


def candidates_for_user(
    *,
    user,
    k: int,
    exclude_movie_ids: set[int] | frozenset[int] = frozenset(),
    novelty: float = 0.0,
) -> list[Candidate]:
    """Up to `k` candidates for `user`, best first, never a hidden, watched, shown or dismissed
    movie nor one in `exclude_movie_ids`. `novelty` in [0, 1] trades accuracy for less popular
    picks."""
    excluded = excluded_movie_ids(user=user) | set(exclude_movie_ids)
    rows = (
        Movie.objects.filter(hidden=False)
        .exclude(pk__in=excluded)
        .order_by("-num_ratings", "pk")
        .values_list("pk", "num_ratings")[:k]
    )
    return [Candidate(movie_id=pk, score=float(n), engine="popularity") for pk, n in rows]


@transaction.atomic
def feedback_set(*, user, movie_id: int, kind: str) -> Feedback:
    """Record like / not interested; the latest choice for a movie wins."""
    feedback, _ = Feedback.objects.update_or_create(
        user=user, movie_id=movie_id, defaults={"kind": kind}
    )
    return feedback
