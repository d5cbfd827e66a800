"""Fixtures for the production tests: a real Redis (its own database number, purged) for the
`redis`-marked tests — skipped with a visible reason when none answers, a failure in CI."""

from __future__ import annotations

import os

import pytest

# Not 0 (development) nor 15 (CI's other tests): this database is flushed by the tests.
REDIS_URL = os.environ.get("LLECOMMEND_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def _need(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def redis_url() -> str:
    """The test Redis database, flushed before the test."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        _need(f"no Redis at {REDIS_URL} ({exc})")
    client.flushdb()
    client.close()
    return REDIS_URL
