"""The per-request user load and the session load read the same rows Django's own would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.backends import UserBackend
from accounts.tests.factories import UserFactory
from llecommend_site.sessions import SessionStore


@pytest.mark.django_db
def test_the_user_is_the_same_as_the_model_backends():
    user = UserFactory(language="ko", age=33)
    mine, theirs = UserBackend().get_user(user.pk), ModelBackend().get_user(user.pk)
    fields = [f.attname for f in get_user_model()._meta.concrete_fields]
    assert [getattr(mine, f) for f in fields] == [getattr(theirs, f) for f in fields]
    assert isinstance(mine.date_joined, dt.datetime)
    assert mine.is_active is True


@pytest.mark.django_db
@pytest.mark.parametrize("user_id", [10**9, "abc", None])
def test_unknown_or_tampered_ids_give_no_user(user_id):
    assert UserBackend().get_user(user_id) is None


@pytest.mark.django_db
def test_an_inactive_user_gets_no_user():
    user = UserFactory(is_active=False)
    assert UserBackend().get_user(user.pk) is None


@pytest.mark.django_db
def test_sessions_round_trip_and_expire():
    store = SessionStore()
    store["k"] = "값"
    store.create()
    assert SessionStore(store.session_key)["k"] == "값"
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert "k" not in expired
    assert expired.session_key is None  # a new key is made on the next save
    assert "k" not in SessionStore("no-such-session-key-123")


@pytest.mark.django_db
def test_signup_login_and_logout_work_with_the_project_backends(client):
    user = UserFactory(username="sessioncheck")
    user.set_password("a-long-password-123")
    user.save()
    from django.urls import reverse

    response = client.post(
        reverse("accounts:login"), {"username": "sessioncheck", "password": "a-long-password-123"}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:profile")).status_code == 302
