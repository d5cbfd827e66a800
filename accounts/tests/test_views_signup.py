from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User

GOOD = {
    "username": "minji",
    "password1": "a-long-safe-passphrase-42",
    "password2": "a-long-safe-passphrase-42",
    "age": "29",
    "gender": "F",
    "occupation": "",
    "language": "ko",
}


@pytest.mark.django_db
def test_it_signs_up_logs_in_and_sends_to_the_picks(client):
    response = client.post(reverse("accounts:signup"), GOOD)

    assert response.status_code == 302
    assert response.url == reverse("movies:picks")
    user = User.objects.get(username="minji")
    assert (user.age, user.gender, user.language, user.occupation) == (29, "F", "ko", "")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("age", "language", "message"),
    [
        ("0", "en", "Age must be between 1 and 120."),
        ("200", "en", "Age must be between 1 and 120."),
        ("abc", "en", "Enter your age as a whole number"),
        ("0", "ko", "나이는 1에서 120 사이"),
        ("abc", "ko", "나이를 숫자로"),
    ],
)
def test_a_bad_age_is_explained_next_to_the_field_in_the_users_language(
    client, age, language, message
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.post(reverse("accounts:signup"), {**GOOD, "age": age})

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    # The message sits in the age field's block, tied to the input.
    assert 'id="id_age_error"' in html
    assert html.index('for="id_age"') < html.index(message)
    assert not User.objects.filter(username="minji").exists()
    # What the user typed is kept.
    assert 'value="minji"' in html


@pytest.mark.django_db
def test_missing_gender_and_mismatched_passwords_are_reported(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = {**GOOD, "gender": "", "password2": "something-else-entirely"}

    response = client.post(reverse("accounts:signup"), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Please choose a gender" in html
    assert 'id="id_password2_error"' in html


@pytest.mark.django_db
def test_a_dataset_style_user_id_is_refused(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("accounts:signup"), {**GOOD, "username": "ml-100k:1"})
    assert response.status_code == 400
    assert not User.objects.filter(username="ml-100k:1").exists()


@pytest.mark.django_db
def test_signup_refuses_a_post_without_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:signup"), GOOD)
    assert response.status_code == 403
    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_age_input_points_screen_readers_at_its_error(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.post(reverse("accounts:signup"), {**GOOD, "age": "0"}).content.decode()
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_age_error"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("taken_as", ["minji", "MinJi"])
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "This user id is already taken"),
        ("ko", "이미 사용 중인 아이디입니다"),
    ],
)
def test_a_taken_user_id_is_explained_and_the_form_keeps_what_was_typed(
    client, taken_as, language, message
):
    # Django's clean_username returns None for a taken name; ours used to test ":" in None (500).
    User.objects.create_user(username=taken_as, password="whatever-it-was-99")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    data = {**GOOD, "username": "minji", "age": "41", "gender": "M", "occupation": "writer"}

    response = client.post(reverse("accounts:signup"), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="id_username_error"' in html
    assert html.index('for="id_username"') < html.index(message)
    # The message appears once (not also Django's generic "A user with that username ...").
    assert html.count(message) == 1
    assert 'value="minji"' in html
    assert 'value="41"' in html
    assert '<option value="M" selected>' in html
    assert '<option value="writer" selected>' in html
    assert User.objects.filter(username__iexact="minji").count() == 1
