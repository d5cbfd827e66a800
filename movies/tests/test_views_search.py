from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from movies.models import Rating
from movies.tests.factories import GenreFactory, MovieFactory, RatingFactory


@pytest.fixture
def user(client):
    user = UserFactory(language="en")
    user.save()  # the factory skips saving the password it sets
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


@pytest.fixture
def catalogue(db):
    drama = GenreFactory(name="Drama")
    parasite = MovieFactory(title="Parasite", original_title="기생충", year=2019, num_ratings=90)
    amelie = MovieFactory(title="Amélie", year=2001, num_ratings=80)
    hidden = MovieFactory(title="Parasite Hidden Cut", year=2019, hidden=True, num_ratings=99)
    for m in (parasite, amelie, hidden):
        m.genres.add(drama)
    return {"parasite": parasite, "amelie": amelie, "hidden": hidden}


def htmx(client, method, url, data=None):
    return getattr(client, method)(url, data or {}, HTTP_HX_REQUEST="true")


@pytest.mark.django_db
def test_search_as_you_type_answers_with_the_results_partial(client, user, catalogue):
    response = htmx(client, "get", reverse("movies:search"), {"q": "para"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # only the partial
    assert 'id="results"' in html
    assert "Parasite" in html
    assert "Hidden Cut" not in html
    assert "Amélie" not in html


@pytest.mark.django_db
def test_search_finds_original_titles_and_ignores_accents(client, user, catalogue):
    assert "Parasite" in htmx(client, "get", reverse("movies:search"), {"q": "기생충"}).text
    assert "Amélie" in htmx(client, "get", reverse("movies:search"), {"q": "amelie"}).text


@pytest.mark.django_db
def test_search_without_javascript_renders_the_whole_page(client, user, catalogue):
    response = client.get(reverse("movies:search"), {"q": "amelie"})
    assert "<html" in response.text
    assert "Amélie" in response.text


@pytest.mark.django_db
def test_no_match_is_said(client, user, catalogue):
    response = htmx(client, "get", reverse("movies:search"), {"q": "zzzz"})
    assert "No movie matches" in response.text


@pytest.mark.django_db
def test_the_picks_page_shows_popular_movies_by_genre(client, user, catalogue):
    response = client.get(reverse("movies:picks"))
    assert response.status_code == 200
    assert "Drama" in response.text
    assert "Parasite" in response.text
    assert "Hidden Cut" not in response.text


@pytest.mark.django_db
def test_a_pick_is_saved_and_shown_as_a_chip(client, user, catalogue):
    movie = catalogue["parasite"]

    response = htmx(client, "post", reverse("movies:pick_add"), {"movie_id": movie.pk})

    assert response.status_code == 200
    assert 'id="chips"' in response.text
    assert "Remove Parasite" in response.text
    pick = Rating.objects.get(user=user, movie=movie)
    assert (pick.source, pick.rating) == (Rating.Source.PICK, None)


@pytest.mark.django_db
def test_a_pick_can_be_removed(client, user, catalogue):
    RatingFactory(user=user, movie=catalogue["amelie"], rating=None)
    url = reverse("movies:pick_remove", args=[catalogue["amelie"].pk])

    response = htmx(client, "post", url)

    assert response.status_code == 200
    assert not Rating.objects.filter(user=user).exists()
    assert "No picks yet" in response.text


@pytest.mark.django_db
def test_another_users_pick_cannot_be_removed(client, user, catalogue):
    other = RatingFactory(movie=catalogue["amelie"], rating=None)
    url = reverse("movies:pick_remove", args=[catalogue["amelie"].pk])
    assert client.post(url).status_code == 404
    assert Rating.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("movie_id", ["999999", "abc", ""])
def test_an_unknown_movie_is_explained(client, user, catalogue, movie_id):
    response = htmx(client, "post", reverse("movies:pick_add"), {"movie_id": movie_id})
    assert response.status_code == 400
    assert "That is not a movie of our catalogue." in response.text
    assert not Rating.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_hidden_movie_cannot_be_picked(client, user, catalogue):
    response = htmx(
        client, "post", reverse("movies:pick_add"), {"movie_id": catalogue["hidden"].pk}
    )
    assert response.status_code == 400
    assert "cannot be picked" in response.text
    assert not Rating.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_without_javascript_an_error_comes_back_as_a_message(client, user, catalogue):
    response = client.post(reverse("movies:pick_add"), {"movie_id": "999999"}, follow=True)
    assert "That is not a movie of our catalogue." in response.text


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client, catalogue):
    for url in (reverse("movies:picks"), reverse("movies:search")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_pick_posts_need_a_csrf_token(catalogue):
    user = UserFactory()
    user.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    movie = catalogue["parasite"]
    assert client.post(reverse("movies:pick_add"), {"movie_id": movie.pk}).status_code == 403
    RatingFactory(user=user, movie=movie, rating=None)
    assert client.post(reverse("movies:pick_remove", args=[movie.pk])).status_code == 403
    assert Rating.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_without_javascript_a_pick_keeps_the_search(client, user, catalogue):
    movie = catalogue["amelie"]
    response = client.post(reverse("movies:pick_add"), {"movie_id": movie.pk, "q": "amel"})
    assert response.status_code == 302
    assert response.url == reverse("movies:picks") + "?q=amel"
    page = client.get(response.url).text
    assert "Remove Amélie" in page
    assert 'value="amel"' in page


@pytest.mark.django_db
def test_search_results_mark_what_is_already_picked(client, user, catalogue):
    url = reverse("movies:search")
    assert "tile is-picked" not in htmx(client, "get", url, {"q": "para"}).text

    htmx(client, "post", reverse("movies:pick_add"), {"movie_id": catalogue["parasite"].pk})

    assert htmx(client, "get", url, {"q": "para"}).text.count("tile is-picked") == 1
