"""Korean search as you type under the load of bench/web_bench.py: the same gunicorn (2 sync
workers by default), the same wrk (20 connections) and the same server-time measurement, on a
catalogue given Korean titles, with the English search runs measured beside it in the same run.

    python bench/korean_search_bench.py [--duration 15] [--connections 20] [--workers 2]
        [--share 0.3] [--queries 1000] [--seed 15]

The demo catalogue (ml-latest-small + TMDb) has almost no Korean titles, so before the run the
benchmark gives it some, in its own SQLite file (bench/out/korean_search_bench.sqlite3, or
DATABASE_URL), so that bench/web_bench.py's catalogue stays as it is:
  * the curated Korean release titles of movies/lexicon_aliases.py (TITLE_ALIASES) that the
    catalogue has, as MovieTranslation rows (language "ko");
  * synthetic Korean titles (bench/hangul_typing.korean_title, seeded: 1-4 words, half of
    them common words of translated titles such as 사랑, 전쟁, 비밀, the others 1-5 syllables
    from a fixed list, as transliterations) for a seeded random choice of the other movies,
    until `--share` of the catalogue (30%) has a Korean title, counting the Korean original
    titles TMDb gives.
Queries (`--queries` distinct per kind, seeded) come from the Korean titles of the 3,000
most-rated movies, like web_bench's English prefixes: whole titles; cut after each syllable;
every state a Korean keyboard shows key by key ("ㅅ", "사", "살", "살ㅇ", "살이", ...); and
titles of several words cut after a syllable past the first word, without their spaces.
Sent by a user whose profile language is Korean (results carry Korean titles), as htmx
requests to /movies/search/.

Also prints, per kind, the in-process time of one uncached `movie_search` (the index scan and
the tiles' SQL, no HTTP), the share of queries that find something (every query is part of
a real title, so it must be 100%) and the mean number of results (of at most 12). Prints the
load average of the shared machine before and after each wrk run. Writes
bench/out/korean_search_bench.json. Needs `wrk`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import sys
import time
from urllib.parse import quote

from web_bench import (
    ACCESS_LOG,
    OUT,
    SEARCH_WORDS,
    SETUP,
    env_for,
    fetch,
    free_port,
    manage,
    measured,
    start_gunicorn,
    wait_up,
)

# Run in `manage.py shell` after web_bench.SETUP (the English user, session and prefixes; the
# prefixes come in as `english`): Korean titles for the catalogue (once, with the Korean
# user), the Korean user's session, the queries, and the in-process cost of each.
KO_SETUP = """
import json, random, sys, time
import numpy as np
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import transaction
sys.path.insert(0, "bench")
from hangul_typing import is_hangul, korean_title, query_sets
from movies.lexicon import normalize_text, title_names
from movies.lexicon_aliases import TITLE_ALIASES
from movies.models import Movie, MovieTranslation, normalize_title
from movies.selectors import TITLE_INDEX, movie_search
from movies.views import SEARCH_LIMIT
SEED, SHARE, QUERIES = %(seed)d, %(share)r, %(queries)d
User, SessionStore = get_user_model(), import_module(settings.SESSION_ENGINE).SessionStore
movies = list(Movie.objects.order_by("pk").values_list("pk", "title", "original_title", "year"))
counts = {"movies": len(movies)}
with transaction.atomic():
    ko_user, created = User.objects.get_or_create(
        username="web-bench-ko", defaults={"age": 29, "gender": "M", "language": "ko"})
    if created:
        ko_user.set_password("web-bench-password-123"); ko_user.save()
        had = set(MovieTranslation.objects.filter(language="ko").exclude(title="")
                  .values_list("movie_id", flat=True))
        had |= {pk for pk, _t, original, _y in movies if is_hangul(original)}
        curated_keys = {(normalize_text(t), y): ko[0] for (t, y), ko in TITLE_ALIASES.items()}
        rows = {}
        for pk, title, _o, year in movies:
            name = curated_keys.get((normalize_text(title_names(title)[0]), year))
            if name and pk not in had:
                rows[pk] = MovieTranslation(movie_id=pk, language="ko", title=name, curated=True)
        counts.update(existing=len(had), curated=len(rows))
        rng = random.Random(SEED)
        others = [(pk, title) for pk, title, _o, _y in movies if pk not in had and pk not in rows]
        wanted = max(0, round(SHARE * len(movies)) - len(had) - len(rows))
        for pk, title in rng.sample(others, min(wanted, len(others))):
            name = korean_title(rng, english=normalize_text(title_names(title)[0]))
            rows[pk] = MovieTranslation(movie_id=pk, language="ko", title=name)
        counts["synthetic"] = len(rows) - counts["curated"]
        for row in rows.values():
            row.search_title = normalize_title(row.title)  # bulk_create skips save()
        MovieTranslation.objects.bulk_create(rows.values(), batch_size=500)
    else:
        counts["note"] = "Korean titles added by an earlier run"
