"""Enqueueing a task for a row that waits for it."""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, row) -> None:
    """Send `task(row.pk)` once the transaction commits. If the broker refuses it, the row is
    marked failed (so no page polls it forever) and the error propagates to the caller, which
    shows the "service unavailable" page."""
    model = type(row)
    pk = row.pk

    def send() -> None:
        try:
            task.delay(pk)
        except Exception:
            model.objects.filter(pk=pk, status=model.Status.PENDING).update(
                status=model.Status.FAILED
            )
            logger.exception("could not enqueue %s for %s #%s", task.name, model.__name__, pk)
            raise

    transaction.on_commit(send)
