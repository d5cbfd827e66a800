"""Train a recommender on the whole catalogue and save it as a new ModelVersion."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from recommendations import services
from recommendations.engine.progress import BarTracker
from recommendations.engine.training import DEFAULT_KIND, KINDS
from recommendations.models import ModelVersion


class Command(BaseCommand):
    help = (
        "Train a recommender on every rating and pick in the catalogue (a new ModelVersion). "
        "A progress bar on stderr shows the step, the time spent and an estimate of the rest."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind",
            default=DEFAULT_KIND,
            choices=KINDS,
            help=(
                "blend: popularity, LightFM with features, EASE and item transitions mixed "
                "(minutes on 100k ratings and 2 cores); lightfm, ease, sequential (up to 10 "
                "minutes more) or popularity alone"
            ),
        )
        parser.add_argument(
            "--tune",
            action="store_true",
            help="choose EASE's λ and decay and the blend weights on a holdout first "
            "(several times longer); otherwise fixed values tuned on ml-latest-small",
        )
        parser.add_argument("--activate", action="store_true", help="serve it when done")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--if-none-active",
            action="store_true",
            help="do nothing when a trained version is already active (setup scripts)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs, CI)")

    def handle(self, *args, kind, tune, activate, seed, if_none_active, no_progress, **options):
        active = ModelVersion.objects.filter(is_active=True).first()
        if if_none_active and active is not None:
            self.stdout.write(f"{active} is active; nothing to train")
            return
        version = ModelVersion.objects.create(
            kind=kind, params={"activate": activate, "seed": seed, "tune": tune}
        )
        self.stdout.write(f"training {version} ...")
        self.stderr.ending = ""  # tqdm moves within one line
        tracker = None if no_progress else BarTracker(file=self.stderr)
        try:
            version = services.model_version_train(version_id=version.pk, tracker=tracker)
        except Exception as exc:
            raise CommandError(f"training failed: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{version}: {version.artifact_path}, {version.train_seconds}s, "
                f"metrics {version.metrics}, active={version.is_active}"
            )
        )
