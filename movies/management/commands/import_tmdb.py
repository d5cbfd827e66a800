"""`manage.py import_tmdb PATH [PATH ...]`: TMDb metadata onto the MovieLens movies."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from movies.importers.base import UnusableFile
from movies.services.tmdb import tmdb_import


class Command(BaseCommand):
    help = (
        "Adds TMDb metadata to the catalogue from Kaggle 'The Movies Dataset' (movies_metadata, "
        "credits, keywords, links), 'TMDB 5000' (tmdb_5000_movies, tmdb_5000_credits) or the "
        "TMDb movie-data tmdb-movies.csv; plain CSV or zipped. Files are recognised by their "
        "columns. Joins by TMDb id, then IMDb id, then title + year."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="CSV or zip files")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        progress = not options["no_progress"] and options["verbosity"] > 0
        try:
            report = tmdb_import(paths=options["paths"], progress=progress)
        except UnusableFile as exc:
            raise CommandError(f"{exc}. Nothing was imported; the database is unchanged.") from exc
        for line in report.lines():
            self.stdout.write(line)
