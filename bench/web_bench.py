"""Web latency under load: gunicorn on loopback (the container's config, with 2 sync workers by
default: one per core, each request to whichever is free), `wrk` with 20 connections against
the recommendations page (grounded explanations, no LLM), the search-as-you-type endpoint with
ten popular words, and the same endpoint with 1,000 distinct title prefixes (most requests miss
the result cache), over the ml-latest-small catalogue (9,742 movies).

    python bench/web_bench.py [--duration 15] [--connections 20] [--workers 2]
        [--worker-class sync|gthread] [--threads 1]

Two latencies per endpoint: the server time gunicorn logs for each request (read to response
written; the targets are about this one: page p95 <= 100 ms, search p95 <= 50 ms) and wrk's
client latency, which adds the time a request waits for a free worker: with 20 connections on
2 cores that wait is most of it. Uses DATABASE_URL when set, else a SQLite file
bench/out/web_bench.sqlite3 (migrated and loaded with `manage.py load_demo` the first time), and
CACHE_URL when set (else the per-process memory cache). Needs `wrk` (apt-get install -y wrk) and
LLECOMMEND_DATA_DIR (or ../shared/datasets). Writes bench/out/web_bench.json. Everything binds
to 127.0.0.1 only; every run is time-bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = str(ROOT / ".venv" / "bin" / "python")
ACCESS_LOG = OUT / "web_bench.access.log"
TARGETS = {"recommendations page": 100.0, "search": 50.0}
SEARCH_WORDS = ["star", "love", "the", "man", "war", "toy", "matrix", "god", "night", "amel"]

# Run inside `manage.py shell`: a bench user with five picks and one ready list (real services,
# grounded engine), then a logged-in session; prints the session key.
SETUP = """
from django.contrib.auth import get_user_model, HASH_SESSION_KEY, SESSION_KEY, BACKEND_SESSION_KEY
from importlib import import_module
from django.conf import settings
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
from django.db import transaction
from django.utils import timezone
from movies.models import Rating
from movies.selectors import movies_popular
from recommendations.models import RecommendationList
User = get_user_model()
user, created = User.objects.get_or_create(
    username="web-bench", defaults={"age": 31, "gender": "F", "language": "en"})
if created:
    user.set_password("web-bench-password-123"); user.save()
if not Rating.objects.filter(user=user).exists():
    for m in movies_popular(limit=5):
        Rating.objects.create(
            user=user, movie=m, source="pick", rating=None, timestamp=timezone.now())
if not RecommendationList.objects.filter(user=user, status="ready").exists():
    from llm_worker.services import persona_request
    from recommendations.list_flow import recommendation_list_request
    with transaction.atomic():
        persona_request(user=user)
        recommendation_list_request(user=user, k=10)
lst = RecommendationList.objects.filter(user=user, parent=None).first()
print("LIST", lst.status, lst.engine, lst.items.count())
s = SessionStore()
s[SESSION_KEY] = str(user.pk); s[BACKEND_SESSION_KEY] = "accounts.backends.UserBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash(); s.create()
print("SESSION", s.session_key)
from movies.models import Movie
from movies.models import normalize_title
prefixes = set()
for title in Movie.objects.order_by("-num_ratings").values_list("title", flat=True)[:3000]:
    for word in normalize_title(title).split():
        for n in (3, 4, 5):
            if len(word) >= n:
                prefixes.add(word[:n])
