"""Soak: 5 minutes at 10 connections on the site while lists are requested every 2 s and
the Celery worker is restarted every minute (alternately a warm shutdown and kill -9). Counts
lost tasks (lists never filled) and compares each process's memory at the start and the end.

    python bench/soak_bench.py [--minutes 5] [--connections 10] [--list-every 2.0]

Same stack and database as bench/load_bench.py (gunicorn with the container's config,
PostgreSQL, Redis broker + cache, a real worker on the `llm` and `default` queues, grounded
engine). CELERY_VISIBILITY_TIMEOUT is 20 s here so the messages of a killed worker come back
within the run (production: 3900 s, see docs/deploying.md). Loopback only, time-bounded.
Writes bench/out/soak_bench.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

import load_bench as lb
import psutil
import web_bench

DRAIN_S = 120


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, MB."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total / 2**20


def web_rss(server: subprocess.Popen) -> dict[str, float]:
    master = psutil.Process(server.pid)
    out = {"gunicorn master": master.memory_info().rss / 2**20}
    for i, child in enumerate(sorted(master.children(), key=lambda p: p.pid)):
        out[f"gunicorn worker {i + 1} (pid {child.pid})"] = child.memory_info().rss / 2**20
    return out


class ListRequester(threading.Thread):
    """POSTs /lists/new/ every `every` seconds as the bench user (cookie CSRF, like a form)."""

    def __init__(self, base: str, cookie: str, every: float, stop: threading.Event):
        super().__init__(daemon=True)
        # The browser's CSRF cookie (or a 32-character secret of our own) sent back as header.
        token = next(
            (p.split("=", 1)[1] for p in cookie.split("; ") if p.startswith("csrftoken=")),
            "",
        )
        if not token:
            token = secrets.token_hex(16)
            cookie = f"{cookie}; csrftoken={token}"
        self.headers = {
            "Cookie": cookie,
            "X-CSRFToken": token,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        self.url = f"{base}/lists/new/"
        self.every, self.stop_event = every, stop
        self.sent = self.errors = 0
        self.statuses: dict[int, int] = {}

    def run(self) -> None:
        opener = urllib.request.build_opener(NoRedirect)
        while not self.stop_event.wait(self.every):
            request = urllib.request.Request(self.url, data=b"", headers=self.headers)
            try:
                with opener.open(request, timeout=30) as resp:
                    status = resp.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                status = 0
            self.sent += 1
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status not in (200, 302):
                self.errors += 1


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


LIST_COUNT = """
from django.utils.dateparse import parse_datetime
from recommendations.models import RecommendationList
rows = RecommendationList.objects.filter(
    user__username="web-bench", created_at__gte=parse_datetime("%s"))
print("COUNT", *(rows.filter(status=s).count() if s else rows.count()
                 for s in ("", "ready", "pending", "failed")))
