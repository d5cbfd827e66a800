from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory as _UserFactory


def UserFactory(**kwargs):
    # The factory sets the password after saving and skips the second save: save it here, or
    # the session of force_login no longer matches the stored password hash.
    user = _UserFactory(**kwargs)
    user.save()
    return user


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_profile_save_keeps_the_changes_and_switches_language(client):
    user = UserFactory(language="en", age=30)
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {"age": "41", "gender": "M", "occupation": "writer", "language": "ko"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.age, user.gender, user.occupation, user.language) == (41, "M", "writer", "ko")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "프로필" in page


@pytest.mark.django_db
@pytest.mark.parametrize("age", ["0", "200", "abc"])
def test_a_bad_age_is_refused_and_nothing_changes(client, age):
    user = UserFactory(language="en", age=30)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(
        reverse("accounts:profile"), {"age": age, "gender": "F", "language": "en"}
    )

    assert response.status_code == 400
    assert 'id="id_age_error"' in response.content.decode()
    user.refresh_from_db()
    assert user.age == 30


@pytest.mark.django_db
def test_profile_refuses_a_post_without_csrf_token():
    user = UserFactory(age=30)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"), {"age": "50", "gender": "F", "language": "en"}
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.age == 30
