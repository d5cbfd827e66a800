"""Build (or load) the sentence-embedding index of the current catalogue version, so that the
first taste-text request does not wait for it.

    python manage.py build_embedding_index [--force] [--progress auto|bar|lines|none]
        [--query "slow-burn Korean thrillers"]

Only descriptions that changed since the newest stored version are encoded; `--force`
re-encodes all of them. While it encodes, a progress bar (on a terminal) or a line every 10%
(in a log) goes to stderr. `--query` prints the top hits of a test query afterwards. Another
process already building the same index is waited for, not duplicated.
"""

from __future__ import annotations

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from llm_worker import embeddings
from movies.selectors import movies_by_ids

LINE_EVERY = 0.1  # share of the texts between two progress lines


class Command(BaseCommand):
    help = "Build the taste-text embedding index of the current catalogue version."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="re-encode every description")
        parser.add_argument(
            "--progress",
            choices=("auto", "bar", "lines", "none"),
            default="auto",
            help="a bar on a terminal, lines elsewhere (auto); none with --verbosity 0",
        )
        parser.add_argument("--query", default="", help="print the top hits of this text")
        parser.add_argument("--k", type=int, default=10)

    def handle(self, *args, force: bool, progress: str, query: str, k: int, **options):
        if progress == "auto":
            progress = "none" if options["verbosity"] == 0 else "auto"
        reporter = Progress(mode=progress, stream=sys.stderr)
        started = time.perf_counter()
        try:
            index = embeddings.embedding_index_build(force=force, progress=reporter)
        finally:
            reporter.close()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{len(index)} movies, {index.dim} dims, model {index.model}, "
            f"fingerprint {index.fingerprint}, {seconds:.1f} s → "
            f"{settings.ARTIFACTS_DIR / embeddings.SUBFOLDER / index.fingerprint}"
        )
        if not query:
            return
        try:
            started = time.perf_counter()
            hits = embeddings.taste_candidates(text=query, k=k)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        ms = (time.perf_counter() - started) * 1000
        movies = movies_by_ids([m for m, _ in hits])
        self.stdout.write(f"{query!r} ({ms:.0f} ms):")
        for rank, (movie_id, score) in enumerate(hits, 1):
            self.stdout.write(f"{rank:3d}. {score:.3f}  {movies[movie_id]}  [{movie_id}]")


class Progress:
    """The build's progress on `stream`: a tqdm bar ("bar", or "auto" on a terminal), a line
    per LINE_EVERY of the texts ("lines", or "auto" elsewhere: logs keep no carriage returns),
    or nothing ("none"). Nothing either when no text needs encoding (a stored index)."""

    def __init__(self, *, mode: str, stream) -> None:
        if mode == "auto":
            mode = "bar" if getattr(stream, "isatty", lambda: False)() else "lines"
        self.mode, self.stream = mode, stream
        self.bar = None
        self.started = time.perf_counter()
        self.next_line = 0.0

    def __call__(self, done: int, total: int) -> None:
        if self.mode == "none" or total == 0:
            return
        if self.mode == "bar":
            self._bar(done, total)
        elif done == 0 or done >= total or done / total >= self.next_line:
            self.next_line = done / total + LINE_EVERY
            seconds = time.perf_counter() - self.started
            self.stream.write(
                f"taste-text index: {done:,} of {total:,} movies encoded "
                f"({100 * done // total}%, {seconds:.0f} s)\n"
            )
            self.stream.flush()

    def _bar(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total, desc="taste-text index", unit="movie", file=self.stream, mininterval=1
            )
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
