"""The Celery task that builds the taste-text embedding index ahead of the first request (after
a catalogue import, say). Its name puts it on the `llm` queue (settings.CELERY_TASK_ROUTES,
"llm_worker.tasks.*"), where the worker process keeps the embedding model resident anyway.

A worker registers it once `llm_worker.tasks` imports this module.
"""

from __future__ import annotations

import logging

from celery import shared_task

from llm_worker import embeddings

logger = logging.getLogger(__name__)
LOG_EVERY = 0.25  # share of the texts between two progress log lines


@shared_task(
    name="llm_worker.tasks.embedding_index_build",
    acks_late=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def embedding_index_build(force: bool = False) -> str:
    """Build or load the current catalogue version's index; idempotent (a second run finds the
    stored files). Returns its fingerprint. Logs its progress every quarter of the texts."""
    return embeddings.embedding_index_build(force=force, progress=_log_progress()).fingerprint


def _log_progress():
    next_share = [0.0]

    def report(done: int, total: int) -> None:
        if total and (done / total >= next_share[0] or done == total):
            next_share[0] = done / total + LOG_EVERY
            logger.info("taste-text index: %d of %d movies encoded", done, total)

    return report
