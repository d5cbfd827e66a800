"""Celery tasks of the catalogue (queue `default`): thin wrappers over services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from .services.tmdb_sync import SyncError, tmdb_sync

logger = logging.getLogger(__name__)


# A first sync fetches hundreds of movies and thousands of people at 40 requests/s: minutes,
# past the default task limits. Beat starts it daily (settings.CELERY_BEAT_SCHEDULE).
@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3700)
def sync_tmdb_task() -> dict:
    """Runs the TMDb sync; returns its summary. Idempotent: a second delivery finds the lease
    (and refuses) or an empty queue (and re-reads only the lists)."""
    if not settings.TMDB_API_TOKEN:
        logger.warning("TMDb sync skipped: TMDB_API_TOKEN is not set")
        return {"skipped": "TMDB_API_TOKEN is not set"}
    try:
        report = tmdb_sync()
    except SyncError as exc:
        logger.error("TMDb sync did not run: %s", exc)
        return {"error": str(exc)}
    for line in report.lines():
        logger.info("%s", line)
    return report.as_dict()
