"""Celery tasks of the LLM layer, on the `llm` queue (settings.CELERY_TASK_ROUTES): one worker
process with concurrency 1 keeps the model resident (`llm_worker.conf.llm_backend`).

Thin wrappers over idempotent services. `acks_late` means a worker killed mid-task leaves the
message for the next worker, which finds the row still pending (or already ready) and never
writes it twice. Only transient database errors are retried, with backoff: LLM failures are
already answered inside the pipeline by the grounded engine, and anything else is a bug that a
retry would only repeat (the service marks the row failed and logs it).
"""

from __future__ import annotations

from celery import shared_task

from llm_worker import conf, services

SOFT_TIME_LIMIT, TIME_LIMIT = conf.task_time_limits()

# Shared with the other tasks of the `llm` queue (recommendations.tasks.recommendation_list_fill).
LLM_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": SOFT_TIME_LIMIT,
    "time_limit": TIME_LIMIT,
    "autoretry_for": services.TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(**LLM_TASK_OPTIONS)
def persona_generate(persona_id: int) -> int:
    """Fill one pending `Persona` row."""
    return services.persona_generate(persona_id=persona_id).pk


# Registered here so `autodiscover_tasks` finds it; it runs on the llm queue like the rest.
from llm_worker.embedding_tasks import embedding_index_build  # noqa: E402,F401
