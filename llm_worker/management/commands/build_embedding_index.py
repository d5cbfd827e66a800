"""Build (or load) the sentence-embedding index of the current catalogue version, so that the
first taste-text request does not wait for it.

    python manage.py build_embedding_index [--force] [--query "slow-burn Korean thrillers"]

Only descriptions that changed since the newest stored version are encoded; `--force`
re-encodes all of them. `--query` prints the top hits of a test query afterwards.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from llm_worker import embeddings
from movies.selectors import movies_by_ids


class Command(BaseCommand):
    help = "Build the taste-text embedding index of the current catalogue version."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="re-encode every description")
        parser.add_argument("--query", default="", help="print the top hits of this text")
        parser.add_argument("--k", type=int, default=10)

    def handle(self, *args, force: bool, query: str, k: int, **options):
        started = time.perf_counter()
        index = embeddings.embedding_index_build(force=force)
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
