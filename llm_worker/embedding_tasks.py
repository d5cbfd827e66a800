"""The Celery task that builds the taste-text embedding index ahead of the first request (after
a catalogue import, say). Its name puts it on the `llm` queue (settings.CELERY_TASK_ROUTES,
"llm_worker.tasks.*"), where the worker process keeps the embedding model resident anyway.

A worker registers it once `llm_worker.tasks` imports this module.
"""

from __future__ import annotations

from celery import shared_task

from llm_worker import embeddings


@shared_task(
    name="llm_worker.tasks.embedding_index_build",
    acks_late=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def embedding_index_build(force: bool = False) -> str:
    """Build or load the current catalogue version's index; idempotent (a second run finds the
    stored files). Returns its fingerprint."""
    return embeddings.embedding_index_build(force=force).fingerprint
