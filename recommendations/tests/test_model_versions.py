"""Training from the catalogue, the versioned artifact, activation and the process loader."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import UserFactory
from movies.tests.factories import RatingFactory
from recommendations import candidates, services
from recommendations.engine.bundle import Recommender
from recommendations.models import ModelVersion

from .conftest import FAST

pytestmark = pytest.mark.django_db


def test_training_writes_one_versioned_artifact(trained, artifacts):
    folder = artifacts / trained.artifact_path

    assert trained.status == ModelVersion.Status.READY
    assert trained.is_active
    assert trained.artifact_path == f"blend/{trained.pk}"
    assert (folder / "manifest.json").exists()
    assert (folder / "item_ids.npy").exists()
    assert len(trained.data_fingerprint) == 64
    assert trained.metrics["interactions"] == 40 * 8
    assert trained.metrics["tuned"] is False  # fixed hyperparameters unless asked to tune


def test_saved_and_loaded_models_score_identically(trained, artifacts, catalogue, tmp_path):
    original = Recommender.load(artifacts / trained.artifact_path)
    copy = Recommender.load(original.save(tmp_path / "copy"))
    picks = [m.pk for m in catalogue["action"][:2]]
    known_user = int(original.user_map.ids[0])

    for user_id, hist in ((None, picks), (known_user, picks), (None, [])):
        a, engine_a = original.scores(user_id=user_id, history_ids=hist, keys=["gender:F"])
        b, engine_b = copy.scores(user_id=user_id, history_ids=hist, keys=["gender:F"])
        np.testing.assert_array_equal(a, b)
        assert engine_a == engine_b


def test_same_data_same_fingerprint_new_data_new_one(trained, catalogue):
    again = ModelVersion.objects.create(kind="blend")
    again = services.model_version_train(version_id=again.pk, options=FAST)
    RatingFactory(user=UserFactory(), movie=catalogue["action"][0])
    changed = ModelVersion.objects.create(kind="blend")
    changed = services.model_version_train(version_id=changed.pk, options=FAST)

    assert again.data_fingerprint == trained.data_fingerprint
    assert changed.data_fingerprint != trained.data_fingerprint
    assert not again.is_active  # only asked-for activations switch what is served


def test_processes_notice_a_newer_active_version(trained, catalogue, monkeypatch):
    first_id, first = candidates.active_recommender()
    newer = ModelVersion.objects.create(kind="ease")
    newer = services.model_version_train(version_id=newer.pk, options=FAST)
    # Another process activates it: this one only learns through the database.
    ModelVersion.objects.filter(pk=first_id).update(is_active=False)
    ModelVersion.objects.filter(pk=newer.pk).update(is_active=True)
    monkeypatch.setattr(candidates, "ACTIVE_CHECK_SECONDS", 0.0)

    second_id, second = candidates.active_recommender()

    assert (first_id, first.kind) == (trained.pk, "blend")
    assert (second_id, second.kind) == (newer.pk, "ease")
    user = UserFactory()
    RatingFactory(user=user, movie=catalogue["action"][0])
    assert candidates.candidates_for_user(user=user, k=2)[0].engine == "ease"


def test_the_active_version_is_loaded_once(trained, monkeypatch):
    candidates.active_recommender()
    calls = []
    monkeypatch.setattr(Recommender, "load", lambda *a: calls.append(a))
    monkeypatch.setattr(candidates, "ACTIVE_CHECK_SECONDS", 0.0)

    candidates.active_recommender()

    assert calls == []


def test_training_an_empty_catalogue_fails_visibly(artifacts):
    version = ModelVersion.objects.create(kind="blend")

    with pytest.raises(ValueError, match="no ratings"):
        services.model_version_train(version_id=version.pk)

    version.refresh_from_db()
    assert version.status == ModelVersion.Status.FAILED
    assert "no ratings" in version.error


def test_train_command_trains_and_activates(catalogue, artifacts, capsys):
    call_command("train_recommender", "--kind", "ease", "--activate")

    version = ModelVersion.objects.get()
    assert (version.kind, version.status, version.is_active) == ("ease", "ready", True)
    assert "active=True" in capsys.readouterr().out


def test_admin_action_starts_training(
    catalogue, artifacts, admin_client, django_capture_on_commit_callbacks
):
    seed = ModelVersion.objects.create(kind="ease", status=ModelVersion.Status.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:recommendations_modelversion_changelist"),
            {"action": "train_new_version", "_selected_action": [seed.pk]},
        )

    assert response.status_code == 302
    newest = ModelVersion.objects.exclude(pk=seed.pk).get()
    assert (newest.kind, newest.status, newest.is_active) == ("ease", "ready", True)


def test_a_failed_version_cannot_be_activated(db):
    version = ModelVersion.objects.create(kind="blend", status=ModelVersion.Status.FAILED)

    with pytest.raises(ValueError, match="not ready"):
        services.model_version_activate(version=version)
