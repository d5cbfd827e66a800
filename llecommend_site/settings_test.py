"""Settings for the test suite: the production settings module, with the few environment
values a test run needs (no HTTPS redirect on the test client, a throwaway key)."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
# The per-user LLM rate limit counts in a cache that outlives a test; tests that check it
# switch it on themselves (llecommend_site/tests/test_ratelimit.py).
os.environ.setdefault("LLM_RATE_LIMIT", "off")

from .settings import *  # noqa: F403

# Hashing passwords with the production hasher makes every signup in a test take ~0.3 s.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
