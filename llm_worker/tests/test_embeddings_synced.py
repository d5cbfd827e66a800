"""The taste-text index learns the movies a TMDb sync brings (`movies.signals.movies_synced`,
received in llm_worker/apps.py): the stored index holds the new movie before anyone searches,
only its text is encoded; with no index stored yet, nothing is built and the sync says so."""

from __future__ import annotations

import json

import pytest

from llm_worker import embeddings
from movies.models import Movie
from movies.signals import movies_synced_send
from movies.tests.factories import MovieFactory

pytestmark = pytest.mark.django_db


def _stored_ids(settings) -> set[int]:
    metas = (settings.ARTIFACTS_DIR / embeddings.SUBFOLDER).glob("*/index.json")
    newest = max(metas, key=lambda p: p.stat().st_mtime_ns)
    return set(json.loads(newest.read_text())["ids"])


def test_a_synced_movie_is_in_the_stored_index_before_any_search(
    encoder, settings, django_capture_on_commit_callbacks
):
    MovieFactory(title="Old Harbor", overview="Fishermen and a storm.")
    embeddings.embedding_index_build()
    new = MovieFactory(title="Neon Harbor", overview="A city of lights under the sea.")
    encoder.calls.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notes = movies_synced_send(sender=Movie, movie_ids=[new.pk])

    assert new.pk in _stored_ids(settings)
    assert len(encoder.encoded_texts) == 1  # only the new description
    assert "Neon Harbor" in encoder.encoded_texts[0]
    assert any("taste-text index: update for 1 movie(s) queued" in n for n in notes)


def test_without_a_stored_index_nothing_is_built_and_the_sync_says_so(
    encoder, settings, django_capture_on_commit_callbacks
):
    new = MovieFactory(title="Neon Harbor")

    with django_capture_on_commit_callbacks(execute=True):
        notes = movies_synced_send(sender=Movie, movie_ids=[new.pk])

    assert encoder.calls == []
    assert any("none stored yet" in n for n in notes)
