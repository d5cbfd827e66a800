"""Celery tasks of the recommender (queue `default`): thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from . import services


# Training on the whole catalogue takes minutes, far past the default task limits.
@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3700)
def model_version_train_task(version_id: int) -> int:
    """Train one `ModelVersion` row (idempotent: a finished row is left alone)."""
    return services.model_version_train(version_id=version_id).pk
