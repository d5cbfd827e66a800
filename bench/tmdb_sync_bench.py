"""TMDb sync throughput: `movies.services.tmdb_sync` against the local TMDb replay server
(movies/tests/tmdb_replay.py) that enforces TMDb's documented ceiling (40 requests in any
second, else 429 + Retry-After) and answers after a simulated network latency.

    python bench/tmdb_sync_bench.py [--movies 200] [--people 1000] [--cast 10] [--rates 40,35]
        [--server-limit 40] [--latency-ms 30] [--workers 4]

Runs, each printed as a row (movies, requests, seconds, movies/s, requests/s, 429s, the most
requests the server saw in any one second):
1. for each client pace in `--rates`: a first sync into an empty catalogue (every movie and
   every credited person fetched), then the next day's run (the listed movies again, their
   votes and popularity move; 10% of them in the changes feed; people already known);
2. the same first sync unpaced (no server limit, no latency): the code's own ceiling (SQLite
   writes, JSON parsing).
A fresh SQLite database in a temporary folder per run; writes bench/out/tmdb_sync_bench.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
TABLES = (
    "movies_credit", "movies_movie_genres", "movies_movie_keywords", "movies_movietranslation",
    "movies_personalias", "movies_movie", "movies_person", "movies_tmdbsyncstate",
    "movies_tmdbsyncqueue",
)  # fmt: skip


def _django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    # The sync's hooks (movies.signals) must not touch the developer's models and indexes.
    os.environ["ARTIFACTS_DIR"] = str(db_path.parent / "artifacts")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "llecommend_site.settings_test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _world(server, *, movies: int, people: int, cast: int, seed: int = 7) -> list[int]:
    from movies.tests.tmdb_replay import movie, person, translation

    rng = random.Random(seed)
    ids = list(range(10_001, 10_001 + movies))
    for pid in range(1, people + 1):
        server.people[pid] = person(pid, f"Person {pid}", names={"ko-KR": f"인물 {pid}"})
    for tmdb_id in ids:
        crew = rng.sample(range(1, people + 1), cast + 1)
        server.movies[tmdb_id] = movie(
            tmdb_id, f"Film {tmdb_id}", genres=("Drama", "Thriller"),
            keywords=tuple(f"keyword {rng.randrange(300)}" for _ in range(8)),
            cast=tuple((p, f"Person {p}", "Role") for p in crew[:cast]),
            directors=((crew[cast], f"Person {crew[cast]}"),),
            translations=(translation("ko", "KR", title=f"영화 {tmdb_id}", overview="줄거리."),
                          translation("en", "US", title=f"Film {tmdb_id}")),
        )  # fmt: skip
    third = len(ids) // 3
    server.lists = {"discover": ids[:third], "now_playing": ids[third : 2 * third],
                    "popular": ids[2 * third :]}  # fmt: skip
    return ids


def _run(label: str, server, cfg) -> dict:
    from movies.services.tmdb_sync import tmdb_sync

    before = len(server.requests)
    start = time.perf_counter()
    report = tmdb_sync(config=cfg)
    seconds = time.perf_counter() - start
    seen = server.requests[before:]
    return {
        "run": label,
        "movies": report.movies,
        "new": report.new,
        "people": report.people_fetched,
        "requests": len(seen),
        "seconds": round(seconds, 2),
        "movies_per_s": round(report.movies / seconds, 1),
        "requests_per_s": round(len(seen) / seconds, 1),
        "answered_429": sum(1 for r in seen if r.status == 429),
        "failed": len(report.failed),
        "max_in_any_second": _peak(seen),
    }


def _peak(seen) -> int:
    """Most requests the server received within any one second (its own clock)."""
    times = sorted(r.at for r in seen)
    peak, left = 0, 0
    for right, at in enumerate(times):
        while at - times[left] >= 1.0:
            left += 1
        peak = max(peak, right - left + 1)
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=200)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--cast", type=int, default=10)
    parser.add_argument("--rates", default="40,35", help="client paces to compare, requests/s")
    parser.add_argument("--server-limit", type=int, default=40, help="429 past this many per s")
    parser.add_argument("--latency-ms", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="tmdb_bench_"))
    _django(tmp / "bench.sqlite3")
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from movies.models import Movie, TmdbSyncState
    from movies.services.tmdb_sync import SyncConfig
    from movies.tests.tmdb_replay import TmdbReplay

    call_command("migrate", verbosity=0)
    rows = []
    pages = -(-args.movies // 20)
    rates = [float(r) for r in args.rates.split(",")]
    runs = [(f"first sync, {r:g}/s", r) for r in rates] + [("unpaced ceiling", None)]
    for label, rate in runs:
        paced = rate is not None
        with connection.cursor() as cursor:  # an empty catalogue for each first sync
            for table in TABLES:
                cursor.execute(f"DELETE FROM {table}")
        server = TmdbReplay(
            rate_limit=args.server_limit if paced else None,
            latency_s=args.latency_ms / 1000 if paced else 0.0,
        )
        ids = _world(server, movies=args.movies, people=args.people, cast=args.cast)
        with server:
            cfg = SyncConfig(
                token=server.token, base_url=server.url, rate=rate or 10_000,
                workers=args.workers, max_pages=pages, cast=args.cast,
            )  # fmt: skip
            rows.append(_run(label, server, cfg))
            if paced:
                # The next day: everything synced a day ago, 10% changed on TMDb.
                day_ago = timezone.now() - dt.timedelta(days=1)
                Movie.objects.update(synced_at=day_ago)
                TmdbSyncState.objects.update(changes_until=day_ago.date())
                server.changes = ids[::10]
                rows.append(_run(f"next day, {rate:g}/s", server, cfg))

    columns = ["run", "movies", "new", "people", "requests", "seconds", "movies_per_s",
               "requests_per_s", "answered_429", "max_in_any_second", "failed"]  # fmt: skip
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    print(f"TMDb sync against the replay server: {args.movies} movies, {args.people} people, "
          f"cast {args.cast}, server limit {args.server_limit}/s, "
          f"latency {args.latency_ms:g} ms, {args.workers} workers")  # fmt: skip
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in rows:
        print("  ".join(str(row[c]).ljust(w) for c, w in zip(columns, widths, strict=True)))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "tmdb_sync_bench.json").write_text(
        json.dumps({"args": vars(args), "rows": rows}, indent=2)
    )


if __name__ == "__main__":
    main()
