"""Signals the catalogue sends so that the apps above it can react without the catalogue
importing them (movies is the lowest layer; see docs/architecture.md).

`movies_synced(sender, movie_ids)`: sent once after a TMDb sync run (`tmdb_sync`) with the
catalogue ids of the movies it created or changed, after they are committed. Receivers place
them in the recommender (recommendations/apps.py) and embed them in the taste-text index
(llm_worker/apps.py). A receiver may return one line for the sync's summary; one that raises is
logged and reported, and never undoes the sync.
"""

from __future__ import annotations

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

movies_synced = Signal()


def movies_synced_send(*, sender, movie_ids: list[int]) -> list[str]:
    """Send `movies_synced`; returns the receivers' summary lines, failures included."""
    lines = []
    for receiver, answer in movies_synced.send_robust(sender=sender, movie_ids=list(movie_ids)):
        name = getattr(receiver, "__qualname__", repr(receiver))
        if isinstance(answer, Exception):
            # Django's send_robust has logged the traceback already.
            logger.error("after the TMDb sync, %s failed: %s", name, answer)
            lines.append(f"{name} failed: {type(answer).__name__}: {answer}"[:300])
        elif answer:
            lines.append(str(answer))
    return lines
