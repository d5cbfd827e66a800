"""The LLM backend fails in every way a real server does; the user still gets the
recommender's list with grounded explanations, the page says so, the event is logged with
context, and nothing answers 500. Then the other services: Redis down ⇒ a clear page, the
database down ⇒ 503.

The backend is the real `openai` backend talking HTTP to a fake server in this process
(llm_worker/tests/fake_openai.py); the list is requested through the real view and filled by
the real task (run in-process: no broker in tests)."""

from __future__ import annotations

import html
import json
import logging
import re

import pytest
from django.urls import reverse
from django.utils import translation

from llecommend_site.tests.sitedata import site_make
from llm_worker.conf import llm_backend_forget
from llm_worker.contracts import Degraded, degraded_codes
from llm_worker.templatetags.degraded import degraded_message_text
from llm_worker.tests.fake_openai import FakeOpenAI, RawReply, closed_port
from recommendations.models import RecommendationList

pytestmark = pytest.mark.django_db
K = 10


@pytest.fixture(autouse=True)
def _openai(settings):
    settings.LLM_BACKEND = "openai"
    settings.LLM_MODEL = "stub"
    settings.LLM_TIMEOUT_S = 1.0
    settings.LLM_PROMPT_VARIANT = "optimized"
    settings.LLM_RERANK_METHOD = "generate"
    llm_backend_forget()
    yield
    llm_backend_forget()


@pytest.fixture
def site():
    return site_make(language="en")


def _final(entries: list[dict]) -> str:
    return json.dumps({"final": entries})


def _request_list(client, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("recommendations:list_new"))
    assert response.status_code in (200, 302)
    lst = RecommendationList.objects.filter(user=user).get()
    page = client.get(reverse("recommendations:home"))
    assert page.status_code == 200
    return lst, page.content.decode()


def _assert_only_candidates(lst, site, text: str) -> None:
    """Every item is a visible, unwatched catalogue movie, shown on the page; the hidden one
    never appears."""
    allowed = {m.pk for m in site.movies}
    items = list(lst.items.select_related("movie"))
    assert len(items) == K
    assert {it.movie_id for it in items} <= allowed
    assert len({it.movie_id for it in items}) == K
    for item in items:
        assert html.escape(item.movie.title) in text
    assert site.hidden.title not in text


def _assert_grounded_with_notice(lst, site, text: str, caplog, code: Degraded | None = None):
    lst.refresh_from_db()
    assert lst.status == RecommendationList.Status.READY
    assert lst.engine == "grounded"
    codes = degraded_codes(lst.degraded_reason)
    assert codes
    assert code is None or codes[0] == code
    # The page says why in the user's words, never the technical detail (that is logged), and
    # every card still has a reason.
    page_language = re.search(r'<html lang="(\w+)"', text).group(1)
    with translation.override(page_language):
        assert html.escape(degraded_message_text(lst.degraded_reason)) in text
    detail = lst.degraded_reason.split(":", 1)[1].strip()
    assert detail
    assert html.escape(detail) not in text
    assert all(item.reason for item in lst.items.all())
    _assert_only_candidates(lst, site, text)
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any(f"list {lst.pk} of user {lst.user_id} degraded" in m for m in logged), logged


def test_a_refused_connection_gives_the_grounded_list(
    client, site, settings, caplog, django_capture_on_commit_callbacks
):
    settings.LLM_BASE_URL = f"http://127.0.0.1:{closed_port()}/v1"
    lst, text = _request_list(client, site.user, django_capture_on_commit_callbacks)
    _assert_grounded_with_notice(lst, site, text, caplog, Degraded.LLM_UNAVAILABLE)
    assert "refused" in lst.degraded_reason or "connect" in lst.degraded_reason


def test_a_server_slower_than_the_timeout_gives_the_grounded_list(
    client, site, settings, caplog, django_capture_on_commit_callbacks
):
    with FakeOpenAI(lambda body: _final([{"label": "C01", "fit": 9, "reason": "Late."}])) as s:
        s.hold.clear()  # every request waits 2.5 s, past LLM_TIMEOUT_S = 1 s
        s.hold_s = 2.5
        settings.LLM_BASE_URL = s.base_url
        lst, text = _request_list(client, site.user, django_capture_on_commit_callbacks)
    _assert_grounded_with_notice(lst, site, text, caplog, Degraded.TIMEOUT)
    assert "Late." not in text


@pytest.mark.parametrize(
    "answer",
    [
        '{"final": [{"label": "C01", "fit": 9, "reason": "cut off',  # truncated
        "Sure! Here are some great movies you will love.",  # prose, no JSON
        # not an API body:
        RawReply(200, "text/html", b"<html><body>502 Bad Gateway</body></html>"),
        RawReply(200, "application/json", b'{"choices": []}'),  # no message at all
    ],
    ids=["truncated-json", "prose", "html-body", "no-choices"],
)
def test_malformed_answers_give_the_grounded_list(
    answer, client, site, settings, caplog, django_capture_on_commit_callbacks
):
    with FakeOpenAI(lambda body: answer) as stub:
        settings.LLM_BASE_URL = stub.base_url
        lst, text = _request_list(client, site.user, django_capture_on_commit_callbacks)
    _assert_grounded_with_notice(lst, site, text, caplog)


