"""/healthz and /readyz: JSON, the right status codes, and what each check reports."""

from __future__ import annotations

import pytest

from llm_worker.tests.fake_openai import FakeOpenAI, closed_port
from recommendations.candidates import active_recommender_forget
from recommendations.models import ModelVersion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_recommender():
    active_recommender_forget()
    yield
    active_recommender_forget()


def test_healthz_answers_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_probes_skip_host_check_and_https_redirect(client, settings):
    # A container probe speaks plain HTTP to localhost; production hosts and HTTPS must not
    # turn that into 400 or 301.
    settings.ALLOWED_HOSTS = ["movies.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="localhost:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="localhost:8000").status_code in (200, 503)
    # ...while the site itself still enforces both.
    assert client.get("/", HTTP_HOST="localhost:8000").status_code == 400


def test_readyz_without_model_or_broker_is_degraded_but_ready(client, settings):
    settings.CELERY_BROKER_URL = ""
    settings.LLM_BACKEND = "grounded"
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "off"
    assert body["checks"]["recommender"]["status"] == "degraded"
    assert "popularity" in body["checks"]["recommender"]["detail"]
    assert body["checks"]["llm"]["status"] == "off"


def test_readyz_broker_unreachable_is_503(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["broker"]["status"] == "down"
    assert body["checks"]["broker"]["ms"] < 3000  # a short timeout, not a hang


@pytest.mark.redis
def test_readyz_real_redis_is_ok(client, settings, redis_url):
    settings.CELERY_BROKER_URL = redis_url
    body = client.get("/readyz").json()
    assert body["checks"]["broker"]["status"] == "ok"


def test_readyz_active_version_that_cannot_load_is_503(client, settings, tmp_path):
    settings.ARTIFACTS_DIR = tmp_path
    ModelVersion.objects.create(
        kind="hybrid", status=ModelVersion.Status.READY, is_active=True, artifact_path="gone/1"
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["recommender"]["status"] == "down"


def test_readyz_llm_server_down_is_degraded_not_503(client, settings):
    settings.CELERY_BROKER_URL = ""
    settings.LLM_BACKEND = "openai"
    settings.LLM_BASE_URL = f"http://127.0.0.1:{closed_port()}/v1"
    response = client.get("/readyz")
    assert response.status_code == 200  # lists fall back to grounded reasons
    llm = response.json()["checks"]["llm"]
    assert llm["status"] == "degraded"
    assert "grounded" in llm["detail"]


def test_readyz_llm_server_up_is_ok(client, settings):
    settings.LLM_BACKEND = "openai"
    with FakeOpenAI(lambda body: "{}") as stub:
        settings.LLM_BASE_URL = stub.base_url
        llm = client.get("/readyz").json()["checks"]["llm"]
    assert llm["status"] == "ok"


def test_readyz_database_down_is_503(client, monkeypatch):
    from django.db import OperationalError
    from django.db.backends.utils import CursorWrapper

    def refuse(self, sql, params=None):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["status"] == "down"
