"""The end of onboarding ("picks done"): it starts the persona and the first list, and refuses
to go on without a pick, in the user's language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from movies.tests.factories import MovieFactory


@pytest.fixture
def user(client):
    user = UserFactory(language="en")
    user.save()  # the factory skips saving the password it sets
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


@pytest.fixture
def catalogue(db):
    return MovieFactory(title="Amélie", year=2001, num_ratings=80)


@pytest.mark.django_db
def test_continuing_without_a_pick_is_refused_with_a_message(client, user, catalogue):
    response = client.post(reverse("recommendations:picks_done"))
    assert response.status_code == 400
    assert "Pick at least one movie you have watched." in response.text


@pytest.mark.django_db
def test_korean_users_get_korean_messages(client, user, catalogue):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    response = client.post(reverse("recommendations:picks_done"))
    assert "본 영화를 한 편 이상 골라 주세요." in response.text


@pytest.mark.django_db
def test_picks_done_needs_a_csrf_token(catalogue):
    user = UserFactory()
    user.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("recommendations:picks_done")).status_code == 403