def test_only_unknown_movies_gives_the_grounded_list(
    client, site, settings, caplog, django_capture_on_commit_callbacks
):
    hidden = site.hidden

    def outside(body):
        return _final(
            [
                {"label": "C99", "fit": 10, "reason": "Not a candidate label."},
                {"label": str(hidden.pk), "fit": 10, "reason": "A raw id."},
                {"label": hidden.title, "title": hidden.title, "fit": 10, "reason": "By title."},
                {"title": "The Matrix 7: Reloaded Again", "fit": 10, "reason": "Invented."},
            ]
        )

    with FakeOpenAI(outside) as stub:
        settings.LLM_BASE_URL = stub.base_url
        lst, text = _request_list(client, site.user, django_capture_on_commit_callbacks)
    _assert_grounded_with_notice(lst, site, text, caplog)
    assert "The Matrix 7" not in text


def test_unknown_movies_mixed_with_good_ones_are_dropped_and_counted(
    client, site, settings, caplog, django_capture_on_commit_callbacks
):
    def mixed(body):
        good = [
            {"label": f"C{i:02d}", "fit": 8, "reason": f"A good pick for you, number {i}."}
            for i in (3, 1, 2)
        ]
        bad = [{"label": "C77", "fit": 10, "reason": "Out of range."}]
        bad.append({"title": site.hidden.title, "fit": 10, "reason": "Hidden."})
        return _final(bad + good)

    with FakeOpenAI(mixed) as stub:
        settings.LLM_BASE_URL = stub.base_url
        lst, text = _request_list(client, site.user, django_capture_on_commit_callbacks)
    lst.refresh_from_db()
    assert lst.engine == "llm:openai"
    assert lst.dropped == 2
    _assert_only_candidates(lst, site, text)
    first = lst.items.order_by("rank")[0]
    assert (
        first.reason == "A good pick for you, number 3."
    )  # the model's order and words where they were valid
    assert "Out of range." not in text


def test_script_in_a_reason_is_shown_as_text(
    client, site, settings, django_capture_on_commit_callbacks
):
    payload = '<script>alert("pwned")</script> A tense, clever thriller'

    def hostile(body):
        return _final(
            [{"label": f"C{i:02d}", "fit": 9, "reason": payload} for i in range(1, K + 1)]
        )

    with FakeOpenAI(hostile) as stub:
        settings.LLM_BASE_URL = stub.base_url
        lst, text = _request_list(client, site.user, django_capture_on_commit_callbacks)
    lst.refresh_from_db()
    assert lst.engine == "llm:openai"
    assert '<script>alert("pwned")' not in text
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; A tense, clever thriller" in text
    _assert_only_candidates(lst, site, text)


# -- the other services ----------------------------------------------------------------------
@pytest.fixture
def broker_down():
    """The Celery app publishes to a Redis that refuses connections."""
    from llecommend_site.celery import app

    saved = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}

    def reset_pools():
        # Connection pools are cached per broker URL: forget ours so the next publish uses
        # the current URL (not closed: other tests share kombu's global pools).
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.update(task_always_eager=False, broker_url=f"redis://127.0.0.1:{closed_port()}/0")
    reset_pools()
    yield
    app.conf.update(saved)
    reset_pools()


@pytest.mark.django_db(transaction=True)
def test_redis_down_gives_a_clear_page_not_a_traceback(client, broker_down, caplog):
    site = site_make(language="en")
    client.force_login(site.user)
    client.raise_request_exception = False
    response = client.post(reverse("recommendations:list_new"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    text = response.content.decode()
    assert "background workers cannot be reached" in text
    assert "Traceback" not in text
    assert any("task broker unavailable" in r.getMessage() for r in caplog.records)
    # htmx requests get the same message as a fragment htmx will swap in.
    response = client.post(reverse("recommendations:list_new"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#htmx-alerts"
    assert 'role="alert"' in response.content.decode()


def test_database_down_gives_503(client, site, monkeypatch):
    from django.db import OperationalError
    from django.db.backends.utils import CursorWrapper

    client.force_login(site.user)
    client.raise_request_exception = False

    def refuse(self, sql, params=None):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get(reverse("recommendations:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "temporarily unavailable" in response.content.decode()
    # An htmx request (a poll, "more") gets the message where htmx will show it.
    response = client.get(
        reverse("recommendations:home"), HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#htmx-alerts"
    assert "cannot reach our database" in response.content.decode()


def test_database_error_outside_a_view_still_gives_503(rf):
    from django.db import OperationalError

    from llecommend_site.middleware import server_error

    request = rf.get("/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