print("PREFIXES", " ".join(sorted(prefixes)[:: max(1, len(prefixes) // 1000)][:1000]))
"""

LUA = """
local paths = {%(paths)s}
local i = 0
request = function()
  i = (i %% #paths) + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"p50": %%.3f, "p95": %%.3f, "p99": %%.3f, "requests": %%d, "seconds": %%.3f, '
    .. '"non2xx": %%d, "socket_errors": %%d}\\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def env_for(db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    data = env.get("LLECOMMEND_DATA_DIR") or str((ROOT.parent / "shared" / "datasets").resolve())
    env.update(
        DATABASE_URL=db_url,
        LLECOMMEND_DATA_DIR=data,
        DEBUG="false",
        SECRET_KEY="web-bench-only-secret-key-0123456789-abcdefghijklmnop",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        ALLOWED_HOSTS="127.0.0.1",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        LLM_BACKEND="grounded",
        CELERY_BROKER_URL="",
        LOG_LEVEL="WARNING",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 1800) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer at {url}")


def fetch(url: str, cookie: str, htmx: bool = False) -> tuple[int, str, str]:
    """(status, body, csrftoken cookie the server set or "")."""
    headers = {"Cookie": cookie, **({"HX-Request": "true"} if htmx else {})}
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as resp:
        csrf = ""
        for value in resp.headers.get_all("Set-Cookie") or []:
            if value.startswith("csrftoken="):
                csrf = value.split(";", 1)[0]
        return resp.status, resp.read().decode(), csrf


def run_wrk(base: str, paths: list[str], headers: list[str], args) -> dict:
    script = OUT / "web_bench.lua"
    script.write_text(LUA % {"paths": ", ".join(json.dumps(p) for p in paths)})
    cmd = [
        "wrk",
        "-t2",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
    ]
    for h in headers:
        cmd += ["-H", h]
    done = subprocess.run(
        [*cmd, base], capture_output=True, text=True, timeout=args.duration + 60, check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("JSON "))
    out = json.loads(line[5:])
    out["rps"] = out["requests"] / out["seconds"]
    return out


def start_gunicorn(env: dict[str, str], port: int, workers: int, *args: str) -> subprocess.Popen:
    """gunicorn with the container's config (llecommend_site/gunicorn_conf.py) on 127.0.0.1,
    in its own session so that the whole process group can be stopped. `env` may set the
    other GUNICORN_* variables; `args` are extra command-line options."""
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "llecommend_site.wsgi:application",
            "--config",
            "python:llecommend_site.gunicorn_conf",
            "--log-level",
            "warning",
            *args,
        ],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)},
        start_new_session=True,
    )


def measured(base: str, paths: list[str], headers: list[str], args) -> dict:
    """One wrk run, plus the server-side times gunicorn logged for the requests of that run."""
    start = ACCESS_LOG.stat().st_size
    out = run_wrk(base, paths, headers, args)
    time.sleep(0.5)  # the last access lines reach the file
    with ACCESS_LOG.open("rb") as fh:
        fh.seek(start)
        lines = fh.read().decode().split()
    micros = np.asarray([int(v) for v in lines[0::2]], dtype=np.float64)
    if len(micros) == 0:
        sys.exit("gunicorn logged no request times")
    p50, p95, p99 = np.percentile(micros / 1000.0, [50, 95, 99])
    out["server"] = {"p50": p50, "p95": p95, "p99": p99, "requests": len(micros)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument(
        "--worker-class",
        default="sync",
        choices=["gthread", "sync"],
        help="gthread: keep-alive connections stay with one process; sync: every request is "
        "a new connection, taken by whichever process is free",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{OUT / 'web_bench.sqlite3'}"
    env = env_for(db_url)
    print(f"database: {db_url.split('@')[-1]}; cache: {env.get('CACHE_URL', 'locmem')}", flush=True)
    manage(env, "migrate", "-v", "0")
    manage(env, "compilemessages", "--ignore", ".venv", "-v", "0")
    print(manage(env, "load_demo", "--no-progress").strip().splitlines()[-1], flush=True)
    setup = manage(env, "shell", "-c", SETUP)
    print(next(x for x in setup.splitlines() if x.startswith("LIST")), flush=True)
    prefixes = next(x for x in setup.splitlines() if x.startswith("PREFIXES")).split()[1:]
    cookie = "sessionid=" + next(
        x.split()[1] for x in setup.splitlines() if x.startswith("SESSION")
    )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ACCESS_LOG.write_text("")
    server = start_gunicorn(
        {
            **env,
            "GUNICORN_THREADS": str(args.threads),
            "GUNICORN_WORKER_CLASS": args.worker_class,
            "GUNICORN_ACCESSLOG": str(ACCESS_LOG),
        },
        port,
        args.workers,
        # Server time per request (microseconds, from the request read to the response
        # written) and the status: what the targets are about, without the time a request
        # waits for a free worker, which wrk's latency includes.
        "--access-logformat",
        "%(D)s %(s)s",
    )
    try:
        wait_up(f"{base}/accounts/login/")
        # A browser keeps the CSRF cookie the first page sets; so does the benchmark.
        _status, _body, csrf = fetch(f"{base}/", cookie)
        if csrf:
            cookie = f"{cookie}; {csrf}"
        status, page, _csrf = fetch(f"{base}/", cookie)
        cards = page.count('<li class="card')
        if status != 200 or cards < 10:
            sys.exit(f"the recommendations page is not ready: HTTP {status}, {cards} cards")
        status, part, _csrf = fetch(f"{base}/movies/search/?q=star", cookie, htmx=True)
        if status != 200 or "tile" not in part:
            sys.exit(f"the search endpoint answered HTTP {status} without results")
        print(
            f"warm-up ok: page has {cards} cards; gunicorn {args.workers} {args.worker_class} "
            f"workers x {args.threads} threads\n",
            flush=True,
        )
        cookie_h = f"Cookie: {cookie}"
        htmx = [cookie_h, "HX-Request: true"]
        results = {
            "recommendations page": measured(base, ["/"], [cookie_h], args),
            "search": measured(base, [f"/movies/search/?q={w}" for w in SEARCH_WORDS], htmx, args),
            # Search as people type it: a thousand different prefixes, so most requests miss
            # the per-process result cache and really scan the catalogue.
            f"search, {len(prefixes)} prefixes": measured(
                base, [f"/movies/search/?q={w}" for w in prefixes], htmx, args
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"wrk: {args.connections} connections, {args.duration} s each, loopback")
    print("server ms: gunicorn's time per request; client ms: wrk's, queueing included")
    print(
        f"{'endpoint':<26}{'req/s':>8}{'server p50':>11}{'p95':>7}{'p99':>7}"
        f"{'client p50':>11}{'p95':>7}{'p99':>7}{'non-2xx':>8}{'target p95':>11}  ok"
    )
    for name, r in results.items():
        target = TARGETS["search" if name.startswith("search") else name]
        server = r["server"]
        ok = server["p95"] <= target and r["non2xx"] == 0 and r["socket_errors"] == 0
        r.update(target_p95_ms=target, ok=ok)
        print(
            f"{name:<26}{r['rps']:>8.1f}{server['p50']:>11.1f}{server['p95']:>7.1f}"
            f"{server['p99']:>7.1f}{r['p50']:>11.1f}{r['p95']:>7.1f}{r['p99']:>7.1f}"
            f"{r['non2xx']:>8d}{target:>11.0f}  {'yes' if ok else 'NO'}"
        )
    (OUT / "web_bench.json").write_text(
        json.dumps(
            {
                "connections": args.connections,
                "duration_s": args.duration,
                "workers": args.workers,
                "threads": args.threads,
                "worker_class": args.worker_class,
                "database": db_url.split("@")[-1].split("/")[0] if "@" in db_url else "sqlite",
                "cache": env.get("CACHE_URL", "locmem (per process)"),
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