counts["with a Korean title"] = len(
    set(MovieTranslation.objects.filter(language="ko").values_list("movie_id", flat=True))
    | {pk for pk, _t, original, _y in movies if is_hangul(original)})
print("KO_COUNTS", json.dumps(counts))
s = SessionStore()
s[SESSION_KEY] = str(ko_user.pk); s[BACKEND_SESSION_KEY] = "accounts.backends.UserBackend"
s[HASH_SESSION_KEY] = ko_user.get_session_auth_hash(); s.create()
print("KO_SESSION", s.session_key)
top = list(Movie.objects.filter(hidden=False).order_by("-num_ratings")
           .values_list("pk", "original_title")[:3000])
localized = dict(MovieTranslation.objects.filter(language="ko", movie_id__in=[p for p, _o in top])
                 .exclude(title="").values_list("movie_id", "title"))
titles = [localized[p] for p, _o in top if p in localized] + [o for _p, o in top if is_hangul(o)]
sets = query_sets(titles, size=QUERIES, seed=SEED)
print("KO_QUERIES", json.dumps(sets, ensure_ascii=False))
english = json.loads(%(english)r)
TITLE_INDEX.get()
inproc = {}
for name, queries, language in [("en prefixes", english, "en")] + [
        (n, q, "ko") for n, q in sets.items()]:
    took, scan, found, shown = [], [], 0, 0
    for q in queries:
        t0 = time.perf_counter()
        hits = movie_search(query=q, limit=SEARCH_LIMIT, language=language)
        took.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        TITLE_INDEX.get().find(normalize_title(q).split(), SEARCH_LIMIT)
        scan.append(time.perf_counter() - t0)
        found, shown = found + bool(hits), shown + len(hits)
    ms = np.asarray(took) * 1000
    inproc[name] = {"titles": len(titles), "queries": len(queries), "found": found,
                    "results": shown / max(1, len(queries)),
                    "p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)),
                    "max": float(ms.max()),
                    "scan_p95": float(np.percentile(np.asarray(scan) * 1000, 95))}
