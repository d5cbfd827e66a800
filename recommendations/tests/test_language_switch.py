"""One language: for a signed-in user the header's switch is the profile language, and what the
site wrote for them — the persona and the reasons on the cards — follows it at once, with the
grounded engine (no model, no waiting)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from llm_worker import services as llm_services
from llm_worker.models import Persona
from llm_worker.tests.site_data import make_catalogue
from recommendations import list_flow

HANGUL = re.compile("[\uac00-\ud7a3]")


def _switch(client, language: str, next_url: str = "/"):
    return client.post(reverse("accounts:language"), {"language": language, "next": next_url})


@pytest.fixture
def reader(client):
    cat = make_catalogue(language="en")
    cat.user.save()
    client.force_login(cat.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return cat


@pytest.mark.django_db(transaction=True)
def test_the_header_switch_is_the_profile_language(client, reader):
    response = _switch(client, "ko", next_url="/history/")
    assert response.status_code == 302
    assert response.url == "/history/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"
    reader.user.refresh_from_db()
    assert reader.user.language == "ko"


@pytest.mark.django_db
def test_a_foreign_next_or_an_unknown_language_changes_nothing_unsafe(client, reader):
    response = _switch(client, "ko", next_url="https://evil.example/")
    assert response.url == "/"
    assert _switch(client, "xx").url == "/"
    reader.user.refresh_from_db()
    assert reader.user.language == "ko"  # the first switch held; "xx" changed nothing


@pytest.mark.django_db
def test_a_visitor_gets_the_cookie_only(client):
    response = _switch(client, "en")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db(transaction=True)
def test_persona_and_card_reasons_follow_the_switch_at_once(client, reader):
    user = reader.user
    llm_services.persona_now(user=user)
    lst = list_flow.recommend_now(user=user, k=5)[1]
    english = client.get(reverse("recommendations:home")).text
    persona_en = Persona.objects.filter(user=user, status="ready").first()
    assert persona_en.language == "en"
    assert not HANGUL.search(persona_en.summary)
    first = lst.items.order_by("rank").first()
    assert first.reason
    assert first.reason in english

    _switch(client, "ko")

    persona_ko = Persona.objects.filter(user=user, status="ready").first()
    assert persona_ko.language == "ko"
    assert HANGUL.search(persona_ko.summary)
    korean = client.get(reverse("recommendations:home")).text
    assert first.reason not in korean
    first.refresh_from_db()
    assert HANGUL.search(first.reason_translations["ko"])
    assert first.reason_translations["ko"] in korean
    assert persona_ko.summary in korean
