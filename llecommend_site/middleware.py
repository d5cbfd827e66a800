"""What the site says when a service it needs is down, instead of a traceback.

- The database is unreachable → 503 with a standalone page (it must not touch the database:
  no session, no user, no base template that asks for them) and `Retry-After`.
- The broker (Redis) refuses a task while a request is being saved → 503 "we could not start
  that" page; the row the service wrote stays and the user can press the button again.
- A per-user rate limit refused an LLM action (`llecommend_site.ratelimit.RateLimited`) in a
  view that does not show it next to a form field → 429 with the translated message.

`ServiceErrorMiddleware.process_exception` handles errors raised by views; `server_error`
(the project's `handler500`) handles the same errors raised outside views (a middleware, a
lazily rendered template) so they also get the right page in production (DEBUG off).
`HealthCheckMiddleware` answers the probes before host validation and the HTTPS redirect:
container health checks speak plain HTTP to `localhost`, which a production ALLOWED_HOSTS
rightly refuses.

`HtmxLoginRedirectMiddleware`: when a session has ended, an htmx request (search as you type,
a poll, a like) would follow the redirect to the login page and swap that whole page into a
small box; it gets `HX-Redirect` instead, so the browser goes to the login page.

For htmx requests the page is a fragment that replaces the alert box at the top of `<main>`
(`#htmx-alerts`), with status 200 because htmx does not swap 5xx answers: the user would see
nothing happen. Replacing, not prepending: a second click shows the alert once, not twice.

`ContentSecurityPolicyMiddleware` sends `settings.CONTENT_SECURITY_POLICY` with every response
(Django 5.2 has no CSP of its own): scripts from this site only, images from this site and
TMDb's image host (the card posters).
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django_htmx.http import HttpResponseClientRedirect

from .ratelimit import RateLimited

logger = logging.getLogger(__name__)

DB_RETRY_AFTER_S = 30
BROKER_RETRY_AFTER_S = 30
HEALTH_PATHS = ("/healthz", "/readyz")


def _broker_errors() -> tuple[type[BaseException], ...]:
    """Errors a task publish raises when the broker is unreachable."""
    errors: list[type[BaseException]] = []
    try:
        from kombu.exceptions import OperationalError as KombuOperationalError

        errors.append(KombuOperationalError)
    except ImportError:  # pragma: no cover - kombu ships with celery
        pass
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        errors += [RedisConnectionError, RedisTimeoutError]
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


BROKER_ERRORS = _broker_errors()
# DatabaseError subclasses that mean "cannot talk to the database", not "bad query".
DB_DOWN_ERRORS = (OperationalError, InterfaceError)


def _is_htmx(request: HttpRequest | None) -> bool:
    return bool(request is not None and request.headers.get("HX-Request") == "true")


def _htmx_fragment(html: str) -> HttpResponse:
    response = HttpResponse(html)
    response["HX-Retarget"] = "#htmx-alerts"
    response["HX-Reswap"] = "innerHTML"
    return response


def database_down_response(request: HttpRequest | None, exc: BaseException) -> HttpResponse:
    path = request.path if request is not None else "-"
    logger.error("database unavailable while serving %s: %s: %s", path, type(exc).__name__, exc)
    if _is_htmx(request):
        return _htmx_fragment(render_to_string("errors/db_down_fragment.html"))
    html = render_to_string("503.html", {"reason": "database"})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(DB_RETRY_AFTER_S)
    return response


def broker_down_response(request: HttpRequest | None, exc: BaseException) -> HttpResponse:
    path = request.path if request is not None else "-"
    user_id = getattr(getattr(request, "user", None), "pk", None)
    logger.error(
        "task broker unavailable while serving %s for user %s: %s: %s",
        path,
        user_id,
        type(exc).__name__,
        exc,
    )
    if _is_htmx(request):
        return _htmx_fragment(render_to_string("errors/broker_down_fragment.html"))
    html = render_to_string("errors/broker_down.html", {"reason": "broker"})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(BROKER_RETRY_AFTER_S)
    return response


def rate_limited_response(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    context = {"message": exc.messages[0], "retry_after_s": exc.retry_after_s}
    if _is_htmx(request):
        return _htmx_fragment(render_to_string("errors/rate_limited_fragment.html", context))
    html = render_to_string("errors/rate_limited.html", context, request=request)
    response = HttpResponse(html, status=429)
    response["Retry-After"] = str(exc.retry_after_s)
    return response


def response_for_service_error(request: HttpRequest | None, exc: BaseException):
    """The page for `exc` if it is a service outage or a rate limit, else None."""
    if isinstance(exc, RateLimited) and request is not None:
        return rate_limited_response(request, exc)
    if BROKER_ERRORS and isinstance(exc, BROKER_ERRORS):
        return broker_down_response(request, exc)
    if isinstance(exc, DB_DOWN_ERRORS):
        return database_down_response(request, exc)
    return None


class ServiceErrorMiddleware:
    """Turns outages and rate limits raised by views into their pages (see module doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        return response_for_service_error(request, exception)


class HtmxLoginRedirectMiddleware:
    """A redirect to the login page answering an htmx request becomes `HX-Redirect`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            _is_htmx(request)
            and isinstance(response, HttpResponseRedirect)
            and response.url.split("?", 1)[0] == resolve_url(settings.LOGIN_URL)
        ):
            return HttpResponseClientRedirect(response.url)
        return response


class HealthCheckMiddleware:
    """Serves /healthz and /readyz first in the chain (see module doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path in HEALTH_PATHS:
            from . import health

            return health.healthz(request) if path == "/healthz" else health.readyz(request)
        return self.get_response(request)


def server_error(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """handler500: an outage raised outside a view still gets its page; anything else gets
    the plain 500 page (no database, no base template: it must render whatever broke)."""
    exc = sys.exc_info()[1]
    if exc is not None and not isinstance(exc, RateLimited):
        response = response_for_service_error(request, exc)
        if response is not None:
            return response
    if isinstance(exc, DatabaseError):
        logger.error("database error while serving %s: %s", request.path, exc)
    return HttpResponse(render_to_string("errors/500.html"), status=500)


class ContentSecurityPolicyMiddleware:
    """Adds the `Content-Security-Policy` header, unless the view set one of its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
