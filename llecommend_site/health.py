"""Liveness and readiness probes.

`/healthz` — liveness: the process answers. 200 `{"status": "ok"}`; touches nothing else, so a
database outage never makes an orchestrator restart healthy web processes.

`/readyz` — readiness: can this process serve users right now? JSON with one entry per check.
Each check is "ok", "off" (deliberately not used), "degraded" or "down":
- database: `SELECT 1` answers, else down.
- broker: Redis PING within BROKER_TIMEOUT_S, else down; "off" without a broker (tasks run
  in the web process).
- recommender: the active ModelVersion is loaded (ok); no active version is degraded
  (candidates come from popularity); an active version that fails to load is down.
- llm: "grounded" is off; "transformers" is ok (the model lives in the llm worker, not here);
  "openai" is ok when its server answers GET /models, degraded when not (lists then carry
  grounded reasons and say so).

Degraded means the site still works in a documented weaker mode (the page says so), so the
process stays in the load balancer; only a check the site cannot work without makes it 503.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_S = 1.0
LLM_TIMEOUT_S = 2.0
OK, DEGRADED, DOWN, OFF = "ok", "degraded", "down", "off"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": OK})


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": OK, "vendor": connection.vendor}


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if not url:
        return {"status": OFF, "detail": "no broker: tasks run in the web process"}
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(
            url, socket_connect_timeout=BROKER_TIMEOUT_S, socket_timeout=BROKER_TIMEOUT_S
        )
        try:
            client.ping()
        finally:
            client.close()
        return {"status": OK}
    from kombu import Connection

    with Connection(url, connect_timeout=BROKER_TIMEOUT_S) as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_S)
    return {"status": OK}


def check_recommender() -> dict:
    from recommendations import selectors
    from recommendations.candidates import active_recommender

    row = selectors.active_model_version()
    if row is None:
        return {
            "status": DEGRADED,
            "detail": "no active model version: candidates come from catalogue popularity",
        }
    version_id, recommender = active_recommender()
    if recommender is None or version_id != row[0]:
        return {"status": DOWN, "version": row[0], "detail": f"could not load {row[1]}"}
    return {"status": OK, "version": version_id, "kind": getattr(recommender, "kind", "")}


def check_llm() -> dict:
    backend = (settings.LLM_BACKEND or "grounded").lower()
    if backend == "grounded":
        return {"status": OFF, "backend": backend, "detail": "grounded explanations, no model"}
    if backend == "transformers":
        # The model is resident in the llm worker, not in web processes: nothing to ask here.
        return {"status": OK, "backend": backend, "detail": "loaded by the llm queue worker"}
    import httpx

    url = settings.LLM_BASE_URL.rstrip("/") + "/models"
    headers = {"Authorization": f"Bearer {settings.LLM_API_KEY}"} if settings.LLM_API_KEY else {}
    try:
        response = httpx.get(url, timeout=LLM_TIMEOUT_S, headers=headers)
    except httpx.HTTPError as exc:
        return {
            "status": DEGRADED,
            "backend": backend,
            "detail": f"LLM server unreachable ({type(exc).__name__}): grounded reasons are served",
        }
    if response.status_code >= 500:
        return {
            "status": DEGRADED,
            "backend": backend,
            "detail": f"LLM server answered HTTP {response.status_code}: grounded reasons served",
        }
    return {"status": OK, "backend": backend}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "broker": check_broker,
    "recommender": check_recommender,
    "llm": check_llm,
}


def _run(name: str, check: Callable[[], dict]) -> dict:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a probe reports failures; it never raises them
        logger.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
        result = {"status": DOWN, "detail": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {name: _run(name, check) for name, check in CHECKS.items()}
    states = {c["status"] for c in checks.values()}
    status = DOWN if DOWN in states else DEGRADED if DEGRADED in states else OK
    return JsonResponse({"status": status, "checks": checks}, status=503 if status == DOWN else 200)
