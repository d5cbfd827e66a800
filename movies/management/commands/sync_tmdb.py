"""`manage.py sync_tmdb [--movie TMDB_ID]`: new and changed movies, localized titles and
people's names from the TMDb API."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from movies.services.tmdb_sync import SyncError, tmdb_sync


class Command(BaseCommand):
    help = (
        "Syncs the catalogue with the TMDb API (token: TMDB_API_TOKEN): new releases (discover, "
        "now playing, popular), movies changed on TMDb since the last run, their credits, "
        "keywords, genres, posters and titles/overviews in TMDB_LANGUAGES, and the localized "
        "names of the people credited. Incremental and resumable: run it again after a crash."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--movie", type=int, metavar="TMDB_ID", help="refresh this one movie (and its people)"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        movie = options["movie"]
        if movie is not None and movie <= 0:
            raise CommandError("--movie takes a TMDb movie id (a positive number).")
        progress = not options["no_progress"] and options["verbosity"] > 0
        try:
            report = tmdb_sync(movie_id=movie, progress=progress)
        except SyncError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        if movie is not None and report.movies == 0:
            reason = next((r for what, r in report.failed + report.skipped), "not written")
            raise CommandError(f"TMDb movie {movie} was not synced: {reason}")
