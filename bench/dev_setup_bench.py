"""`bin/dev` on a fresh clone, timed phase by phase: install (pip), migrate, demo import, the
first page answered, first training done, taste-text index done; then whether `git status` is
still clean. Prints a table and writes JSON.

    python bench/dev_setup_bench.py [--repo .] [--workdir /tmp/llec-dev-bench] [--port N]
        [--data DIR] [--timeout 3600] [--keep] [--json bench/out/dev_setup_bench.json]

The clone is of the committed HEAD of `--repo` (work in progress is not measured). pip installs
from whatever its configuration points at (on the project machines a local wheel folder and
index, not the network). `bin/dev` marks its steps with "[bin/dev] ..." lines; each phase runs
from its marker to the next one, "first page answered" from the server marker to the first
HTTP answer of `/` (any status below 500). The whole `bin/dev` process group is stopped at the
end; `--keep` leaves the clone (and its venv) in place for a second, warm run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

MARKERS = {  # phase → the start of the marker line that begins it
    "install": "[bin/dev] install",
    "migrate": "[bin/dev] migrate",
    "demo import": "[bin/dev] demo catalogue",
    "server start": "[bin/dev] server on",
    "training": "[bin/dev] training the recommender",
    "training done": "[bin/dev] recommender trained",
    "index": "[bin/dev] building the taste-text index",
    "index done": "[bin/dev] taste-text index built",
}
FAILED = "FAILED"


class Run:
    """bin/dev as a child process group; every output line timestamped."""

    def __init__(self, clone: Path, env: dict, log: Path) -> None:
        self.started = time.monotonic()
        self.seen: dict[str, float] = {}
        self.failures: list[str] = []
        self.log = log.open("w", encoding="utf-8")
        self.proc = subprocess.Popen(
            ["bin/dev"], cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True, text=True, bufsize=1,
        )  # fmt: skip
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def at(self) -> float:
        return time.monotonic() - self.started

    def _read(self) -> None:
        for raw in self.proc.stdout:
            now = self.at()
            for line in raw.replace("\r", "\n").splitlines():
                self.log.write(f"{now:8.1f}  {line}\n")
                for phase, marker in MARKERS.items():
                    if line.startswith(marker) and phase not in self.seen:
                        self.seen[phase] = now
                if line.startswith("[bin/dev]") and FAILED in line:
                    self.failures.append(line)
                if "taste-text index:" in line or line.startswith("[bin/dev]"):
                    print(f"  {now:7.1f} s  {line}", flush=True)
            self.log.flush()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)  # what Ctrl-C does
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.reader.join(timeout=5)
        self.log.close()


def answered(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code if exc.code < 500 else None
    except (urllib.error.URLError, OSError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = Path(__file__).resolve().parents[1]
    parser.add_argument("--repo", type=Path, default=here)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/llec-dev-bench"))
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("LLECOMMEND_DATA_DIR", here.parent / "shared" / "datasets")),
    )
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--keep", action="store_true", help="keep the clone for a warm rerun")
    parser.add_argument("--json", type=Path, default=Path("bench/out/dev_setup_bench.json"))
    args = parser.parse_args()

    if not args.port:
        with socket.socket() as probe:  # a free port: a fixed one may be another bench's
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    clone = args.workdir / "LLecommend"
    warm = clone.exists()
    if not warm:
        args.workdir.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "--quiet", str(args.repo), str(clone)], check=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True
    ).stdout.strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VIRTUAL_ENV"))}
    env.update(PORT=str(args.port), LLECOMMEND_DATA_DIR=str(args.data), PYTHONUNBUFFERED="1")
    env.pop("DATABASE_URL", None)  # bin/dev's own default: SQLite in the clone
    env.pop("ARTIFACTS_DIR", None)
    log = args.workdir / "bin-dev.log"
    print(f"bin/dev in {clone} ({'warm rerun' if warm else 'fresh clone'} of {commit}), "
          f"{os.cpu_count()} CPUs, log {log}", flush=True)  # fmt: skip

    run = Run(clone, env, log)
    url = f"http://127.0.0.1:{args.port}/"
    first_page = status = None
    try:
        while run.at() < args.timeout and run.proc.poll() is None:
            if first_page is None and "server start" in run.seen:
                status = answered(url)
                if status is not None:
                    first_page = run.at()
                    print(f"  {first_page:7.1f} s  GET / answered {status}", flush=True)
            if "index done" in run.seen or any("taste-text index" in f for f in run.failures):
                break
            time.sleep(0.5)
    finally:
        git_status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True
        ).stdout
        run.stop()
        if not args.keep:
            shutil.rmtree(clone, ignore_errors=True)

    seen = run.seen
    install_end = seen.get("migrate")

    def span(start: str, end: str | None) -> tuple[float | None, float | None]:
        a, b = seen.get(start), (first_page if end == "first page" else seen.get(end or ""))
        return a, (b - a if a is not None and b is not None else None)

    rows = [
        ("pip install", *span("install", "migrate")),
        ("migrate + compilemessages", *span("migrate", "demo import")),
        ("demo import (load_demo)", *span("demo import", "server start")),
        ("first page answered", *span("server start", "first page")),
        ("first training (background)", *span("training", "training done")),
        ("taste-text index (background)", *span("index", "index done")),
    ]
    after_install = first_page - install_end if first_page and install_end else None
    print(f"\nbin/dev on a {'warm' if warm else 'fresh'} clone of {commit}, "
          f"{os.cpu_count()} CPU cores (a shared machine: upper bounds)\n")  # fmt: skip
    print(f"{'phase':<32}{'starts at':>12}{'takes':>10}")
    for name, start, took in rows:
        s = f"{start:.1f} s" if start is not None else "—"
        t = f"{took:.1f} s" if took is not None else "—"
        print(f"{name:<32}{s:>12}{t:>10}")
    total = max([v for v in seen.values()] + [first_page or 0])
    print(f"\nsite answers {after_install:.1f} s after the install step" if after_install
          else "\nthe site never answered")  # fmt: skip
    print(f"everything ready after {total:.1f} s")
    for failure in run.failures:
        print(f"FAILED: {failure}")
    print("git status after bin/dev: " + ("clean" if not git_status.strip() else "\n" + git_status))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "commit": commit, "warm": warm, "cpus": os.cpu_count(), "markers_s": seen,
        "first_page_s": first_page, "first_page_status": status,
        "site_after_install_s": after_install, "rows": rows, "failures": run.failures,
        "git_status": git_status,
    }, indent=1))  # fmt: skip
    print(f"\nwrote {args.json}; the whole output is in {log}")
    sys.exit(1 if run.failures or first_page is None or "index done" not in seen else 0)


if __name__ == "__main__":
    main()
