"""Train a recommender on the whole catalogue and save it as a new ModelVersion."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from recommendations import services
from recommendations.engine.bundle import KINDS
from recommendations.models import ModelVersion


class Command(BaseCommand):
    help = "Train a recommender on every rating and pick in the catalogue (a new ModelVersion)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", default="hybrid", choices=KINDS)
        parser.add_argument("--activate", action="store_true", help="serve it when done")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--if-none-active",
            action="store_true",
            help="do nothing when a trained version is already active (setup scripts)",
        )

    def handle(self, *args, kind, activate, seed, if_none_active, **options):
        active = ModelVersion.objects.filter(is_active=True).first()
        if if_none_active and active is not None:
            self.stdout.write(f"{active} is active; nothing to train")
            return
        version = ModelVersion.objects.create(
            kind=kind, params={"activate": activate, "seed": seed}
        )
        self.stdout.write(f"training {version} ...")
        try:
            version = services.model_version_train(version_id=version.pk)
        except Exception as exc:
            raise CommandError(f"training failed: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{version}: {version.artifact_path}, {version.train_seconds}s, "
                f"metrics {version.metrics}, active={version.is_active}"
            )
        )
