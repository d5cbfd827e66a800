"""Fixtures the LLM layer's tests share."""

from __future__ import annotations

import pytest

from llm_worker import embeddings
from llm_worker.tests.fake_encoder import HashingEncoder


@pytest.fixture
def encoder(settings, tmp_path, monkeypatch):
    """A hashing encoder in place of the sentence-transformers model (which takes seconds to
    load; its quality is tested in the slow tests), with a throwaway artifacts folder."""
    fake = HashingEncoder(dim=128)
    settings.ARTIFACTS_DIR = tmp_path / "artifacts"
    settings.EMBEDDING_MODEL = fake.name
    monkeypatch.setattr(embeddings, "_load_encoder", lambda name: fake)
    embeddings.reset_cache()
    yield fake
    embeddings.reset_cache()
