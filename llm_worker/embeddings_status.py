"""Who is building the taste-text index, how far it got, and whether one is stored: the part of
the index's life that other processes (the web page's notice, a second builder) need to see.

One process builds at a time: the builder holds an exclusive `flock` on `<root>/.build.lock`
(released by the kernel if the builder dies, so a crash never leaves a stale lock) and writes
its progress to `<root>/.build.json` after every batch. A web request that finds a build under
way does not start a second one on the same cores: it serves the previous stored version, or
says the search is not ready yet (`IndexNotReady`). Nothing here imports Django.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

LOCK_FILE = ".build.lock"
PROGRESS_FILE = ".build.json"
READY, BUILDING, MISSING = "ready", "building", "missing"


class IndexNotReady(RuntimeError):
    """No index of the current model is stored yet and another process is building it."""


@dataclass(frozen=True)
class IndexStatus:
    state: str  # READY (a stored index of the model exists), BUILDING (none yet, one under way)
    # or MISSING (none, and nobody builds one)
    done: int = 0  # texts encoded so far by the running build
    total: int = 0  # texts it has to encode (0: not known yet)

    @property
    def percent(self) -> int | None:
        return int(100 * self.done / self.total) if self.total else None


@contextmanager
def build_lock(root: Path, *, wait: bool) -> Iterator[bool]:
    """Hold the build lock of `root` while the block runs; yields False (and holds nothing)
    when `wait` is false and another process holds it."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def someone_builds(root: Path) -> bool:
    """Whether another process holds the build lock of `root` (never waits, never creates)."""
    try:
        handle = open(root / LOCK_FILE)  # noqa: SIM115 - closed below, after the probe
    except OSError:  # no lock file: nobody ever built here (or the folder is not readable)
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def write_progress(root: Path, *, done: int, total: int, model: str) -> None:
    """Record the running build's progress (atomically: a reader never sees half a file)."""
    tmp = root / f"{PROGRESS_FILE}.{os.getpid()}"
    payload = {"done": done, "total": total, "model": model, "pid": os.getpid(), "at": time.time()}
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    tmp.replace(root / PROGRESS_FILE)


def clear_progress(root: Path) -> None:
    (root / PROGRESS_FILE).unlink(missing_ok=True)


def read_progress(root: Path) -> tuple[int, int]:
    """(done, total) of the running build; (0, 0) when it has not said yet."""
    try:
        data = json.loads((root / PROGRESS_FILE).read_text(encoding="utf-8"))
        return int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0, 0


def stored_for_model(root: Path, model: str) -> bool:
    """Whether `root` holds a saved index built with `model`."""
    for meta in root.glob("*/index.json"):
        try:
            if _model_of(meta, meta.stat().st_mtime_ns) == model:
                return True
        except OSError:  # pruned while we looked
            continue
    return False


def index_status(root: Path, model: str) -> IndexStatus:
    """READY, BUILDING (with progress) or MISSING; reads a few small files, loads no model."""
    if stored_for_model(root, model):
        return IndexStatus(READY)
    if someone_builds(root):
        done, total = read_progress(root)
        return IndexStatus(BUILDING, done=done, total=total)
    return IndexStatus(MISSING)


@lru_cache(maxsize=32)
def _model_of(meta: Path, mtime_ns: int) -> str:
    # index.json lists every id and text hash (~0.5 MB for 10k movies): parsed once per file
    # version and process, not on every page view.
    try:
        return str(json.loads(meta.read_text(encoding="utf-8")).get("model", ""))
    except ValueError:
        return ""
