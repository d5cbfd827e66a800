from __future__ import annotations

import pytest
from django.db import OperationalError

from llm_worker import tasks as llm_tasks
from llm_worker.backends import LLMUnavailable
from llm_worker.models import Persona
from llm_worker.tests.site_data import make_catalogue
from recommendations import list_flow, tasks
from recommendations.list_flow import recommendation_list_request
from recommendations.models import RecommendationList


def test_the_list_task_goes_to_the_llm_queue_with_late_acks_and_limits(settings):
    from llecommend_site.celery import app

    route = app.amqp.router.route({}, tasks.recommendation_list_fill.name)
    assert route["queue"].name == "llm"
    task = tasks.recommendation_list_fill
    assert task.acks_late
    assert 0 < task.soft_time_limit < task.time_limit
    assert OperationalError in task.autoretry_for
    # LLM failures are answered by the grounded fallback inside the pipeline, not retried.
    assert not any(issubclass(LLMUnavailable, e) for e in task.autoretry_for)


def test_training_stays_on_the_default_queue():
    from llecommend_site.celery import app

    route = app.amqp.router.route({}, tasks.model_version_train_task.name)
    assert route["queue"].name == "default"


@pytest.mark.django_db
def test_a_list_request_is_filled_by_the_task_on_commit(django_capture_on_commit_callbacks):
    cat = make_catalogue()
    with django_capture_on_commit_callbacks(execute=True):
        lst = recommendation_list_request(user=cat.user, k=10)

    lst.refresh_from_db()
    assert lst.status == RecommendationList.Status.READY
    assert lst.items.count() == 10


@pytest.mark.django_db
def test_a_redelivered_task_writes_nothing_twice():
    cat = make_catalogue()
    lst = RecommendationList.objects.create(user=cat.user, request_key="once")
    persona = Persona.objects.create(user=cat.user, request_key="once")

    for _ in range(2):
        tasks.recommendation_list_fill.delay(lst.pk)
        llm_tasks.persona_generate.delay(persona.pk)

    assert lst.items.count() == list_flow.DEFAULT_K
    assert Persona.objects.filter(user=cat.user).count() == 1


@pytest.mark.django_db
def test_a_bug_is_not_retried(monkeypatch):
    calls = []

    def broken(**kwargs):
        calls.append(kwargs)
        raise ValueError("a bug")

    monkeypatch.setattr(list_flow, "recommendation_list_fill", broken)
    with pytest.raises(ValueError, match="a bug"):
        tasks.recommendation_list_fill.delay(1)
    assert len(calls) == 1
