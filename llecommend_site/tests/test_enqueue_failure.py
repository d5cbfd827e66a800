import pytest
from kombu.exceptions import OperationalError

from accounts.tests.factories import UserFactory
from llm_worker import tasks as llm_tasks
from llm_worker.models import Persona
from llm_worker.services import persona_request
from recommendations import tasks as list_tasks
from recommendations.list_flow import recommendation_list_request
from recommendations.models import RecommendationList


def _refuse(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.mark.django_db
def test_a_refused_persona_task_leaves_no_row_pending(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(llm_tasks.persona_generate, "delay", _refuse)
    user = UserFactory()
    with pytest.raises(OperationalError), django_capture_on_commit_callbacks(execute=True):
        persona_request(user=user)
    assert list(Persona.objects.filter(user=user).values_list("status", flat=True)) == ["failed"]


@pytest.mark.django_db
def test_a_refused_list_task_leaves_no_row_pending(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(list_tasks.recommendation_list_fill, "delay", _refuse)
    user = UserFactory()
    with pytest.raises(OperationalError), django_capture_on_commit_callbacks(execute=True):
        recommendation_list_request(user=user)
    statuses = RecommendationList.objects.filter(user=user).values_list("status", flat=True)
    assert list(statuses) == ["failed"]
