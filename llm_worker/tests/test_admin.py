"""The persona and chat admin for a Korean curator: personas named by whose and when (not
"Persona #2 of 611"), traits and reasons as lists with the cited movies linked, not JSON."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from llecommend_site.display import local_minute
from llm_worker.models import ChatMessage, ChatSummary, Persona
from movies.tests.factories import MovieFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def persona():
    heat = MovieFactory(title="Heat", year=1995)
    return Persona.objects.create(
        user=UserFactory(username="minji"),
        request_key="k1",
        status=Persona.Status.READY,
        summary="Crime films with patient plotting.",
        liked_traits=["slow-burn heists", "ensemble casts"],
        disliked_traits=[],
        reasons=[{"text": "You rated Heat highly.", "movie_ids": [heat.pk, 987654]}],
    )


def test_a_persona_is_named_by_its_user_and_time_in_korean(curator_client, persona):
    url = reverse("admin:llm_worker_persona_change", args=[persona.pk])

    html = curator_client.get(url).content.decode()

    assert f"minji님의 페르소나, {local_minute(persona.created_at)} (완료)" in html
    assert "Persona #" not in html
    assert f"of {persona.user_id}" not in html


def test_traits_and_reasons_are_lists_with_the_cited_movies_linked(curator_client, persona):
    heat_id = persona.reasons[0]["movie_ids"][0]
    url = reverse("admin:llm_worker_persona_change", args=[persona.pk])

    html = curator_client.get(url).content.decode()

    assert "<li>slow-burn heists</li><li>ensemble casts</li>" in html
    assert "You rated Heat highly." in html
    heat_url = reverse("admin:movies_movie_change", args=[heat_id])
    assert f'<a href="{heat_url}">Heat (1995)</a>' in html
    assert "영화 987654 (카탈로그에서 삭제됨)" in html
    assert "movie_ids" not in html
    assert "[&quot;slow-burn" not in html
    for label in ("좋아하는 특징", "싫어하는 특징", "근거", "요약"):
        assert label in html


def test_the_persona_list_reads_its_users_in_one_query(
    curator_client, persona, django_assert_max_num_queries
):
    for i in range(15):
        Persona.objects.create(user=UserFactory(), request_key=f"more{i}")
    url = reverse("admin:llm_worker_persona_changelist")

    # Session, user, count, the page, filter choices: not one query per persona.
    with django_assert_max_num_queries(12):
        response = curator_client.get(url)

    assert response.status_code == 200
    assert "minji님의 페르소나" in response.content.decode()


def test_a_chat_summary_is_named_by_its_user(curator_client, persona):
    message = ChatMessage.objects.create(user=persona.user, role="user", content="More heists!")
    summary = ChatSummary.objects.create(user=persona.user, text="Likes heists.")
    summary.through_message = message
    summary.save()

    html = curator_client.get(
        reverse("admin:llm_worker_chatsummary_change", args=[summary.pk])
    ).content.decode()

    assert "minji님의 채팅 요약" in html
    assert "채팅 요약" in html
    assert "Chat summary of" not in html
