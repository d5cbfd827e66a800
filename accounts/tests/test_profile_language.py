from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ko"])
def test_without_a_language_cookie_the_profile_language_is_used_and_remembered(client, language):
    user = UserFactory(language=language)
    client.force_login(user)
    other = "ko" if language == "en" else "en"
    response = client.get(reverse("accounts:profile"), headers={"Accept-Language": other})
    assert f'<html lang="{language}">' in response.text
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


@pytest.mark.django_db
def test_a_language_cookie_chosen_by_the_user_wins(client):
    client.force_login(UserFactory(language="ko"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("accounts:profile"))
    assert '<html lang="en">' in response.text
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_anonymous_visitors_follow_their_browser(client):
    response = client.get(reverse("accounts:login"), headers={"Accept-Language": "en"})
    assert '<html lang="en">' in response.text
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
