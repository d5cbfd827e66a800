"""`manage.py load_demo`: the demo catalogue (MovieLens ml-latest-small + TMDb metadata).

From LLECOMMEND_DATA_DIR when it is set (`ml-latest-small/` and the TMDb files in `tmdb/`);
otherwise ml-latest-small is downloaded from GroupLens (without TMDb metadata, which has no
public download: the catalogue then lacks overviews and credits, and the command says so);
otherwise it stops and says how to get the data. Skips when the demo is already loaded.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from movies.importers.base import UnusableFile
from movies.importers.download import GROUPLENS_BASE_URL
from movies.models import Movie
from movies.services.movielens import movielens_import
from movies.services.tmdb import tmdb_import

from .import_movielens import DEFAULT_CACHE, fetch

DATASET = "ml-latest-small"
HOW_TO = (
    "To get the data: download https://files.grouplens.org/datasets/movielens/"
    "ml-latest-small.zip on a machine that is online, unzip it into DATA/ml-latest-small, "
    "optionally put the TMDb files (tmdb-movies.zip, tmdb_5000_movies.csv.zip, "
    "keywords.csv.zip from Kaggle) into DATA/tmdb, then run "
    "`LLECOMMEND_DATA_DIR=DATA manage.py load_demo`."
)


def tmdb_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".zip"))


class Command(BaseCommand):
    help = "Loads the demo catalogue (ml-latest-small + TMDb) unless it is already there."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="import again even if loaded")
        parser.add_argument(
            "--data-dir", type=Path, help="instead of LLECOMMEND_DATA_DIR (the setting)"
        )
        parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
        parser.add_argument("--base-url", default=GROUPLENS_BASE_URL, help="a GroupLens mirror")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        progress = not options["no_progress"] and options["verbosity"] > 0
        loaded = get_user_model().objects.filter(dataset=DATASET).exists()
        if loaded and not options["force"]:
            count = Movie.objects.filter(movielens_id__isnull=False).count()
            self.stdout.write(
                f"The demo catalogue is already loaded ({count:,} movies); --force imports again."
            )
            return
        raw = options["data_dir"] or settings.LLECOMMEND_DATA_DIR
        if raw:
            data_dir = Path(raw)
            folder = data_dir / DATASET
            if not folder.is_dir():
                raise CommandError(f"{folder} does not exist. {HOW_TO}")
            tmdb = tmdb_files(data_dir / "tmdb")
        else:
            self.stdout.write("LLECOMMEND_DATA_DIR is not set: downloading ml-latest-small.")
            try:
                folder = fetch(
                    DATASET,
                    cache_dir=options["cache_dir"],
                    base_url=options["base_url"],
                    progress=progress,
                    out=self.stdout,
                )
            except CommandError as exc:
                raise CommandError(f"No demo data. {exc}\n{HOW_TO}") from exc
            tmdb = []
        try:
            report = movielens_import(path=folder, dataset=DATASET, progress=progress)
            for line in report.lines():
                self.stdout.write(line)
            if tmdb:
                for line in tmdb_import(paths=tmdb, progress=progress).lines():
                    self.stdout.write(line)
        except UnusableFile as exc:
            raise CommandError(f"{exc}. {HOW_TO}") from exc
        if not tmdb:
            self.stderr.write(
                "No TMDb files found: movies have no overview, cast or director, and the "
                "descriptions the LLM sees are thin. Put the TMDb files in "
                "LLECOMMEND_DATA_DIR/tmdb and run `manage.py load_demo --force`."
            )
        self.stdout.write(self.style.SUCCESS("Demo catalogue loaded."))
