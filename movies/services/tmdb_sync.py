"""The TMDb API sync (`manage.py sync_tmdb`, the daily `movies.tasks.sync_tmdb_task`): new and
changed movies with their credits, keywords, genres, posters and localized text, and the
localized names of the people credited.

A run has three phases, each resumable:
1. collect: the ids of discover (releases of the last `TMDB_SYNC_RELEASE_WINDOW_DAYS`), now
   playing and popular (in `TMDB_REGION`), and of TMDb's changes feed since the last run (only
   movies the catalogue already has); written to the queue (`TmdbSyncQueue`) together with the
   new end of the changes window (`TmdbSyncState.changes_until`), in one transaction;
2. movies: each queued id is fetched (a few threads, one paced client) and written in its own
   transaction that also deletes its queue row: a run that dies leaves exactly the movies it did
   not write, and the next run resumes with them (writes are upserts keyed on the TMDb id, so
   nothing is ever written twice);
3. people: every person with a TMDb id whose names were never fetched (`Person.synced_at` null).

A bad token (401) is found by the first request, before anything is written. A lease on the
state row keeps two runs from working at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from tqdm import tqdm

from ..models import Credit, Movie, Person, TmdbSyncQueue, TmdbSyncState
from ..signals import movies_synced_send
from ..tmdb_api import (
    BadPayload,
    TmdbAuthError,
    TmdbClient,
    TmdbError,
    TmdbNotFound,
    movie_record,
    person_record,
)
from ..tmdb_api.client import DEFAULT_RATE, DEFAULT_URL
from ..tmdb_api.payload import split_tag
from . import IN_BATCH
from .tmdb_sync_write import movie_write, person_names_write

logger = logging.getLogger(__name__)
# TMDb's changes feed answers at most 14 days per request.
CHANGES_DAYS = 14


class SyncError(Exception):
    """The sync cannot run (no token, a refused token, another run holds the lease)."""


@dataclass
class SyncConfig:
    token: str = ""
    base_url: str = DEFAULT_URL
    languages: list[str] = field(default_factory=lambda: ["ko-KR", "en-US"])
    region: str = "KR"
    rate: float = DEFAULT_RATE
    max_retries: int = 5
    timeout: float = 10.0
    backoff: float = 0.5
    workers: int = 4
    max_pages: int = 5
    release_window_days: int = 30
    cast: int = 10
    max_attempts: int = 3
    fresh_hours: float = 12.0
    lease_seconds: int = 600

    @classmethod
    def from_settings(cls) -> SyncConfig:
        """From settings.py (`TMDB_*`, see .env.example); a missing setting keeps the default."""
        base = cls()
        names = {
            "token": "TMDB_API_TOKEN", "base_url": "TMDB_API_URL", "languages": "TMDB_LANGUAGES",
            "region": "TMDB_REGION", "rate": "TMDB_REQUESTS_PER_SECOND",
            "max_retries": "TMDB_MAX_RETRIES", "timeout": "TMDB_TIMEOUT_S",
            "backoff": "TMDB_BACKOFF_S",
            "workers": "TMDB_SYNC_WORKERS", "max_pages": "TMDB_SYNC_MAX_PAGES",
            "release_window_days": "TMDB_SYNC_RELEASE_WINDOW_DAYS", "cast": "TMDB_SYNC_CAST",
            "max_attempts": "TMDB_SYNC_MAX_ATTEMPTS", "fresh_hours": "TMDB_SYNC_FRESH_HOURS",
        }  # fmt: skip
        return cls(**{k: getattr(settings, v, getattr(base, k)) for k, v in names.items()})


@dataclass
class SyncReport:
    collected: dict[str, int] = field(default_factory=dict)  # reason → ids queued
    fresh: int = 0  # listed, but synced a short while ago: left alone
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (what, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    people_fetched: int = 0
    aliases_added: int = 0
    left_in_queue: int = 0
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    seconds: float = 0.0
    changed_movie_ids: list[int] = field(default_factory=list)  # new or updated, announced

    @property
    def movies(self) -> int:
        return self.new + self.updated + self.unchanged

    def lines(self) -> list[str]:
        movie_fails = sum(1 for what, _ in self.failed if what.startswith("movie"))
        rate = self.requests / self.seconds if self.seconds else 0.0
        lines = [
            f"TMDb sync: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{movie_fails} failed; {self.left_in_queue} left in the queue.",
        ]
        if self.collected:
            found = ", ".join(f"{reason} {n}" for reason, n in self.collected.items())
            lines.append(
                f"Collected: {found}; {self.fresh} listed movies synced in the last hours "
                "left alone."
            )
        lines += [
            f"People: {self.people_fetched} fetched, {self.aliases_added} localized names added, "
            f"{len(self.failed) - movie_fails} failed.",
            f"Requests: {self.requests} in {self.seconds:.1f} s ({rate:.1f}/s); "
            f"{self.retries} retries, {self.rate_limited} answered 429.",
        ]
        for title, entries in (("Failed", self.failed), ("Skipped", self.skipped)):
            if entries:
                lines.append(f"{title}:")
                lines += [f"  {what}: {reason}" for what, reason in entries[:20]]
                if len(entries) > 20:
                    lines.append(f"  ... and {len(entries) - 20} more")
        lines += [f"Note: {note}" for note in self.notes[:20]]
        return lines

    def as_dict(self) -> dict:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": [list(f) for f in self.failed[:50]],
            "left_in_queue": self.left_in_queue,
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
        }


def fetched(ids: Iterable[int], fetch: Callable[[int], dict], workers: int) -> Iterator:
    """(id, body or the exception) for each id, in order, fetched `workers` at a time with a
    bounded look-ahead (bodies are not all held in memory). A refused token stops everything."""
    pending = iter(ids)
    window: deque = deque()
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="tmdb") as pool:
        try:
            for _ in range(max(1, workers) * 2):
                nxt = next(pending, None)
                if nxt is not None:
                    window.append((nxt, pool.submit(fetch, nxt)))
            while window:
                item, future = window.popleft()
                try:
                    value = future.result()
                except TmdbAuthError:
                    raise
                except Exception as exc:  # reported per movie; the run goes on
                    value = exc
                nxt = next(pending, None)
                if nxt is not None:
                    window.append((nxt, pool.submit(fetch, nxt)))
                yield item, value
        finally:
            for _, future in window:
                future.cancel()


def _collect(client: TmdbClient, cfg: SyncConfig, state: TmdbSyncState, today: dt.date,
             report: SyncReport) -> tuple[dict[int, str], dt.date | None]:  # fmt: skip
    """Ids to fetch, each with the list that named it first; and the new changes watermark."""
    found: dict[int, str] = {}

    def add(reason: str, entries: Iterable[dict], keep: Callable[[int], bool] = bool) -> None:
        count = 0
        for entry in entries:
            tmdb_id = entry.get("id")
            if not isinstance(tmdb_id, int) or entry.get("adult") is True or not keep(tmdb_id):
                continue
            if tmdb_id not in found:
                found[tmdb_id] = reason
                count += 1
        report.collected[reason] = report.collected.get(reason, 0) + count

    window_start = today - dt.timedelta(days=cfg.release_window_days)
    add("discover", client.pages(
        "/discover/movie", max_pages=cfg.max_pages, sort_by="popularity.desc",
        include_adult="false", include_video="false",
        **{"primary_release_date.gte": window_start.isoformat(),
           "primary_release_date.lte": today.isoformat()},
    ))  # fmt: skip
    add(
        "now_playing",
        client.pages("/movie/now_playing", max_pages=cfg.max_pages, region=cfg.region),
    )
    add("popular", client.pages("/movie/popular", max_pages=cfg.max_pages, region=cfg.region))
    # Lists name mostly the same movies day after day, and a run that resumes after a crash
    # would fetch again what it wrote an hour before: a listed movie synced recently is left
    # alone (the changes feed still brings it back when it changes on TMDb).
    cutoff = timezone.now() - dt.timedelta(hours=cfg.fresh_hours)
    listed = list(found)
    for start in range(0, len(listed), IN_BATCH):
        fresh = Movie.objects.filter(tmdb_id__in=listed[start : start + IN_BATCH])
        for tmdb_id in fresh.filter(synced_at__gte=cutoff).values_list("tmdb_id", flat=True):
            del found[tmdb_id]
            report.fresh += 1
    if state.changes_until is None:
        # First run: nothing has changed since a previous one; from now on, changes count.
        return found, today
    known = set(Movie.objects.exclude(tmdb_id=None).values_list("tmdb_id", flat=True))
    start = state.changes_until
    while start <= today:
        end = min(start + dt.timedelta(days=CHANGES_DAYS - 1), today)
        add("changes", client.pages(
            "/movie/changes", max_pages=500, start_date=start.isoformat(),
            end_date=end.isoformat(),
        ), keep=known.__contains__)  # fmt: skip
        start = end + dt.timedelta(days=1)
    return found, today


class _Lease:
    """The state row's lease: taken at the start, renewed while working, given back at the end
    (a run killed with -9 leaves it to expire after `lease_seconds`)."""

    def __init__(self, cfg: SyncConfig) -> None:
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{time.monotonic_ns()}"[:100]
        self.seconds = cfg.lease_seconds
        self.renewed = 0.0

    def take(self, now: dt.datetime) -> TmdbSyncState:
        with transaction.atomic():
            state, _ = TmdbSyncState.objects.select_for_update().get_or_create(key="tmdb")
            if state.lease_owner and state.lease_until and state.lease_until > now:
                raise SyncError(
                    f"Another TMDb sync ({state.lease_owner}) is running until "
                    f"{state.lease_until:%Y-%m-%d %H:%M:%S %Z} at the latest; try again later."
                )
            state.lease_owner = self.owner
            state.lease_until = now + dt.timedelta(seconds=self.seconds)
            state.last_started_at = now
            state.save()
        self.renewed = time.monotonic()
        return state

    def renew(self) -> None:
        if time.monotonic() - self.renewed < self.seconds / 4:
            return
        until = timezone.now() + dt.timedelta(seconds=self.seconds)
        TmdbSyncState.objects.filter(key="tmdb", lease_owner=self.owner).update(lease_until=until)
        self.renewed = time.monotonic()

    def give_back(self, report: SyncReport | None) -> None:
        values: dict = {"lease_owner": "", "lease_until": None}
        if report is not None:
            values.update(last_finished_at=timezone.now(), last_summary=report.as_dict())
        TmdbSyncState.objects.filter(key="tmdb", lease_owner=self.owner).update(**values)


def _movie_fail(tmdb_id: int, error: Exception, cfg: SyncConfig, report: SyncReport) -> None:
    """A 404 leaves the queue at once (TMDb deleted the movie); other failures stay queued for
    the next run, `max_attempts` runs at most."""
    reason = str(error)[:300] or type(error).__name__
    row = TmdbSyncQueue.objects.filter(tmdb_id=tmdb_id).first()
    attempts = (row.attempts if row else 0) + 1
    final = isinstance(error, TmdbNotFound) or attempts >= cfg.max_attempts
    if row is not None:
        if final:
            row.delete()
        else:
            row.attempts, row.last_error = attempts, reason
            row.save(update_fields=["attempts", "last_error"])
    state = "dropped from the queue" if final else f"try {attempts} of {cfg.max_attempts}, queued"
    report.failed.append((f"movie {tmdb_id}", f"{reason} ({state})" if row else reason))
    logger.warning("TMDb sync: movie %s failed: %s", tmdb_id, reason)


def _movies_run(client, cfg, ids: list[int], report, lease, progress: bool) -> list[int]:
    """Fetches and writes `ids`; returns the pks of the movies written."""
    now = timezone.now()
    written = []
    bar = tqdm(total=len(ids), desc="TMDb movies", unit="movie", file=sys.stderr,
               disable=None if progress else True)  # fmt: skip
    for tmdb_id, body in fetched(ids, client.movie, cfg.workers):
        bar.update()
        lease.renew()
        try:
            if isinstance(body, Exception):
                raise body
            record = movie_record(body, tmdb_id=tmdb_id, languages=cfg.languages, max_cast=cfg.cast)
            if record.adult:
                TmdbSyncQueue.objects.filter(tmdb_id=tmdb_id).delete()
                report.skipped.append((f"movie {tmdb_id}", "marked adult on TMDb"))
                continue
            with transaction.atomic():
                result = movie_write(record, now=now)
                TmdbSyncQueue.objects.filter(tmdb_id=tmdb_id).delete()
        except (TmdbError, BadPayload, DatabaseError) as exc:
            _movie_fail(tmdb_id, exc, cfg, report)
            continue
        setattr(report, result.outcome, getattr(report, result.outcome) + 1)
        if result.outcome != "unchanged":
            report.changed_movie_ids.append(result.movie_id)
        report.notes += [f"movie {tmdb_id}: {n}" for n in result.notes]
        written.append(result.movie_id)
    bar.close()
    return written


def _people_run(client, cfg, people: list[tuple[int, int]], report, lease, progress) -> None:
    now = timezone.now()
    by_tmdb = dict((tmdb_id, pk) for pk, tmdb_id in people)
    bar = tqdm(total=len(people), desc="TMDb people", unit="person", file=sys.stderr,
               disable=None if progress else True)  # fmt: skip
    for tmdb_id, body in fetched(by_tmdb, client.person, cfg.workers):
        bar.update()
        lease.renew()
        try:
            if isinstance(body, Exception):
                raise body
            record = person_record(body, tmdb_id=tmdb_id, languages=cfg.languages)
            with transaction.atomic():
                report.aliases_added += person_names_write(by_tmdb[tmdb_id], record, now=now)
            report.people_fetched += 1
        except (TmdbError, BadPayload) as exc:
            if isinstance(exc, TmdbNotFound):  # nothing more to learn about this person
                Person.objects.filter(pk=by_tmdb[tmdb_id]).update(synced_at=now)
            report.failed.append((f"person {tmdb_id}", str(exc)[:300]))
    bar.close()


def _client(cfg: SyncConfig) -> TmdbClient:
    if not cfg.token:
        raise SyncError(
            "TMDB_API_TOKEN is not set: put the API Read Access Token from "
            "https://www.themoviedb.org/settings/api in the environment (or .env)."
        )
    languages = [split_tag(tag)[0] for tag in cfg.languages]
    if not languages or len(set(languages)) != len(languages):
        raise SyncError(
            f"TMDB_LANGUAGES must name each language once (e.g. ko-KR,en-US), not {cfg.languages}"
        )
    return TmdbClient(token=cfg.token, base_url=cfg.base_url, rate=cfg.rate,
                      max_retries=cfg.max_retries, timeout=cfg.timeout,
                      backoff_base=cfg.backoff)  # fmt: skip


def _token_check(client: TmdbClient) -> None:
    try:
        client.check_token()
    except TmdbAuthError as exc:
        raise SyncError(
            f"TMDb refused the token ({exc}). Set TMDB_API_TOKEN to the API Read Access Token "
            "(not the v3 API key) from https://www.themoviedb.org/settings/api. "
            "Nothing was written."
        ) from exc
    except TmdbError as exc:
        raise SyncError(f"TMDb cannot be reached at {client.base_url}: {exc}") from exc


def tmdb_sync(*, movie_id: int | None = None, progress: bool = False,
              config: SyncConfig | None = None) -> SyncReport:  # fmt: skip
    """Syncs the catalogue with TMDb (or, with `movie_id`, refreshes that one movie and its
    people). Raises `SyncError` when it cannot start; a 401 half-way stops the run, keeping what
    was written and the queue of the rest."""
    cfg = config or SyncConfig.from_settings()
    report = SyncReport()
    started = time.perf_counter()
    with _client(cfg) as client:
        _token_check(client)
        lease = _Lease(cfg)
        state = lease.take(timezone.now())
        done = False
        try:
            if movie_id is None:
                found, watermark = _collect(client, cfg, state, timezone.localdate(), report)
                with transaction.atomic():
                    TmdbSyncQueue.objects.bulk_create(
                        [TmdbSyncQueue(tmdb_id=i, reason=r) for i, r in found.items()],
                        ignore_conflicts=True,
                    )
                    TmdbSyncState.objects.filter(pk=state.pk).update(changes_until=watermark)
                ids = list(TmdbSyncQueue.objects.values_list("tmdb_id", flat=True))
            else:
                ids = [movie_id]
            written = _movies_run(client, cfg, ids, report, lease, progress)
            people = Person.objects.filter(tmdb_id__isnull=False, synced_at__isnull=True)
            if movie_id is not None:
                credited = Credit.objects.filter(movie_id__in=written).values("person_id")
                people = people.filter(pk__in=credited)
            _people_run(client, cfg, list(people.values_list("pk", "tmdb_id")), report, lease,
                        progress)  # fmt: skip
            done = True
        except TmdbAuthError as exc:
            raise SyncError(
                f"TMDb refused the token half-way ({exc}); what was written stays, and the "
                "rest stays queued for the next run."
            ) from exc
        finally:
            report.left_in_queue = TmdbSyncQueue.objects.count()
            stats = client.stats
            report.requests, report.retries = stats.requests, stats.retries
            report.rate_limited = stats.rate_limited
            report.seconds = time.perf_counter() - started
            lease.give_back(report if done else None)
            # What was written stays written, crash or not: the apps above are told of it.
            if report.changed_movie_ids:
                report.notes += movies_synced_send(sender=Movie, movie_ids=report.changed_movie_ids)
    logger.info("TMDb sync: %s", report.as_dict())
    return report
