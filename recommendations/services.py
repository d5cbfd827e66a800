"""The user's feedback on recommended movies, and the training and activation of model
versions. Candidates are in `recommendations.candidates`, the list flow in
`recommendations.list_flow`."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import selectors
from .candidates import active_recommender_forget
from .cold_items import cold_items_place_untrained
from .engine.bundle import train_recommender
from .engine.training import DEFAULT_KIND
from .models import Feedback, ModelVersion

logger = logging.getLogger(__name__)

__all__ = [
    "feedback_set",
    "model_version_activate",
    "model_version_create",
    "model_version_train",
]


@transaction.atomic
def feedback_set(*, user, movie_id: int, kind: str) -> Feedback:
    """Record like / not interested; the latest choice for a movie wins."""
    feedback, _ = Feedback.objects.update_or_create(
        user=user, movie_id=movie_id, defaults={"kind": kind}
    )
    return feedback


# -- model versions ------------------------------------------------------------------------------
@transaction.atomic
def model_version_create(*, kind: str = DEFAULT_KIND, activate: bool = False) -> ModelVersion:
    """A `training` row; the training task runs once this transaction commits."""
    from .tasks import model_version_train_task

    version = ModelVersion.objects.create(kind=kind, params={"activate": activate})
    transaction.on_commit(lambda: model_version_train_task.delay(version.pk))
    return version


def model_version_train(
    *, version_id: int, options: dict | None = None, tracker=None
) -> ModelVersion:
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
            tune=version.params.get("tune", False),
            log=logger.info,
            tracker=tracker,
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
    _place_untrained(version)
    if version.params.get("activate"):
        version = model_version_activate(version=version)
    return version


def _place_untrained(version: ModelVersion) -> None:
    """Movies the new version has no interactions for keep a place from their features
    (recommendations.cold_items); without one, a synced movie still unrated would drop out of
    the candidates at each retrain. A failure leaves the model usable: logged, not raised."""
    try:
        cold_items_place_untrained(version_id=version.pk, artifact_path=version.artifact_path)
    except Exception:
        logger.exception("model version %s: placing its untrained movies failed", version.pk)


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
