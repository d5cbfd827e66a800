"""Admin curation: every catalogue and user changelist renders and searches for staff; the
filters and hide/unhide actions work; anonymous users and non-staff are turned away."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from movies.models import Credit, Movie

from .factories import (
    CreditFactory,
    GenreFactory,
    KeywordFactory,
    MovieFactory,
    PersonFactory,
    RatingFactory,
)

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    ("movies", "movie"),
    ("movies", "person"),
    ("movies", "genre"),
    ("movies", "keyword"),
    ("movies", "credit"),
    ("movies", "tag"),
    ("movies", "rating"),
    ("accounts", "user"),
]


def _saved_user(**fields):
    # The factory sets the password after saving and does not save again; the session's auth
    # hash is computed from the password, so the stored one must match.
    user = UserFactory(**fields)
    user.save()
    return user


@pytest.fixture
def staff_client(client):
    client.force_login(_saved_user(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def catalogue():
    heat = MovieFactory(title="Heat", year=1995, original_language="en", overview="Thieves.")
    heat.genres.add(GenreFactory(name="Crime"))
    heat.keywords.add(KeywordFactory(name="heist"))
    CreditFactory(movie=heat, person=PersonFactory(name="Michael Mann"), role="director")
    CreditFactory(movie=heat, person=PersonFactory(name="Al Pacino"))
    amelie = MovieFactory(title="Amélie", year=2001, original_language="fr", overview="")
    RatingFactory(movie=heat, user=UserFactory(username="ml-100k:196", dataset="ml-100k"))
    return heat, amelie


@pytest.mark.parametrize(("app", "model"), CHANGELISTS)
def test_changelists_render_and_search_for_staff(staff_client, catalogue, app, model):
    url = reverse(f"admin:{app}_{model}_changelist")

    assert staff_client.get(url).status_code == 200
    assert staff_client.get(url, {"q": "heat"}).status_code == 200


def test_movie_search_by_title_and_by_person(staff_client, catalogue):
    url = reverse("admin:movies_movie_changelist")

    by_person = staff_client.get(url, {"q": "pacino"})
    by_accentless_title = staff_client.get(url, {"q": "amelie"})

    assert [m.title for m in by_person.context["cl"].result_list] == ["Heat"]
    assert [m.title for m in by_accentless_title.context["cl"].result_list] == ["Amélie"]


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"decade": "1990"}, ["Heat"]),
        ({"decade": "2000"}, ["Amélie"]),
        ({"has_overview": "no"}, ["Amélie"]),
        ({"original_language": "fr"}, ["Amélie"]),
        ({"hidden__exact": "0"}, ["Amélie", "Heat"]),
    ],
)
def test_movie_filters(staff_client, catalogue, params, titles):
    response = staff_client.get(reverse("admin:movies_movie_changelist"), params)

    assert sorted(m.title for m in response.context["cl"].result_list) == titles


def test_genre_filter(staff_client, catalogue):
    heat, _ = catalogue
    genre = heat.genres.get()

    response = staff_client.get(
        reverse("admin:movies_movie_changelist"), {"genres__id__exact": genre.pk}
    )

    assert [m.title for m in response.context["cl"].result_list] == ["Heat"]


def test_hide_and_unhide_actions(staff_client, catalogue):
    heat, amelie = catalogue
    url = reverse("admin:movies_movie_changelist")

    staff_client.post(url, {"action": "hide", "_selected_action": [heat.pk, amelie.pk]})
    assert Movie.objects.filter(hidden=True).count() == 2

    staff_client.post(url, {"action": "unhide", "_selected_action": [heat.pk]})
    assert list(Movie.objects.filter(hidden=True)) == [amelie]


def test_movie_change_page_shows_credits_inline(staff_client, catalogue):
    heat, _ = catalogue

    response = staff_client.get(reverse("admin:movies_movie_change", args=[heat.pk]))

    assert response.status_code == 200
    assert "Michael Mann" in response.content.decode()
    assert Credit.objects.filter(movie=heat).count() == 2


def test_user_change_page_shows_the_profile(staff_client):
    user = UserFactory(age=41, gender="M", occupation="writer")

    response = staff_client.get(reverse("admin:accounts_user_change", args=[user.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="age" value="41"' in content
    assert 'name="occupation"' in content


@pytest.mark.parametrize(("app", "model"), CHANGELISTS)
def test_anonymous_is_sent_to_login(client, app, model):
    response = client.get(reverse(f"admin:{app}_{model}_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_non_staff_is_refused(client, catalogue):
    client.force_login(_saved_user(is_staff=False))

    response = client.get(reverse("admin:movies_movie_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert (
        client.post(
            reverse("admin:movies_movie_changelist"),
            {"action": "hide", "_selected_action": [catalogue[0].pk]},
        ).status_code
        == 302
    )
    assert not Movie.objects.filter(hidden=True).exists()
