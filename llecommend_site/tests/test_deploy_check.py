"""The deployment files agree with the code: `check --deploy` is clean with production
settings, the admin moves with ADMIN_URL, docker-compose.yml has the services, queues, health
checks and volumes the docs promise, and `.env.example` documents every setting.

No Docker engine runs here, so the compose file is checked by reading it (the same commands it
runs are the ones docs/deploying.md gives for running without Docker)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROD_KEY = "k3Vq9-zs8bT2pL0xW4yR7uN1mC6hJ5aF_dE3gH8iK2oP9sQ4tU7vX1zY5bN0cM6"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "DEBUG", "LLM_RATE_LIMIT"):
        clean.pop(name, None)
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": "llecommend_site.settings",
            "DEBUG": "false",
            "SECRET_KEY": PROD_KEY,
            "ALLOWED_HOSTS": "movies.example.com",
            "DATABASE_URL": "sqlite:////tmp/llecommend-deploy-check.sqlite3",
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_catches_a_weak_key_and_plain_cookies():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="django-insecure-short",
        SESSION_COOKIE_SECURE="false",
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout  # weak SECRET_KEY
    assert "security.W012" in result.stderr + result.stdout  # session cookie not secure


def test_admin_lives_at_admin_url():
    code = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "llecommend_site.settings",
            "SECRET_KEY": PROD_KEY,
            "ADMIN_URL": "backstage-3f9c/",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "/backstage-3f9c/", result.stderr


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_has_every_service_with_a_health_check(compose):
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "llm-worker", "migrate"} <= set(services)
    for name in ("postgres", "redis", "web", "worker", "llm-worker"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no health check"
    assert "/readyz" in str(services["web"]["healthcheck"]["test"])


def test_compose_workers_take_their_queues(compose):
    services = compose["services"]
    assert re.search(r"celery -A llecommend_site worker -Q default\b", _command(services["worker"]))
    llm = _command(services["llm-worker"])
    assert "-Q llm" in llm
    assert "--concurrency 1" in llm
    assert "gunicorn llecommend_site.wsgi:application" in _command(services["web"])


def test_compose_reserves_a_gpu_for_the_llm_worker(compose):
    llm = compose["services"]["llm-worker"]
    devices = llm["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]
    assert "whl/cu" in llm["build"]["args"]["TORCH_INDEX_URL"]  # CUDA torch in its image


def test_compose_keeps_data_in_volumes(compose):
    services = compose["services"]
    assert set(compose["volumes"]) >= {"pgdata", "artifacts", "models"}
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in ("web", "worker", "llm-worker"):
        mounts = services[name]["volumes"]
        assert "artifacts:/app/var/artifacts" in mounts, name
        env = services[name]["environment"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CACHE_URL"].startswith("redis://")  # the rate limit is shared


def test_dockerfile_builds_one_non_root_image():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim$", text, re.M)
    assert "-r /tmp/requirements.txt" in text
    assert "--no-deps -r /tmp/requirements-nodeps.txt" in text
    assert "collectstatic --noinput" in text
    assert re.search(r"^USER app$", text, re.M)
    assert "ARG TORCH_INDEX_URL" in text
    assert "gunicorn" in text


def _settings_env_names() -> set[str]:
    text = (ROOT / "llecommend_site" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', text))


def test_env_example_documents_every_setting():
    names = _settings_env_names()
    assert {"SECRET_KEY", "DATABASE_URL", "LLM_BACKEND", "CSRF_TRUSTED_ORIGINS"} <= names
    documented = set(
        re.findall(r"^#?([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert names - documented == set()