print("KO_INPROC", json.dumps(inproc))
"""


def loadavg() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per run")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--share", type=float, default=0.3, help="movies with a Korean title")
    parser.add_argument("--queries", type=int, default=1000, help="distinct queries per kind")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument(
        "--rounds", type=int, default=1, help="all runs again, in the same order (load drifts)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{OUT / 'korean_search_bench.sqlite3'}"
    env = env_for(db_url)
    print(f"database: {db_url.split('@')[-1]}; load average {loadavg()}", flush=True)
    manage(env, "migrate", "-v", "0")
    manage(env, "compilemessages", "--ignore", ".venv", "-v", "0")
    print(manage(env, "load_demo", "--no-progress").strip().splitlines()[-1], flush=True)
    setup = manage(env, "shell", "-c", SETUP).splitlines()
    english = next(x for x in setup if x.startswith("PREFIXES ")).split()[1:]
    ko_args = {**vars(args), "english": json.dumps(english)}
    setup += manage(env, "shell", "-c", KO_SETUP % ko_args).splitlines()

    def line(tag: str) -> str:
        return next(x for x in setup if x.startswith(tag + " "))[len(tag) + 1 :]

    counts, inproc = json.loads(line("KO_COUNTS")), json.loads(line("KO_INPROC"))
    korean = json.loads(line("KO_QUERIES"))
    prefixes = english
    print(f"catalogue: {json.dumps(counts, ensure_ascii=False)}", flush=True)
    cookies = {"en": "sessionid=" + line("SESSION"), "ko": "sessionid=" + line("KO_SESSION")}

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ACCESS_LOG.write_text("")
    server = start_gunicorn(
        {**env, "GUNICORN_WORKER_CLASS": "sync", "GUNICORN_ACCESSLOG": str(ACCESS_LOG)},
        port,
        args.workers,
        "--access-logformat",
        "%(D)s %(s)s",  # server time per request, as web_bench measures it
    )
    runs = [
        ("en", f"search, {len(SEARCH_WORDS)} words", SEARCH_WORDS),
        ("en", f"search, {len(prefixes)} prefixes", prefixes),
        *[("ko", f"{name} ({len(q)})", q) for name, q in korean.items()],
    ]
    results = {}
    try:
        wait_up(f"{base}/accounts/login/")
        for language, cookie in cookies.items():
            _status, _body, csrf = fetch(f"{base}/", cookie)  # the CSRF cookie, as a browser
            cookies[language] = f"{cookie}; {csrf}" if csrf else cookie
        probe = quote(korean["whole titles"][0])
        status, part, _csrf = fetch(f"{base}/movies/search/?q={probe}", cookies["ko"], htmx=True)
        shown = part.split('<span class="tile-title">', 1)[-1].split("<", 1)[0]
        if status != 200 or "tile" not in part or not any("\uac00" <= c <= "\ud7a3" for c in shown):
            sys.exit(f"Korean search answered HTTP {status} without a Korean title: {shown!r}")
        print(f"warm-up ok: first Korean result {shown!r}\n", flush=True)
        # Round by round, so that a drift of the machine's load falls on every kind alike.
        for n, (language, name, queries) in itertools.product(range(args.rounds), runs):
            headers = [f"Cookie: {cookies[language]}", "HX-Request: true"]
            paths = [f"/movies/search/?q={quote(q)}" for q in queries]
            before = loadavg()
            results[f"{language}: {name}" + (f" #{n + 1}" if args.rounds > 1 else "")] = {
                **measured(base, paths, headers, args),
                "load_before": before,
                "load_after": loadavg(),
            }
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(results, inproc, counts, args, order=[f"{lang}: {name}" for lang, name, _q in runs])


def report(results: dict, inproc: dict, counts: dict, args, *, order: list[str]) -> None:
    print(f"gunicorn {args.workers} sync workers; wrk {args.connections} connections, "
          f"{args.duration} s per run, loopback; {os.cpu_count()} cores")  # fmt: skip
    print("server ms: gunicorn's time per request (target p95 <= 50); client: wrk's, queueing")
    print(
        f"{'run':<34}{'req/s':>7}{'server p50':>11}{'p95':>6}{'p99':>6}{'client p95':>11}"
        f"{'errors':>7}  load 1/5/15 min before -> after"
    )
    for name, r in sorted(results.items(), key=lambda kv: order.index(kv[0].split(" #")[0])):
        s, errors = r["server"], r["non2xx"] + r["socket_errors"]
        r["ok"] = bool(s["p95"] <= 50.0 and errors == 0)
        print(
            f"{name:<34}{r['rps']:>7.0f}{s['p50']:>11.1f}{s['p95']:>6.1f}{s['p99']:>6.1f}"
            f"{r['p95']:>11.1f}{errors:>7d}  {r['load_before']} -> {r['load_after']}"
        )
    print("\nin process, uncached movie_search (index scan + tiles' SQL), one query at a time:")
    print(
        f"{'queries':<24}{'n':>6}{'found':>7}{'results':>8}{'p50 ms':>8}{'p95':>6}{'max':>6}"
        f"{'scan p95':>9}"
    )
    for name, r in inproc.items():
        print(
            f"{name:<24}{r['queries']:>6}{r['found'] / max(1, r['queries']):>7.0%}"
            f"{r['results']:>8.1f}{r['p50']:>8.2f}{r['p95']:>6.2f}{r['max']:>6.2f}{r['scan_p95']:>9.2f}"
        )
    print(f"\nKorean titles: {json.dumps(counts, ensure_ascii=False)}")
    (OUT / "korean_search_bench.json").write_text(
        json.dumps(
            {"args": vars(args), "catalogue": counts, "results": results, "in_process": inproc},
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"{time.monotonic() - started:.0f} s in all")
