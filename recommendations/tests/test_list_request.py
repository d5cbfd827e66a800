from __future__ import annotations

import types

import pytest

from accounts.tests.factories import UserFactory
from recommendations import list_flow, tasks
from recommendations.models import RecommendationList


@pytest.mark.django_db
def test_a_pending_list_is_filled_after_commit(monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    fake = types.SimpleNamespace(delay=queued.append, name="recommendation_list_fill")
    monkeypatch.setattr(tasks, "recommendation_list_fill", fake)
    user = UserFactory(language="ko")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = list_flow.recommendation_list_request(user=user, novelty=0.4)
        second = list_flow.recommendation_list_request(user=user, parent=first)
    assert queued == []
    for callback in callbacks:
        callback()

    assert queued == [first.pk, second.pk]
    assert first.status == RecommendationList.Status.PENDING
    assert (first.novelty, first.language) == (0.4, "ko")
    assert first.request_key != second.request_key
    assert second.parent == first
