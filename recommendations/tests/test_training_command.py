"""`train_recommender`: fixed hyperparameters by default, tuning on request, a progress bar
with an estimate, and versions stored under the old name "hybrid" still served."""

from __future__ import annotations

import importlib
import io
import json
import shutil

import numpy as np
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from recommendations.engine.bundle import Recommender
from recommendations.engine.item_models import EASE
from recommendations.engine.training import EASE_L2_GRID, FIXED_OPTIONS
from recommendations.models import ModelVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def ease_fits(monkeypatch):
    calls = []
    real_fit = EASE.fit
    monkeypatch.setattr(
        EASE,
        "fit",
        lambda self, *a, **kw: calls.append(dict(self.params)) or real_fit(self, *a, **kw),
    )
    return calls


def test_a_first_training_fits_ease_once_with_the_fixed_hyperparameters(
    catalogue, artifacts, ease_fits
):
    call_command("train_recommender", "--kind", "ease", "--no-progress", stdout=io.StringIO())

    version = ModelVersion.objects.get()
    assert len(ease_fits) == 1
    assert version.params["options"]["ease"] == FIXED_OPTIONS["ease"]
    assert version.metrics["tuned"] is False
    assert "valid_ndcg@10" not in version.metrics


def test_tuning_on_request_chooses_on_a_holdout(catalogue, artifacts, ease_fits):
    call_command(
        "train_recommender", "--kind", "ease", "--tune", "--no-progress", stdout=io.StringIO()
    )

    version = ModelVersion.objects.get()
    # One fit per λ of the grid on the holdout's train part, then the chosen one on everything.
    assert len(ease_fits) == len(EASE_L2_GRID) + 1
    assert version.params["options"]["ease"]["l2"] in EASE_L2_GRID
    assert version.metrics["tuned"] is True
    assert 0 <= version.metrics["valid_ndcg@10"] <= 1


def test_the_command_shows_progress_and_an_estimate(catalogue, artifacts):
    err = io.StringIO()

    call_command("train_recommender", "--activate", stdout=io.StringIO(), stderr=err)

    text = err.getvalue()
    version = ModelVersion.objects.get()
    assert version.kind == "blend"  # the default kind
    assert version.is_active
    assert "on a 2-core machine" in text  # the estimate, before the bar
    assert "fit lightfm" in text
    assert "fit ease" in text
    assert "100%" in text


def test_an_unknown_kind_is_a_clear_error(catalogue, artifacts):
    with pytest.raises(CommandError, match=r"invalid choice: 'hybrid'.*blend"):
        call_command("train_recommender", "--kind", "hybrid")

    assert not ModelVersion.objects.exists()


def as_format_1(folder):
    """Rewrite a saved blend the way artifacts were stored before the rename."""
    manifest = json.loads((folder / "manifest.json").read_text())
    shutil.move(folder / "lightfm", folder / "hybrid")

    def old(name):
        return "hybrid" if name == "lightfm" else name

    manifest.update(
        format=1,
        kind="hybrid",
        models=[old(n) for n in manifest["models"]],
        weights={old(n): w for n, w in manifest["weights"].items()},
        foldin_weights={old(n): w for n, w in manifest["foldin_weights"].items()},
    )
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_versions_stored_as_hybrid_are_renamed_and_still_served(
    trained, artifacts, catalogue, tmp_path
):
    current = Recommender.load(artifacts / trained.artifact_path)
    old_folder = tmp_path / "hybrid" / "1"
    shutil.copytree(artifacts / trained.artifact_path, old_folder)
    as_format_1(old_folder)
    ModelVersion.objects.filter(pk=trained.pk).update(kind="hybrid")
    migration = importlib.import_module("recommendations.migrations.0004_rename_hybrid_kind")

    migration.forwards(apps, None)
    loaded = Recommender.load(old_folder)

    assert ModelVersion.objects.get(pk=trained.pk).kind == "blend"
    assert loaded.kind == "blend"
    assert set(loaded.models) == set(current.models)
    picks = [m.pk for m in catalogue["action"][:2]]
    for user_id in (None, int(current.user_map.ids[0])):
        a, engine_a = current.scores(user_id=user_id, history_ids=picks, keys=["gender:F"])
        b, engine_b = loaded.scores(user_id=user_id, history_ids=picks, keys=["gender:F"])
        np.testing.assert_array_equal(a, b)
        assert engine_a == engine_b == "blend"
