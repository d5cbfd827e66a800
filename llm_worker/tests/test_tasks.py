from __future__ import annotations

import pytest
from django.db import OperationalError

from llm_worker import services, tasks
from llm_worker.backends import LLMUnavailable
from llm_worker.models import Persona
from llm_worker.tests.site_data import make_catalogue


def test_tasks_go_to_the_llm_queue_with_late_acks_and_limits(settings):
    route = settings.CELERY_TASK_ROUTES["llm_worker.tasks.*"]
    assert route == {"queue": "llm"}
    for task in (tasks.persona_generate,):
        assert task.acks_late
        assert 0 < task.soft_time_limit < task.time_limit
        assert OperationalError in task.autoretry_for
        # LLM failures are answered by the grounded fallback inside the pipeline, not retried.
        assert not any(issubclass(LLMUnavailable, e) for e in task.autoretry_for)


@pytest.mark.django_db
def test_a_persona_request_is_generated_once_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    cat = make_catalogue()
    with django_capture_on_commit_callbacks(execute=True):
        persona = services.persona_request(user=cat.user)
        assert Persona.objects.get(pk=persona.pk).status == Persona.Status.PENDING

    persona.refresh_from_db()
    assert persona.status == Persona.Status.READY
    assert persona.reasons


@pytest.mark.django_db
def test_a_transient_database_error_is_retried(monkeypatch):
    cat = make_catalogue()
    persona = Persona.objects.create(user=cat.user, request_key="retry")
    real = services.persona_generate
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(services, "persona_generate", flaky)
    # throw=False: an eager run then re-applies the task on Retry, as a worker would redeliver it.
    result = tasks.persona_generate.apply((persona.pk,), throw=False)

    assert result.get() == persona.pk

    assert len(calls) == 2
    persona.refresh_from_db()
    assert persona.status == Persona.Status.READY
