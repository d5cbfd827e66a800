"""Offline evaluation on a MovieLens folder: the same code as `bench/evaluate.py`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from recommendations.engine.cli import add_arguments, run


class Command(BaseCommand):
    help = "Evaluate recommender models on a MovieLens folder (ml-100k or the CSV family)."

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, **options):
        try:
            run(options, log=self.stdout.write)
        except (ValueError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
