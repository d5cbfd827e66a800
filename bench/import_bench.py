"""Import speed and memory: ml-100k, then ml-latest-small + TMDb, each into a fresh PostgreSQL
database that this script creates and drops (default `llec_bench_import`).

    python bench/import_bench.py [--server postgres://postgres@127.0.0.1:5432] [--data DIR]

Each import runs as `manage.py` in a child process (as an operator would run it); its peak RSS
is sampled every 50 ms. Prints dataset, rows written, seconds, rows/s and peak RSS against the
targets (ml-100k ≤ 20 s; ml-latest-small + TMDb ≤ 60 s); writes bench/out/import_bench.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import psycopg

ROOT = Path(__file__).resolve().parent.parent
TABLES = [
    "movies_movie", "accounts_user", "movies_rating", "movies_tag", "movies_genre",
    "movies_keyword", "movies_person", "movies_credit", "movies_movie_genres",
    "movies_movie_keywords",
]  # fmt: skip


def run(args: list[str], env: dict) -> tuple[float, float, float]:
    """Runs manage.py; returns (seconds, peak RSS in MiB, CPU seconds of the Python process).
    On a shared machine wall seconds stretch with the load; CPU seconds much less so (the
    PostgreSQL server's own CPU is not in them)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = usage.ru_utime + usage.ru_stime
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = psutil.Popen(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        peak = 0
        while proc.poll() is None:
            with contextlib.suppress(psutil.Error):
                peak = max(peak, proc.memory_info().rss)
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        log.seek(0)
        output = log.read().decode()
    if proc.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{output}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, peak / 2**20, usage.ru_utime + usage.ru_stime - cpu_before


def rows(url: str) -> int:
    with psycopg.connect(url) as conn:
        return sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)


def fresh_database(server: str, name: str) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="llec_bench_import")
    parser.add_argument(
        "--data", type=Path, default=Path(os.environ.get("LLECOMMEND_DATA_DIR") or
                                          ROOT.parent / "shared" / "datasets"),
    )  # fmt: skip
    args = parser.parse_args()
    tmdb = [str(p) for p in sorted((args.data / "tmdb").glob("*.zip"))]
    plans = [
        ("ml-100k", [["import_movielens", str(args.data / "ml-100k")]], 20),
        (
            "ml-latest-small + TMDb",
            [["import_movielens", str(args.data / "ml-latest-small")], ["import_tmdb", *tmdb]],
            60,
        ),
    ]
    results = []
    try:
        for label, commands, target in plans:
            url = fresh_database(args.server, args.database)
            env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "DEBUG": "0"}
            run(["migrate", "-v", "0"], env)
            steps = []
            for command in [*commands, *commands]:  # then again: the re-run must be cheap
                before = rows(url)
                seconds, peak, cpu = run([*command, "--no-progress"], env)
                steps.append({
                    "step": f"{command[0]} {Path(command[1]).name}"
                            + (" …" if len(command) > 2 else ""),
                    "rows": rows(url) - before, "seconds": seconds, "peak_rss_mib": peak,
                    "cpu_seconds": cpu,
                })  # fmt: skip
            first = steps[: len(commands)]
            total = {
                "step": f"{label} (total)",
                "rows": sum(s["rows"] for s in first),
                "seconds": sum(s["seconds"] for s in first),
                "cpu_seconds": sum(s["cpu_seconds"] for s in first),
                "peak_rss_mib": max(s["peak_rss_mib"] for s in first),
                "target_s": target,
            }
            for i, step in enumerate(steps):
                step["step"] += " (re-run)" if i >= len(commands) else ""
            results += [*first, total, *steps[len(commands) :]]
    finally:
        drop_database(args.server, args.database)

    print(
        f"{'step':<48} {'rows':>10} {'seconds':>8} {'cpu s':>6} {'rows/s':>9} {'peak RSS':>9} "
        "target"
    )
    for r in results:
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0
        target = ""
        if "target_s" in r:
            ok = "ok" if r["seconds"] <= r["target_s"] else "MISSED"
            target = f"≤ {r['target_s']} s {ok}"
        print(
            f"{r['step']:<48} {r['rows']:>10,} {r['seconds']:>8.1f} {r['cpu_seconds']:>6.1f} "
            f"{rate:>9,.0f} "
            f"{r['peak_rss_mib']:>6.0f} MiB {target}"
        )
    print(f"(cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f})")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "import_bench.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
