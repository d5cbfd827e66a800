"""A small TMDb v3 client on httpx: Bearer auth (the API Read Access Token), a base URL per
instance, pacing shared by every thread that uses the client, and retries with exponential
backoff on 429 / 5xx / network errors that honour `Retry-After`.

Why not `tmdbsimple` (pypi 2.9.8)? It sends the v3 `api_key` as a query parameter from a
module-global (no Bearer token), builds every URL from a hard-coded `https://api.themoviedb.org`
(a replay server or staging needs a monkeypatch of a module global), sends `Connection: close`
(a new TLS handshake per request), and calls `raise_for_status()` with no retry, no pacing and no
`Retry-After`; it also needs `requests`, which we do not otherwise install. Everything the sync
needs from it is one GET; the rest (pacing, retries, error classes) we would write around it
anyway. httpx is already a dependency and gives a thread-safe pooled client.

No Django here: the benchmark and the tests use it directly.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx

DEFAULT_URL = "https://api.themoviedb.org/3"
# TMDb's documented ceiling: "somewhere in the 40 requests per second range" (since the
# 40-per-10-seconds limit was lifted on 2019-12-16); a 429 says when to come back.
TMDB_CEILING = 40.0
# Paced under it: requests leave 1/rate apart but arrive with network jitter, and against a
# server counting 40 in any second a pace of exactly 40 drew 429s that cost a third of the
# throughput (bench/tmdb_sync_bench.py, first sync: 21.6 requests/s; at 35: no 429, 34.2/s).
DEFAULT_RATE = 35.0
# TMDb's list endpoints stop at page 500.
MAX_PAGE = 500
MOVIE_APPEND = "credits,keywords,translations,external_ids"


class TmdbError(Exception):
    """A request that did not give a usable answer."""

    status: int | None = None


class TmdbAuthError(TmdbError):
    """401: the token is missing, wrong or revoked. Never retried."""


class TmdbNotFound(TmdbError):
    """404: no such movie or person (TMDb deletes duplicates and spam)."""


class TmdbUnavailable(TmdbError):
    """429 / 5xx / network errors that outlasted every retry."""


class TmdbMalformed(TmdbError):
    """A 200 whose body is not the JSON object TMDb documents."""


def _message(response: httpx.Response) -> str:
    """TMDb's own words when the body has them (`status_message`), else the HTTP reason."""
    try:
        body = response.json()
    except ValueError:
        body = None
    text = body.get("status_message") if isinstance(body, dict) else None
    return str(text or response.reason_phrase or "no message")[:200]


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """`Retry-After` as seconds: either a number of seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Pacer:
    """Spaces request starts at least 1/rate seconds apart across threads, so no second ever
    holds more than `rate` requests; `hold` pauses everyone (a 429's Retry-After is per client,
    not per thread)."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()
        self.waited = 0.0

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
            delay = start - now
            self.waited += delay
        if delay > 0:
            self._sleep(delay)

    def hold(self, seconds: float) -> None:
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0  # 429 answers
    server_errors: int = 0  # 5xx answers and network errors
    backoff_seconds: float = 0.0
    by_status: dict[int, int] = field(default_factory=dict)


class TmdbClient:
    """GETs TMDb JSON. Thread-safe: the sync fetches with a few threads through one client."""

    def __init__(
        self,
        *,
        token: str,
        base_url: str = DEFAULT_URL,
        rate: float = DEFAULT_RATE,
        max_retries: int = 5,
        timeout: float = 10.0,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        retry_after_max: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.retry_after_max = retry_after_max
        self._sleep = sleep
        self.pacer = Pacer(rate, sleep=sleep)
        self.stats = ClientStats()
        self._stats_lock = threading.Lock()
        self._http = httpx.Client(
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TmdbClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _count(self, **increments: float) -> None:
        with self._stats_lock:
            for name, value in increments.items():
                setattr(self.stats, name, getattr(self.stats, name) + value)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            # Never sooner than the server asked; a whole hour would stall a daily job, so the
            # wait is capped and the request then counts as failed if it keeps being refused.
            return min(retry_after, self.retry_after_max)
        delay = self.backoff_base * 2**attempt
        return min(delay + random.uniform(0, self.backoff_base), self.backoff_max)

    def get(self, path: str, **params) -> dict:
        """The JSON object at `path` (e.g. "/movie/550"). Raises a `TmdbError` subclass."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        params = {k: v for k, v in params.items() if v is not None}
        problem = ""
        for attempt in range(self.max_retries + 1):
            self.pacer.wait()
            retry_after = None
            try:
                response = self._http.get(url, params=params)
            except httpx.RequestError as exc:  # connection, timeout, undecodable body
                problem = f"network error: {type(exc).__name__}: {exc}"[:200]
                self._count(requests=1, server_errors=1)
            else:
                status = response.status_code
                with self._stats_lock:
                    self.stats.requests += 1
                    self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
                if status == 200:
                    return self._json(response, path)
                problem = f"HTTP {status}: {_message(response)}"
                if status == 401:
                    raise _error(TmdbAuthError, problem, status)
                if status == 404:
                    raise _error(TmdbNotFound, problem, status)
                if status == 429:
                    self._count(rate_limited=1)
                    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                elif status >= 500:
                    self._count(server_errors=1)
                else:
                    raise _error(TmdbError, problem, status)
            if attempt == self.max_retries:
                break
            delay = self._backoff(attempt, retry_after)
            self._count(retries=1, backoff_seconds=delay)
            if retry_after is not None:
                self.pacer.hold(delay)
            self._sleep(delay)
        raise _error(TmdbUnavailable, f"{problem} (gave up after {self.max_retries} retries)")

    @staticmethod
    def _json(response: httpx.Response, path: str) -> dict:
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError) as exc:
            raise _error(TmdbMalformed, f"malformed JSON from {path}: {exc}"[:200]) from exc
        if not isinstance(body, dict):
            raise _error(TmdbMalformed, f"{path} answered a {type(body).__name__}, not an object")
        return body

    # --- the endpoints the sync reads ----------------------------------------------------------

    def check_token(self) -> None:
        """GET /authentication: 200 for a valid token, 401 (TmdbAuthError) otherwise."""
        self.get("/authentication")

    def movie(self, tmdb_id: int) -> dict:
        return self.get(f"/movie/{int(tmdb_id)}", append_to_response=MOVIE_APPEND)

    def person(self, tmdb_id: int) -> dict:
        return self.get(f"/person/{int(tmdb_id)}", append_to_response="translations")

    def pages(self, path: str, *, max_pages: int, **params) -> Iterator[dict]:
        """The `results` entries of a paged list (`page`, `total_pages`, `results`), page by
        page, up to `max_pages` (and TMDb's own limit of 500)."""
        page, total = 1, 1
        while page <= min(total, max_pages, MAX_PAGE):
            body = self.get(path, page=page, **params)
            results = body.get("results")
            if not isinstance(results, list):
                raise _error(TmdbMalformed, f"{path} page {page} has no results list")
            yield from (r for r in results if isinstance(r, dict))
            total_pages = body.get("total_pages")
            total = total_pages if isinstance(total_pages, int) else page
            page += 1


def _error(cls: type[TmdbError], message: str, status: int | None = None) -> TmdbError:
    error = cls(message)
    error.status = status
    return error
