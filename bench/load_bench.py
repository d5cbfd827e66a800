"""Production load: gunicorn (the container's config, llecommend_site/gunicorn_conf.py) on
loopback with real PostgreSQL and Redis (broker + shared cache) and a real Celery worker, then
`wrk` with 20 connections for 60 s on the recommendations page and on the search endpoint.

    python bench/load_bench.py [--duration 60] [--connections 20] [--workers 3]

Database: BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/llec_bench_load (created
and filled with `manage.py load_demo`, ml-latest-small, on the first run). Redis: databases 12
(broker) and 13 (cache) of BENCH_REDIS (default redis://127.0.0.1:6379), flushed at start.
Everything binds to 127.0.0.1; every run is time-bounded. Prints req/s, p50/p95/p99 and non-2xx
(target: 0) per endpoint and /readyz before and after; writes bench/out/load_bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import web_bench  # noqa: E402  (the website's bench: session setup, wrk runner)

ROOT = BENCH.parent
OUT = BENCH / "out"
PY = str(ROOT / ".venv" / "bin" / "python")
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/llec_bench_load")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")


def prod_env(db_url: str = DB_URL) -> dict[str, str]:
    """Production settings (DEBUG off, hashed static files) with a broker and a shared cache."""
    env = web_bench.env_for(db_url)
    env.update(
        CELERY_BROKER_URL=f"{REDIS}/12",
        CACHE_URL=f"{REDIS}/13",
        LLM_RATE_LIMIT="off",  # one bench user asks for far more lists than a person would
        STATICFILES_BACKEND="whitenoise.storage.CompressedManifestStaticFilesStorage",
        STATIC_ROOT=str(OUT / "staticfiles"),
        ARTIFACTS_DIR=str(OUT / "artifacts"),
    )
    return env


FORGET_PENDING = """
from recommendations.models import RecommendationList
RecommendationList.objects.filter(user__username="web-bench").exclude(status="ready").delete()
"""


def ensure_database(db_url: str) -> None:
    name = db_url.rsplit("/", 1)[1]
    server = db_url.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(
        ["psql", server, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(["psql", server, "-c", f'CREATE DATABASE "{name}"'], check=True, timeout=30)


def redis_flush() -> None:
    import redis

    for db in (12, 13):
        client = redis.Redis.from_url(f"{REDIS}/{db}", socket_connect_timeout=2)
        client.flushdb()
        client.close()


def prepare(env: dict[str, str]) -> str:
    """Migrate, load the catalogue (first run), collect static files; a logged-in bench user
    with a ready list (filled by the real worker). Returns the session cookie."""
    ensure_database(env["DATABASE_URL"])
    web_bench.manage(env, "migrate", "-v", "0")
    web_bench.manage(env, "compilemessages", "--ignore", ".venv", "-v", "0")
    web_bench.manage(env, "collectstatic", "--noinput", "-v", "0")
    print(web_bench.manage(env, "load_demo", "--no-progress").strip().splitlines()[-1])
    # Lists left pending by an earlier run lost their messages when Redis was flushed.
    web_bench.manage(env, "shell", "-c", FORGET_PENDING)
    setup = web_bench.manage(env, "shell", "-c", web_bench.SETUP)
    return "sessionid=" + next(x.split()[1] for x in setup.splitlines() if x.startswith("SESSION"))


def start_worker(env: dict[str, str], name: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            PY,
            "-m",
            "celery",
            "-A",
            "llecommend_site",
            "worker",
            "-Q",
            "llm,default",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"{name}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    return web_bench.start_gunicorn(
        {
            **env,
            "GUNICORN_ACCESSLOG": "",  # an access line per request would measure the terminal
            "GUNICORN_MAX_REQUESTS": "0",  # no recycling: memory growth stays visible
        },
        port,
        workers,
    )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 60) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def readyz(base: str) -> dict:
    try:
        with urllib.request.urlopen(f"{base}/readyz", timeout=10) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read())


def fetch(url: str, cookie: str) -> tuple[int, str, str]:
    """(status, body, the `csrftoken=…` cookie the server set or "")."""
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie})) as resp:
        csrf = next(
            (
                v.split(";", 1)[0]
                for v in resp.headers.get_all("Set-Cookie") or []
                if v.startswith("csrftoken=")
            ),
            "",
        )
        return resp.status, resp.read().decode(), csrf


def wait_cards(base: str, cookie: str, seconds: float = 120) -> str:
    """Wait for the bench user's list; returns the cookie a browser would now send (session +
    CSRF cookie, which the site needs to serve its cached fragments)."""
    end = time.monotonic() + seconds
    cards = 0
    while time.monotonic() < end:
        status, page, csrf = fetch(f"{base}/", cookie)
        if csrf and "csrftoken=" not in cookie:
            cookie = f"{cookie}; {csrf}"
        cards = page.count('<li class="card')
        if status == 200 and cards >= 10:
            return cookie
        time.sleep(1)
    sys.exit(f"the recommendations page never showed 10 cards (last: {cards})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn processes (4 threads)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    env = prod_env()
    redis_flush()
    print(f"database {DB_URL.split('@')[-1]}, broker {REDIS}/12, cache {REDIS}/13", flush=True)
    worker = start_worker(env, "load", OUT / "load_bench_worker.log")
    port = web_bench.free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    try:
        cookie = prepare(env)
        server = start_gunicorn(env, port, args.workers)
        web_bench.wait_up(f"{base}/healthz")
        cookie = wait_cards(base, cookie)
        before = readyz(base)
        print(f"warm-up ok: 10 cards; /readyz {before['status']}", flush=True)
        cookie_h = f"Cookie: {cookie}"
        results = {
            "recommendations page": web_bench.run_wrk(base, ["/"], [cookie_h], args),
            "search": web_bench.run_wrk(
                base,
                [f"/movies/search/?q={w}" for w in web_bench.SEARCH_WORDS],
                [cookie_h, "HX-Request: true"],
                args,
            ),
        }
        after = readyz(base)
    finally:
        if server is not None:
            stop(server)
        stop(worker)

    print(f"\nwrk: {args.connections} connections × {args.duration} s per endpoint, loopback,")
    print(f"gunicorn {args.workers} × 4 threads, PostgreSQL + Redis; machine shared, 2 cores")
    print(
        f"{'endpoint':<22}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'non-2xx':>9}{'sock err':>9}"
    )
    for name, r in results.items():
        print(
            f"{name:<22}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['p99']:>9.1f}"
            f"{r['non2xx']:>9d}{r['socket_errors']:>9d}"
        )
    print(f"/readyz before: {before['status']}, after: {after['status']}")
    ok = all(r["non2xx"] == 0 for r in results.values())
    print("0 non-2xx: " + ("yes" if ok else "NO"))
    (OUT / "load_bench.json").write_text(
        json.dumps(
            {"args": vars(args), "results": results, "readyz": [before, after], "ok": ok},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
