"""A cheap stamp of the catalogue's state, and which stored taste-text index was built for it.

Describing every movie to fingerprint the catalogue takes seconds; the stamp (counts and the
newest edit) takes one query. A process that finds the stamp it knows skips the description,
and a new process finds, in `stamp.json`, the index stored for the catalogue as it is."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from django.db.models import Count, Max

logger = logging.getLogger(__name__)

STAMP_FILE = "stamp.json"


def catalogue_stamp() -> tuple:
    """Counts and the newest movie edit: it moves when a movie, credit or link is added,
    removed or edited (a rename of a person or keyword waits for the builders' full check)."""
    from movies.models import Credit, Movie

    movies = Movie.objects.aggregate(n=Count("pk"), top=Max("pk"), last=Max("updated_at"))
    return (
        movies["n"],
        movies["top"],
        str(movies["last"]),
        Credit.objects.count(),
        Movie.genres.through.objects.count(),
        Movie.keywords.through.objects.count(),
    )


def remember(root: Path, stamp: tuple, fingerprint: str) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        (root / STAMP_FILE).write_text(
            json.dumps({"stamp": list(stamp), "fingerprint": fingerprint})
        )
    except OSError as exc:  # only a shortcut for the next process: never fail a search for it
        logger.warning("could not write %s: %s", STAMP_FILE, exc)


def fingerprint_of(root: Path, stamp: tuple) -> str:
    """The fingerprint recorded for exactly this stamp, or ""."""
    try:
        known = json.loads((root / STAMP_FILE).read_text())
    except (OSError, ValueError):
        return ""
    if not isinstance(known, dict) or known.get("stamp") != list(stamp):
        return ""
    return str(known.get("fingerprint", ""))
