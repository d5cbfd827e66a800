"""Project-wide pytest fixtures and the rule for dataset-marked tests: without
LLECOMMEND_DATA_DIR they are skipped with a visible reason; in CI (CI=true) a missing data
folder is a failure, not a skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def _data_dir() -> Path | None:
    raw = os.environ.get("LLECOMMEND_DATA_DIR", "")
    return Path(raw) if raw else None


def _missing_data_reason() -> str | None:
    path = _data_dir()
    if path is None:
        return "LLECOMMEND_DATA_DIR is not set (point it at the MovieLens/TMDb data folder)"
    if not path.is_dir():
        return f"LLECOMMEND_DATA_DIR={path} is not a folder"
    return None


def pytest_runtest_setup(item):
    if item.get_closest_marker("dataset") is None:
        return
    reason = _missing_data_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and the real datasets are missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real datasets folder; only for tests marked `dataset`."""
    path = _data_dir()
    assert path is not None, "use the `dataset` marker on tests that need data_dir"
    return path


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test has its own catalogue and users: nothing cached by the last one may answer
    for this one. The cache holds search results, rendered cards and pages; the per-process
    search index (rebuilt every minute in production, cleared on a movie's save or delete)
    would carry the last test's titles, which bulk imports write without signals."""
    from django.core.cache import cache

    from movies.selectors import TITLE_INDEX

    cache.clear()
    TITLE_INDEX.forget()
    yield
    cache.clear()
    TITLE_INDEX.forget()


@pytest.fixture
def curator_client(client, db):
    """A superuser's client that reads the admin in Korean (the curators' language)."""
    from django.conf import settings

    from accounts.tests.factories import UserFactory

    user = UserFactory(is_staff=True, is_superuser=True)
    user.save()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    return client
