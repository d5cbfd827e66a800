from __future__ import annotations

import pytest
from django.urls import reverse

from recommendations.models import Feedback
from recommendations.tests.test_views_home import login, movies, ready_list  # noqa: F401


@pytest.mark.django_db
def test_history_lists_what_was_shown_liked_and_dismissed(client, movies):  # noqa: F811
    user = login(client, language="en")
    ready_list(user, movies[:3])
    ready_list(user, movies[3:5], novelty=0.8)
    Feedback.objects.create(user=user, movie=movies[0], kind="like")
    Feedback.objects.create(user=user, movie=movies[4], kind="dismiss")

    html = client.get(reverse("recommendations:history")).text

    assert html.count('class="panel history-list"') == 2
    for i in range(5):
        assert f"Heist {i}" in html
    assert html.count("badge like") == 1
    assert html.count("badge dismiss") == 1
    assert html.count('<span class="badge">Shown</span>') == 3
    assert "surprise" in html


@pytest.mark.django_db
def test_a_degraded_list_in_the_history_says_why_in_korean_on_hover(client, movies):  # noqa: F811
    from llm_worker.contracts import Degraded, degraded
    from llm_worker.tests.degraded_samples import DETAIL, KO, assert_no_detail

    user = login(client, language="ko")
    ready_list(user, movies[:2], degraded_reason=degraded(Degraded.TIMEOUT, DETAIL))

    html = client.get(reverse("recommendations:history")).text

    assert f'title="{KO[Degraded.TIMEOUT]}"' in html
    assert_no_detail(html, Degraded.TIMEOUT)
