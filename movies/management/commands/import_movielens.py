"""`manage.py import_movielens PATH` or `manage.py import_movielens --download NAME`."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from movies.importers.base import UnusableFile
from movies.importers.download import (
    DATASETS,
    GROUPLENS_BASE_URL,
    DownloadError,
    download_movielens,
)
from movies.services.movielens import movielens_import

DEFAULT_CACHE = Path(settings.BASE_DIR) / "var" / "datasets"


def fetch(name: str, *, cache_dir: Path, base_url: str, progress: bool, out) -> Path:
    """Downloads (or finds cached) MovieLens dataset `name`; CommandError when it cannot."""
    bar = tqdm(unit="B", unit_scale=True, file=sys.stderr, disable=None if progress else True,
               desc=f"download {name}", leave=False)  # fmt: skip

    def advance(n: int, total: int | None) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.update(n)

    try:
        with bar:
            done = download_movielens(name, cache_dir, base_url=base_url, progress=advance)
    except DownloadError as exc:
        raise CommandError(str(exc)) from exc
    out.write(f"{name}: {done.folder} ({done.checked})")
    return done.folder


class Command(BaseCommand):
    help = (
        "Imports a MovieLens dataset: ml-100k (u.item, u.user, u.data) or the CSV family "
        "(movies.csv, ratings.csv, links.csv, tags.csv: ml-latest-small, ml-25m, ml-32m). "
        "Re-running adds nothing twice; an unusable file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="folder with the dataset files")
        parser.add_argument(
            "--download", choices=sorted(DATASETS), help="fetch this dataset from GroupLens first"
        )
        parser.add_argument(
            "--dataset",
            help="dataset name for the users '<dataset>:<id>' (default: the folder's name)",
        )
        parser.add_argument(
            "--cache-dir", type=Path, default=DEFAULT_CACHE, help="where downloads are unzipped"
        )
        parser.add_argument("--base-url", default=GROUPLENS_BASE_URL, help="a GroupLens mirror")
        parser.add_argument("--chunk-size", type=int, default=50_000,
                            help="ratings written per batch (bounds memory)")  # fmt: skip
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        path: Path | None = options["path"]
        progress = not options["no_progress"] and options["verbosity"] > 0
        if options["download"]:
            if path is not None:
                raise CommandError("give either PATH or --download NAME, not both")
            path = fetch(
                options["download"],
                cache_dir=options["cache_dir"],
                base_url=options["base_url"],
                progress=progress,
                out=self.stdout,
            )
        elif path is None:
            raise CommandError("give the dataset folder (PATH) or --download NAME")
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1")
        try:
            report = movielens_import(
                path=path,
                dataset=options["dataset"] or (options["download"] or None),
                chunk_size=options["chunk_size"],
                progress=progress,
            )
        except UnusableFile as exc:
            raise CommandError(f"{exc}. Nothing was imported; the database is unchanged.") from exc
        for line in report.lines():
            self.stdout.write(line)
