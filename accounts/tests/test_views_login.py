from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory as _UserFactory


def UserFactory(**kwargs):
    # The factory sets the password after saving and skips the second save: save it here.
    user = _UserFactory(**kwargs)
    user.save()
    return user


@pytest.mark.django_db
def test_login_switches_to_the_users_language_and_lands_home(client):
    UserFactory(username="alice", language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"

    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": "correct-horse-battery"}
    )

    assert response.status_code == 302
    assert response.url == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db
def test_a_wrong_password_is_explained(client):
    UserFactory(username="alice")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "올바른" in response.content.decode()  # Django's Korean "enter a correct ..." message


@pytest.mark.django_db
def test_logout_is_a_post_and_forgets_the_user(client):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 302


@pytest.mark.django_db
def test_dataset_users_cannot_log_in(client):
    user = UserFactory(username="ml-100k:7", dataset="ml-100k", dataset_user_id=7)
    user.set_unusable_password()
    user.save()
    response = client.post(reverse("accounts:login"), {"username": "ml-100k:7", "password": "x"})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


@pytest.mark.django_db
def test_login_refuses_a_post_without_csrf_token():
    UserFactory(username="alice")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": "correct-horse-battery"}
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_logout_refuses_a_post_without_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert "_auth_user_id" in client.session
