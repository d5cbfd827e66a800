"""A Korean-speaking curator reads the admin in Korean: every model of every app is named (singular
and plural) in both languages, and the apps too; "Chat summarys" is gone."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

OUR_APPS = ("accounts", "movies", "llm_worker", "recommendations")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _models():
    for label in OUR_APPS:
        yield from apps.get_app_config(label).get_models()


@pytest.mark.parametrize("model", list(_models()), ids=lambda m: m._meta.label)
def test_every_model_has_its_names_in_korean_and_english(model):
    meta = model._meta
    # Set, not derived: Django's derived plural adds an "s" ("summarys").
    assert "verbose_name" in meta.original_attrs
    assert "verbose_name_plural" in meta.original_attrs
    with translation.override("ko"):
        assert HANGUL.search(str(meta.verbose_name)), meta.verbose_name
        assert HANGUL.search(str(meta.verbose_name_plural)), meta.verbose_name_plural
    with translation.override("en"):
        assert not HANGUL.search(str(meta.verbose_name_plural))


@pytest.mark.django_db
def test_the_admin_index_is_in_korean_for_a_korean_curator(curator_client):
    curator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"

    html = curator_client.get(reverse("admin:index")).content.decode()

    for name in ("영화 카탈로그", "LLM 작업", "추천", "계정", "채팅 요약", "페르소나", "모델 버전"):
        assert name in html
    for english in ("Chat summarys", "Model versions", "Personas", "Movie catalogue"):
        assert english not in html


@pytest.mark.django_db
def test_the_admin_index_says_chat_summaries_in_english(curator_client):
    curator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = curator_client.get(reverse("admin:index")).content.decode()

    assert "Chat summaries" in html
    assert "summarys" not in html
