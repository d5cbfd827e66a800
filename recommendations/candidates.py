"""The recommender as the rest of the site sees it: candidates for any user (trained or folded
in at request time) and the exclusions they promise. The active model version is loaded once per
process and re-checked every few seconds."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext

from movies.models import Movie, Rating
from movies.selectors import watched_movie_ids

from . import selectors
from .engine.bundle import Recommender, UnknownMovieError
from .engine.data import UserInfo
from .engine.features import user_keys
from .models import Feedback, RecommendationItem

logger = logging.getLogger(__name__)

__all__ = [
    "Candidate",
    "UnknownMovieError",
    "active_recommender",
    "active_recommender_forget",
    "candidates_for_picks",
    "candidates_for_user",
    "excluded_movie_ids",
    "user_taste",
]

# How long a process trusts its idea of which version is active before asking the database.
ACTIVE_CHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Candidate:
    movie_id: int  # catalogue primary key
    score: float
    engine: str  # which model produced it: "popularity", "lightfm", "sequential", "hybrid", ...
    because_movie_ids: list[int] = field(default_factory=list)  # user's movies nearest to it


# -- the active model, loaded once per process -------------------------------------------------
_loaded: dict = {"checked": float("-inf"), "id": None, "recommender": None}
_load_lock = threading.Lock()


def active_recommender() -> tuple[int | None, Recommender | None]:
    """(version id, recommender) of the active version. Loaded once per process; the active
    id is re-read at most every ACTIVE_CHECK_SECONDS, so a newly activated version is picked
    up without a restart."""
    with _load_lock:
        now = time.monotonic()
        if now - _loaded["checked"] < ACTIVE_CHECK_SECONDS:
            return _loaded["id"], _loaded["recommender"]
        _loaded["checked"] = now
        row = selectors.active_model_version()
        if row is None:
            _loaded.update(id=None, recommender=None)
        elif row[0] != _loaded["id"]:
            try:
                recommender = Recommender.load(Path(settings.ARTIFACTS_DIR) / row[1])
            except (OSError, ValueError, KeyError):
                logger.exception("could not load model version %s from %s", row[0], row[1])
            else:
                _loaded.update(id=row[0], recommender=recommender)
                logger.info("loaded recommender version %s (%s)", row[0], recommender.kind)
        elif _loaded["recommender"] is not None:  # movies placed since (cold_items)
            _loaded["recommender"].cold_refresh()
        return _loaded["id"], _loaded["recommender"]


def active_recommender_forget() -> None:
    """Make the next call re-read the active version (after an activation in this process)."""
    with _load_lock:
        _loaded.update(checked=float("-inf"))


# -- candidates ----------------------------------------------------------------------------------
def excluded_movie_ids(*, user, shown_in: int | None = None) -> set[int]:
    """Movies never to recommend to `user` again: watched/picked, already shown, dismissed.
    `shown_in` (a root list's id) narrows "shown" to that list and its "more" pages: a list
    that answers an explicit ask may bring back a movie an earlier list showed and the user
    let pass ("Christopher Nolan films" after a list that held Inception)."""
    watched = Rating.objects.filter(user=user).values_list("movie_id", flat=True)
    shown = RecommendationItem.objects.filter(recommendation_list__user=user)
    if shown_in is not None:
        shown = shown.filter(
            Q(recommendation_list_id=shown_in) | Q(recommendation_list__parent_id=shown_in)
        )
    shown = shown.values_list("movie_id", flat=True)
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
    movie nor one in `exclude_movie_ids`, never a duplicate. Works for any user: one the
    model was trained on, or a site user folded in from their picks and likes (none: popularity
    in their age/gender cell). Likes count as picks; dismissed movies also push similar ones
    down. `novelty` in [0, 1] trades accuracy for less popular picks. Without an active
    trained model: catalogue popularity, logged as a warning and named in `engine`."""
    excluded = excluded_movie_ids(user=user) | set(exclude_movie_ids)
    taste = user_taste(user=user)
    return _candidates(
        user_id=user.pk,
        info=taste.info,
        history=taste.history,
        dismissed=taste.dismissed,
        excluded=excluded,
        k=k,
        novelty=novelty,
    )


@dataclass(frozen=True)
class UserTaste:
    history: list[int]  # watched/picked oldest first, then liked: what the model scores from
    liked: frozenset[int]  # liked, or rated 4 or more: named "liked", not only "watched"
    dismissed: list[int]
    info: UserInfo


def user_taste(*, user) -> UserTaste:
    """What the recommender knows of `user`: their history, likes, dismissals, demographics."""
    feedback = dict(Feedback.objects.filter(user=user).values_list("movie_id", "kind"))
    liked = [m for m, kind in feedback.items() if kind == Feedback.Kind.LIKE]
    dismissed = [m for m, kind in feedback.items() if kind == Feedback.Kind.DISMISS]
    history = list(dict.fromkeys([*watched_movie_ids(user=user), *sorted(liked)]))
    rated = Rating.objects.filter(user=user, rating__gte=4).values_list("movie_id", flat=True)
    return UserTaste(
        history=history,
        liked=frozenset(liked) | frozenset(rated),
        dismissed=dismissed,
        info=selectors.user_info(user),
    )


def candidates_for_picks(
    *,
    movie_ids: list[int],
    k: int,
    age: int | None = None,
    gender: str = "",
    occupation: str = "",
    novelty: float = 0.0,
) -> list[Candidate]:
    """Candidates for someone described only by demographics and picked movies (signup
    preview, tests). An id that is not a catalogue movie raises `UnknownMovieError`."""
    known = set(Movie.objects.filter(pk__in=movie_ids).values_list("pk", flat=True))
    missing = [m for m in movie_ids if m not in known]
    if missing:
        raise UnknownMovieError(missing, gettext("These movies are not in the catalogue: {ids}"))
    history = list(dict.fromkeys(movie_ids))
    return _candidates(
        user_id=None,
        info=UserInfo(age, gender, occupation),
        history=history,
        dismissed=[],
        excluded=set(history),
        k=k,
        novelty=novelty,
    )


def _candidates(*, user_id, info, history, dismissed, excluded, k, novelty) -> list[Candidate]:
    if k <= 0:
        return []
    _version, recommender = active_recommender()
    if recommender is None:
        logger.warning("no trained recommender is active: serving catalogue popularity")
        return _popularity(excluded=excluded, k=k)
    excluded = excluded | set(Movie.objects.filter(hidden=True).values_list("pk", flat=True))
    # Ask for a margin: the model may know movies since deleted from the catalogue.
    ranked = recommender.recommend(
        user_id=user_id,
        history_ids=history,
        keys=user_keys(info),
        k=k + 20,
        excluded_ids=excluded,
        dismissed_ids=dismissed,
        novelty=novelty,
        fresh_within=k,  # a movie placed from its features may take place k (engine.cold)
    )
    alive = set(Movie.objects.filter(pk__in=[r[0] for r in ranked]).values_list("pk", flat=True))
    out = [Candidate(m, s, engine, because) for m, s, engine, because in ranked if m in alive][:k]
    if len(out) < k:
        # Movies added after training are unknown to the model: popularity fills the rest.
        taken = excluded | {c.movie_id for c in out}
        out += _popularity(excluded=taken, k=k - len(out))
    return out


def _popularity(*, excluded: set[int], k: int) -> list[Candidate]:
    rows = (
        Movie.objects.filter(hidden=False)
        .exclude(pk__in=excluded)
        .order_by("-num_ratings", "pk")
        .values_list("pk", "num_ratings")[:k]
    )
    return [Candidate(movie_id=pk, score=float(n), engine="popularity") for pk, n in rows]
