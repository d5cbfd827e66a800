"""The recommender as the rest of the site sees it: candidates for any user (trained or folded
in at request time), the exclusions they promise, feedback, list requests, and the training
and activation of model versions."""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from llecommend_site.tasking import enqueue_on_commit
from movies.models import Movie, Rating
from movies.selectors import watched_movie_ids

from . import selectors
from .engine.bundle import Recommender, UnknownMovieError, train_recommender
from .engine.data import UserInfo
from .engine.features import user_keys
from .models import Feedback, ModelVersion, RecommendationItem, RecommendationList

logger = logging.getLogger(__name__)

__all__ = [
    "Candidate",
    "UnknownMovieError",
    "active_recommender",
    "candidates_for_picks",
    "candidates_for_user",
    "excluded_movie_ids",
    "feedback_set",
    "model_version_activate",
    "model_version_create",
    "model_version_train",
    "recommendation_list_request",
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
        return _loaded["id"], _loaded["recommender"]


def active_recommender_forget() -> None:
    """Make the next call re-read the active version (after an activation in this process)."""
    with _load_lock:
        _loaded.update(checked=float("-inf"))


# -- candidates ----------------------------------------------------------------------------------
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
    movie nor one in `exclude_movie_ids`, never a duplicate. Works for any user: one the
    model was trained on, or a site user folded in from their picks and likes (none: popularity
    in their age/gender cell). Likes count as picks; dismissed movies also push similar ones
    down. `novelty` in [0, 1] trades accuracy for less popular picks. Without an active
    trained model: catalogue popularity, logged as a warning and named in `engine`."""
    excluded = excluded_movie_ids(user=user) | set(exclude_movie_ids)
    feedback = dict(Feedback.objects.filter(user=user).values_list("movie_id", "kind"))
    liked = [m for m, kind in feedback.items() if kind == Feedback.Kind.LIKE]
    dismissed = [m for m, kind in feedback.items() if kind == Feedback.Kind.DISMISS]
    history = list(dict.fromkeys([*watched_movie_ids(user=user), *sorted(liked)]))
    info = selectors.user_info(user)
    return _candidates(
        user_id=user.pk,
        info=info,
        history=history,
        dismissed=dismissed,
        excluded=excluded,
        k=k,
        novelty=novelty,
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


@transaction.atomic
def feedback_set(*, user, movie_id: int, kind: str) -> Feedback:
    """Record like / not interested; the latest choice for a movie wins."""
    feedback, _ = Feedback.objects.update_or_create(
        user=user, movie_id=movie_id, defaults={"kind": kind}
    )
    return feedback


@transaction.atomic
def recommendation_list_request(
    *, user, k: int = 10, novelty: float = 0.0, parent=None, chat_message=None
) -> RecommendationList:
    """A pending list with a fresh `request_key`; the LLM worker fills it
    (`llm_worker.tasks.recommendation_list_fill`) once this transaction commits."""
    from llecommend_site.ratelimit import rate_limit_check
    from llm_worker.tasks import recommendation_list_fill  # the LLM app depends on us, not back

    if chat_message is None:  # a chat message was already counted by the chat's own limit
        rate_limit_check(user=user, action="list")
    lst = RecommendationList.objects.create(
        user=user,
        request_key=uuid.uuid4().hex,
        novelty=novelty,
        k=k,
        language=getattr(user, "language", "") or "ko",
        parent=parent,
        chat_message=chat_message,
    )
    enqueue_on_commit(recommendation_list_fill, lst)
    return lst


# -- model versions ------------------------------------------------------------------------------
@transaction.atomic
def model_version_create(*, kind: str = "hybrid", activate: bool = False) -> ModelVersion:
    """A `training` row; the training task runs once this transaction commits."""
    from .tasks import model_version_train_task

    version = ModelVersion.objects.create(kind=kind, params={"activate": activate})
    transaction.on_commit(lambda: model_version_train_task.delay(version.pk))
    return version


def model_version_train(*, version_id: int, options: dict | None = None) -> ModelVersion:
    """Train the version's model on the whole catalogue (every rating and pick, user
    demographics, movie metadata), save it under ARTIFACTS_DIR/<kind>/<id>/, mark it ready and
    activate it if asked. Idempotent: a version no longer `training` is returned as is."""
    version = ModelVersion.objects.get(pk=version_id)
    if version.status != ModelVersion.Status.TRAINING:
        return version
    relative = f"{version.kind}/{version.pk}"
    folder = Path(settings.ARTIFACTS_DIR) / relative
    try:
        inter = selectors.training_interactions()
        if len(inter) == 0:
            raise ValueError("the catalogue has no ratings or picks to train on")
        recommender = train_recommender(
            inter,
            users=selectors.training_users(set(inter.users.tolist())),
            items=selectors.training_items(),
            kind=version.kind,
            seed=version.params.get("seed", 0),
            options=options,
            log=logger.info,
        )
        if folder.exists():
            shutil.rmtree(folder)
        recommender.save(folder)
    except Exception as exc:
        logger.exception("training model version %s failed", version.pk)
        version.status = ModelVersion.Status.FAILED
        version.error = f"{type(exc).__name__}: {exc}"[:2000]
        version.save(update_fields=["status", "error"])
        raise
    version.status = ModelVersion.Status.READY
    version.artifact_path = relative
    version.data_fingerprint = recommender.fingerprint
    version.metrics = recommender.metrics
    version.train_seconds = recommender.metrics.get("train_s")
    version.params = {**version.params, **recommender.params, "weights": recommender.weights}
    version.save()
    if version.params.get("activate"):
        version = model_version_activate(version=version)
    return version


@transaction.atomic
def model_version_activate(*, version: ModelVersion) -> ModelVersion:
    """Make `version` the one every process serves (they notice within seconds)."""
    if version.status != ModelVersion.Status.READY:
        raise ValueError(f"model version {version.pk} is {version.status}, not ready")
    ModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    version.is_active = True
    version.save(update_fields=["is_active"])
    transaction.on_commit(active_recommender_forget)
    logger.info("model version %s is now active (at %s)", version.pk, timezone.now())
    return version