"""


def list_counts(env, since: str) -> tuple[int, int, int, int]:
    out = web_bench.manage(env, "shell", "-c", LIST_COUNT % since)
    line = next(x for x in out.splitlines() if x.startswith("COUNT"))
    total, ready, pending, failed = (int(v) for v in line.split()[1:])
    return total, ready, pending, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=5)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--list-every", type=float, default=2.0, help="seconds between lists")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes (4 threads)")
    args = parser.parse_args()
    lb.OUT.mkdir(parents=True, exist_ok=True)
    env = {**lb.prod_env(), "CELERY_VISIBILITY_TIMEOUT": "20"}
    lb.redis_flush()
    log = lb.OUT / "soak_bench_worker.log"
    log.write_text("")
    worker = lb.start_worker(env, "soak0", log)
    port = web_bench.free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    incarnations: list[dict] = []
    warm_rss: dict[str, float] = {}
    stop_event = threading.Event()
    try:
        cookie = lb.prepare(env)
        server = lb.start_gunicorn(env, port, args.workers)
        web_bench.wait_up(f"{base}/healthz")
        cookie = lb.wait_cards(base, cookie)
        now = web_bench.manage(
            env, "shell", "-c", "from django.utils import timezone; print('NOW', timezone.now())"
        )
        since = next(x for x in now.splitlines() if x.startswith("NOW "))[4:]
        start_rss = web_rss(server)
        requester = ListRequester(base, cookie, args.list_every, stop_event)
        requester.start()
        duration = args.minutes * 60

        class Args:  # what web_bench.run_wrk reads
            connections = args.connections

        Args.duration = duration
        paths = ["/"] + [f"/movies/search/?q={w}" for w in web_bench.SEARCH_WORDS[:4]]
        wrk_result: dict = {}
        wrk_thread = threading.Thread(
            target=lambda: wrk_result.update(
                web_bench.run_wrk(base, paths, [f"Cookie: {cookie}"], Args)
            ),
            daemon=True,
        )
        wrk_thread.start()
        began = time.monotonic()
        for minute in range(1, args.minutes + 1):
            time.sleep(max(0.0, began + minute * 60 - time.monotonic()))
            if minute == 1:  # after warm-up (lazy imports, caches): the baseline for "flat"
                warm_rss = web_rss(server)
            how = "kill -9" if minute % 2 == 0 else "warm (TERM)"
            incarnations.append(
                {"minute": minute, "rss_mb_before_stop": rss_mb(worker.pid), "stop": how}
            )
            lb.stop(worker, signal.SIGKILL if minute % 2 == 0 else signal.SIGTERM)
            print(f"minute {minute}: worker stopped ({how}), restarting", flush=True)
            worker = lb.start_worker(env, f"soak{minute}", log)
        wrk_thread.join(timeout=120)
        stop_event.set()
        requester.join(timeout=60)
        end_rss = web_rss(server)
        # Drain: every list requested during the run must be filled.
        deadline = time.monotonic() + DRAIN_S
        while True:
            total, ready, pending, failed = list_counts(env, since)
            if pending == 0 or time.monotonic() > deadline:
                break
            time.sleep(5)
        worker_end_rss = rss_mb(worker.pid)
    finally:
        stop_event.set()
        if server is not None:
            lb.stop(server)
        lb.stop(worker)

    print(f"\nsoak: {args.minutes} min, wrk {args.connections} connections on the page + search,")
    print(f"a list requested every {args.list_every} s, worker restarted every minute")
    print("(alternately warm and kill -9); loopback, PostgreSQL + Redis, shared 2-core machine")
    print(
        f"wrk: {wrk_result.get('requests', 0)} requests, {wrk_result.get('rps', 0):.1f} req/s, "
        f"p50 {wrk_result.get('p50', 0):.1f} / p95 {wrk_result.get('p95', 0):.1f} / "
        f"p99 {wrk_result.get('p99', 0):.1f} ms, non-2xx {wrk_result.get('non2xx', '?')}, "
        f"socket errors {wrk_result.get('socket_errors', '?')}"
    )
    print(
        f"list requests: {requester.sent} sent, statuses {requester.statuses}; lists created "
        f"{total}: ready {ready}, pending after {DRAIN_S} s drain {pending}, failed {failed}"
    )
    lost = pending + failed + (requester.sent - requester.errors - total)
    print(f"lost tasks: {lost}")
    print(f"\n{'process':<36}{'start MB':>10}{'1 min MB':>10}{'end MB':>10}{'1 min→end':>11}")
    for name, start in start_rss.items():
        end, warm = end_rss.get(name, 0.0), warm_rss.get(name, 0.0)
        print(f"{name:<36}{start:>10.1f}{warm:>10.1f}{end:>10.1f}{end - warm:>+11.1f}")
    for inc in incarnations:
        print(
            f"{'celery worker, minute ' + str(inc['minute']) + ' (before stop)':<36}"
            f"{'':>10}{inc['rss_mb_before_stop']:>10.1f}"
        )
    print(f"{'celery worker, last (after drain)':<36}{'':>10}{worker_end_rss:>10.1f}")
    (lb.OUT / "soak_bench.json").write_text(
        json.dumps(
            {
                "args": vars(args),
                "wrk": wrk_result,
                "list_requests": {"sent": requester.sent, "statuses": requester.statuses},
                "lists": {"total": total, "ready": ready, "pending": pending, "failed": failed},
                "lost": lost,
                "rss_mb": {"start": start_rss, "after_1_min": warm_rss, "end": end_rss},
                "worker_incarnations": incarnations,
                "worker_end_rss_mb": worker_end_rss,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
