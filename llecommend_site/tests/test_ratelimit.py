"""The per-user limit on actions that start LLM work: the N+1th request in the window is
refused with a message in the user's language, through the real services and views."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from accounts.tests.factories import UserFactory
from llecommend_site import ratelimit
from llecommend_site.ratelimit import Rate, RateLimited, rate_limit_check, rate_parse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.LLM_RATE_LIMIT = "3/h"
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("20/h", Rate(20, 3600)),
        ("5/m", Rate(5, 60)),
        ("10/5m", Rate(10, 300)),
        (" 100 / d ", Rate(100, 86400)),
        ("off", None),
        ("", None),
    ],
)
def test_rate_parse(text, rate):
    assert rate_parse(text) == rate


@pytest.mark.parametrize("text", ["20", "20/week", "many/h", "-1/h"])
def test_rate_parse_rejects_nonsense(text):
    with pytest.raises(ImproperlyConfigured, match="LLM_RATE_LIMIT"):
        rate_parse(text)


def test_fourth_action_in_the_window_is_refused_in_korean():
    user = UserFactory(language="ko")
    for _ in range(3):
        rate_limit_check(user=user, action="persona")
    with pytest.raises(RateLimited) as caught:
        rate_limit_check(user=user, action="persona")
    assert "너무 많이" in caught.value.messages[0]
    assert caught.value.code == "rate_limited"
    assert 0 < caught.value.retry_after_s <= 3601


def test_message_follows_the_users_language():
    user = UserFactory(language="en")
    for _ in range(3):
        rate_limit_check(user=user, action="chat")
    with pytest.raises(RateLimited, match="try again in"):
        rate_limit_check(user=user, action="chat")


def test_users_and_actions_have_their_own_budgets():
    alice, bob = UserFactory(), UserFactory()
    for _ in range(3):
        rate_limit_check(user=alice, action="persona")
    rate_limit_check(user=bob, action="persona")
    rate_limit_check(user=alice, action="chat")
    with pytest.raises(RateLimited):
        rate_limit_check(user=alice, action="persona")


def test_a_new_window_allows_again(monkeypatch):
    user = UserFactory()
    now = 1_000_000 * 3600.0  # the start of a window
    monkeypatch.setattr(ratelimit.time, "time", lambda: now)
    for _ in range(3):
        rate_limit_check(user=user, action="persona")
    with pytest.raises(RateLimited):
        rate_limit_check(user=user, action="persona")
    monkeypatch.setattr(ratelimit.time, "time", lambda: now + 3600)
    rate_limit_check(user=user, action="persona")


def test_off_means_no_limit(settings):
    settings.LLM_RATE_LIMIT = "off"
    user = UserFactory()
    for _ in range(50):
        rate_limit_check(user=user, action="persona")


# -- through the real services and views ------------------------------------------------------
@pytest.fixture
def picker(client):
    from llecommend_site.tests.sitedata import site_make

    site = site_make(language="en")
    client.force_login(site.user)
    return site


def test_the_fourth_persona_request_is_refused_with_the_message(
    client, picker, django_capture_on_commit_callbacks
):
    from llm_worker.models import Persona

    url = reverse("recommendations:picks_done")
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url).status_code == 302
    response = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert re.search(r"Please try again in \d+ minutes?\.", response.content.decode())
    assert response["Retry-After"]
    assert Persona.objects.filter(user=picker.user).count() == 3  # nothing half-made


def test_a_refused_persona_correction_shows_the_message_next_to_the_field(client, picker):
    from llm_worker.models import Persona

    url = reverse("llm_worker:persona_correct")
    for i in range(3):
        client.post(url, {"text": f"I love slow thrillers {i}"})
    response = client.post(url, {"text": "One more"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "a lot of new recommendations in a short time" in response.content.decode()
    assert Persona.objects.filter(user=picker.user).count() == 3


def test_the_fourth_chat_message_is_refused_and_not_stored(client, picker):
    from llm_worker.models import ChatMessage

    url = reverse("recommendations:chat")
    for i in range(3):
        client.post(url, {"text": f"Something tense {i}"})
    response = client.post(url, {"text": "And another"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "a lot of new recommendations in a short time" in response.content.decode()
    texts = ChatMessage.objects.filter(user=picker.user, role="user").values_list(
        "content", flat=True
    )
    assert "And another" not in list(texts)


def test_new_lists_are_limited_too_and_htmx_gets_the_message(client, picker):
    from recommendations.models import RecommendationList

    url = reverse("recommendations:list_new")
    for _ in range(3):
        client.post(url)
    response = client.post(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200  # htmx swaps only 2xx: the message must arrive
    assert response["HX-Retarget"] == "#htmx-alerts"
    assert "a lot of new recommendations in a short time" in response.content.decode()
    assert RecommendationList.objects.filter(user=picker.user).count() == 3
