"""Celery tasks of the recommendations app: thin wrappers over idempotent services.

Training runs on the `default` queue. Filling a list runs the LLM, so it goes to the `llm` queue
(settings.CELERY_TASK_ROUTES names it) with the LLM layer's task options: `acks_late`, the LLM
time limits, and retries for transient database errors only."""

from __future__ import annotations

from celery import shared_task

from llm_worker.tasks import LLM_TASK_OPTIONS

from . import list_flow, services


# Training on the whole catalogue takes minutes, far past the default task limits.
@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3700)
def model_version_train_task(version_id: int) -> int:
    """Train one `ModelVersion` row (idempotent: a finished row is left alone)."""
    return services.model_version_train(version_id=version_id).pk


@shared_task(**LLM_TASK_OPTIONS)
def recommendation_list_fill(list_id: int) -> int:
    """Fill one pending `RecommendationList` row with its items."""
    return list_flow.recommendation_list_fill(list_id=list_id).pk
