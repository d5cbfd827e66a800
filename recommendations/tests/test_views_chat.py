from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from llm_worker.models import ChatMessage
from llm_worker.tests.test_views_persona import login


@pytest.mark.django_db
def test_the_history_is_shown_in_order_and_escaped(client):
    user = login(client, language="en")
    ChatMessage.objects.create(user=user, role="user", content="Something <script>x</script>")
    ChatMessage.objects.create(user=user, role="assistant", content="Here are calmer picks.")
    ChatMessage.objects.create(user=UserFactory(), role="user", content="Other user's secret")

    html = client.get(reverse("recommendations:chat")).text

    assert html.count('id="chat-panel"') == 1
    assert html.index("Something") < html.index("Here are calmer picks.")
    assert "<script>x" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "Other user's secret" not in html


@pytest.mark.django_db
def test_an_overlong_message_is_explained_and_kept(client):
    user = login(client, language="en")
    text = "a" * 1001
    response = client.post(reverse("recommendations:chat"), {"text": text}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    assert "Please keep it under 1000 characters (you wrote 1001)." in response.text
    assert text in response.text  # what the user wrote is not lost
    assert not ChatMessage.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_an_empty_message_is_explained_in_korean(client):
    login(client, language="ko")
    response = client.post(reverse("recommendations:chat"), {"text": ""})
    assert response.status_code == 400
    assert "먼저 몇 마디 적어 주세요." in response.text


@pytest.mark.django_db
def test_chat_needs_a_csrf_token():
    user = UserFactory()
    user.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("recommendations:chat"), {"text": "hi"}).status_code == 403
    assert not ChatMessage.objects.exists()


@pytest.mark.django_db
def test_the_standalone_chat_page_shows_the_list_a_message_rebuilds(
    client, django_capture_on_commit_callbacks
):
    """A message sent from /chat/ swaps the new list into the page out of band: the page must
    hold the list section it targets (it used to say "I updated your picks" and show none)."""
    from llm_worker.tests.site_data import make_catalogue

    cat = make_catalogue()
    cat.user.language = "en"
    cat.user.save()
    client.force_login(cat.user)
    page = client.get(reverse("recommendations:chat")).text
    assert 'id="list-section"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("recommendations:chat"), {"text": "Something funny"}, HTTP_HX_REQUEST="true"
        )

    assert response.status_code == 200
    assert 'id="list-section" aria-labelledby="recs-h" hx-swap-oob="true"' in response.text
    assert "list-page pending" in response.text  # it polls until the worker is done
    page = client.get(reverse("recommendations:chat")).text
    assert page.count('<li class="card') == 10
