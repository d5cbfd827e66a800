"""New movies recommendable on day one. A movie the active model has no interactions for (synced
from TMDb after the training, or still without a rating) is placed among the trained movies by
its features (`engine.cold`: nearest trained movies by genres, director, cast, keywords,
language and decade; its score for a user derived from theirs, discounted). The placements lie
beside the active version's files (`cold_items.npz`); every serving process re-reads them within
`candidates.ACTIVE_CHECK_SECONDS`, the process that placed them at once. No retrain.

Placed after each TMDb sync (`movies.signals.movies_synced`, received in apps.py) and after
each training (the catalogue's movies the new version has no interactions for)."""

from __future__ import annotations

import fcntl
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

from movies.models import Movie

from . import selectors
from .candidates import active_recommender_forget
from .engine import cold
from .engine.features import item_keys

logger = logging.getLogger(__name__)

__all__ = ["ColdPlacement", "cold_items_place", "cold_items_place_untrained"]

CHUNK = 500  # movies per feature query (keeps IN lists short)


@dataclass
class ColdPlacement:
    version_id: int | None = None
    placed: list[int] = field(default_factory=list)  # placed (or placed again) now
    known: list[int] = field(default_factory=list)  # the model has interactions for them
    missing: list[int] = field(default_factory=list)  # not in the catalogue (deleted)
    total: int = 0  # placed movies beside the version after this call
    seconds: float = 0.0

    def line(self) -> str:
        if self.version_id is None:
            return "recommender: no active model version; nothing placed"
        return (
            f"recommender: {len(self.placed)} movie(s) placed from their features beside model "
            f"version {self.version_id} ({self.total} in all; {len(self.known)} already "
            f"learned from ratings) in {self.seconds:.2f} s"
        )


def cold_items_place(
    *, movie_ids, version_id: int | None = None, artifact_path: str | None = None
) -> ColdPlacement:
    """Place `movie_ids` beside the active model version (or the given one): each movie the
    model has no interactions for gets neighbours among its trained movies; a movie placed
    before is placed again (its credits may have changed), one the model has learned or the
    catalogue has lost is dropped. Hidden movies are placed too: serving leaves them out, and a
    curator may show them again. Idempotent."""
    started = time.perf_counter()
    if version_id is None:
        row = selectors.active_model_version()
        if row is None:
            logger.info("no active model version: %d synced movie(s) not placed", len(movie_ids))
            return ColdPlacement()
        version_id, artifact_path = row
    folder = Path(settings.ARTIFACTS_DIR) / artifact_path
    report = ColdPlacement(version_id=version_id)
    wanted = sorted({int(m) for m in movie_ids})
    item_ids = np.load(folder / "item_ids.npy")
    counts = np.load(folder / "item_counts.npy")
    learned = set(item_ids[counts > 0].tolist())
    report.known = [m for m in wanted if m in learned]
    keys = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = [m for m in wanted[start : start + CHUNK] if m not in learned]
        for pk, info in selectors.training_items(movie_ids=chunk).items():
            keys[pk] = item_keys(info)
    report.missing = [m for m in wanted if m not in learned and m not in keys]
    new = (
        cold.place(_feature_index(folder, item_ids, counts), keys)
        if keys
        else cold.ColdItems.empty()
    )
    with _locked(folder):
        placed = cold.ColdItems.load(folder).merged(new, drop=report.known + report.missing)
        placed.save(folder)
    active_recommender_forget()
    report.placed, report.total = sorted(keys), len(placed)
    report.seconds = time.perf_counter() - started
    logger.info("%s", report.line())
    return report


def cold_items_place_untrained(*, version_id: int, artifact_path: str) -> ColdPlacement:
    """After a training: place every catalogue movie the new version has no interactions for
    (a movie synced before the training but not yet rated would otherwise score as nothing)."""
    folder = Path(settings.ARTIFACTS_DIR) / artifact_path
    learned = np.load(folder / "item_ids.npy")[np.load(folder / "item_counts.npy") > 0]
    untrained = set(Movie.objects.values_list("pk", flat=True)) - set(learned.tolist())
    return cold_items_place(movie_ids=untrained, version_id=version_id, artifact_path=artifact_path)


# The trained movies' feature index, per version folder: building it costs ~0.3 s on 10k
# movies, and a sync places a few movies at a time.
_index_cache: dict[str, tuple[tuple, cold.FeatureIndex]] = {}


def _feature_index(folder: Path, item_ids: np.ndarray, counts: np.ndarray) -> cold.FeatureIndex:
    keys_per_item = None
    stamp_path = folder / cold.KEYS_FILE
    if not stamp_path.exists():
        # Trained before the keys were saved with the model: the catalogue's features now.
        logger.warning(
            "%s has no %s: reading the features from the catalogue", folder, cold.KEYS_FILE
        )
        items = selectors.training_items()
        keys_per_item = [item_keys(items.get(int(i))) for i in item_ids]
        cold.save_item_keys(folder, keys_per_item)
    st = stamp_path.stat()
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _index_cache.get(str(folder))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    keys_per_item = keys_per_item or cold.load_item_keys(folder)
    index = cold.FeatureIndex(keys_per_item, counts > 0)
    _index_cache.clear()  # one version at a time: the active one
    _index_cache[str(folder)] = (stamp, index)
    return index


@contextmanager
def _locked(folder: Path):
    """Two syncs placing at once would each read the old file and the last to write would win:
    one writer at a time per version folder."""
    with open(folder / ".cold.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
