"""The page flow with the real services (tasks run in-process, grounded explanations)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import UserFactory
from llm_worker.models import ChatMessage, Persona
from movies.tests.factories import GenreFactory, MovieFactory, RatingFactory
from recommendations.models import RecommendationList


@pytest.fixture
def catalogue(db):
    genres = [GenreFactory(name=n) for n in ("Drama", "Comedy", "Thriller")]
    movies = []
    for i in range(40):
        movie = MovieFactory(title=f"Film {i}", year=1980 + i, num_ratings=400 - i)
        movie.genres.add(genres[i % 3])
        movies.append(movie)
    return movies


@pytest.fixture
def user(client, catalogue):
    user = UserFactory(language="en")
    user.save()  # the factory skips saving the password it sets
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for movie in catalogue[:3]:
        RatingFactory(user=user, movie=movie, rating=None)
    return user


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what views enqueue on commit, as the in-process task runner does."""

    def post(client, url, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **extra)

    return post


def shown_ids(lst: RecommendationList) -> list[int]:
    return list(lst.items.values_list("movie_id", flat=True))


@pytest.mark.django_db
def test_submitting_picks_writes_a_persona_and_a_first_list(client, user, run_tasks):
    response = run_tasks(client, reverse("recommendations:picks_done"))

    assert response.status_code == 302
    assert response.url == reverse("llm_worker:persona")
    persona = Persona.objects.get(user=user)
    assert persona.status == Persona.Status.READY
    assert persona.summary
    page = client.get(response.url).text
    assert 'id="persona-panel"' in page
    assert "every 1s" not in page  # done: nothing left to poll

    home = client.get(reverse("recommendations:home")).text
    assert home.count('<li class="card') == 10
    lst = RecommendationList.objects.get(user=user)
    assert not set(shown_ids(lst)) & {m.movie_id for m in user.ratings.all()}  # never watched


@pytest.mark.django_db
def test_more_appends_ten_new_movies_never_a_repeat(client, user, run_tasks):
    run_tasks(client, reverse("recommendations:picks_done"))
    root = RecommendationList.objects.get(user=user)

    response = run_tasks(
        client, reverse("recommendations:list_more", args=[root.pk]), HTTP_HX_REQUEST="true"
    )

    # With a worker the page is still being filled when the answer comes: it polls.
    assert response.status_code == 200
    page = root.pages.get()
    assert reverse("recommendations:list_poll", args=[page.pk]) in response.text
    polled = client.get(reverse("recommendations:list_poll", args=[page.pk]))
    assert polled.status_code == 286
    assert polled.text.count('<li class="card') == 10
    assert not set(shown_ids(page)) & set(shown_ids(root))
    assert client.get(reverse("recommendations:home")).text.count('<li class="card') == 20


@pytest.mark.django_db
def test_a_dismissed_movie_never_comes_back(client, user, run_tasks):
    run_tasks(client, reverse("recommendations:picks_done"))
    root = RecommendationList.objects.get(user=user)
    item = root.items.order_by("rank").first()
    client.post(reverse("recommendations:item_feedback", args=[item.pk]), {"kind": "dismiss"})

    run_tasks(client, reverse("recommendations:list_new"))

    newest = RecommendationList.objects.filter(user=user).first()
    assert newest.pk != root.pk
    assert item.movie_id not in shown_ids(newest)


@pytest.mark.django_db
def test_surprise_me_asks_for_more_novelty(client, user, run_tasks):
    response = run_tasks(
        client, reverse("recommendations:list_new"), {"surprise": "1"}, HTTP_HX_REQUEST="true"
    )
    lst = RecommendationList.objects.get(user=user)
    assert lst.novelty > 0.5
    assert 'id="list-section"' in response.text
    polled = client.get(reverse("recommendations:list_poll", args=[lst.pk]))
    assert "Surprise picks" in polled.text


@pytest.mark.django_db
def test_a_chat_message_is_kept_and_re_ranks_the_list(client, user, run_tasks):
    run_tasks(client, reverse("recommendations:picks_done"))

    response = run_tasks(
        client,
        reverse("recommendations:chat"),
        {"text": "Something light for a rainy Sunday"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    html = response.text
    assert "Something light for a rainy Sunday" in html
    assert 'hx-swap-oob="true"' in html  # the new list replaces the old one in place
    newest = RecommendationList.objects.filter(user=user, parent=None).first()
    assert reverse("recommendations:list_poll", args=[newest.pk]) in html
    polled = client.get(reverse("recommendations:list_poll", args=[newest.pk]))
    assert "Re-ranked from your chat" in polled.text
    assert newest.chat_message is not None
    assert newest.status == RecommendationList.Status.READY
    roles = list(ChatMessage.objects.filter(user=user).values_list("role", flat=True))
    assert roles[0] == "user"
    # The history stays on the page after a reload.
    assert "Something light for a rainy Sunday" in client.get(reverse("recommendations:home")).text


@pytest.mark.django_db
def test_a_correction_is_kept_and_used(client, user, run_tasks):
    run_tasks(client, reverse("recommendations:picks_done"))

    response = run_tasks(
        client, reverse("llm_worker:persona_correct"), {"text": "I actually hate musicals."}
    )

    assert response.status_code == 302
    newest = Persona.objects.filter(user=user).first()
    assert newest.user_correction == "I actually hate musicals."
    assert newest.status == Persona.Status.READY
    assert "I actually hate musicals." in client.get(reverse("llm_worker:persona")).text


@pytest.mark.django_db
def test_a_returning_user_lands_on_the_latest_persona_and_list(client, user, run_tasks):
    run_tasks(client, reverse("recommendations:picks_done"))
    client.logout()
    user.save()
    client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": "correct-horse-battery"},
    )
    html = client.get(reverse("recommendations:home")).text
    assert html.count('<li class="card') == 10
    assert Persona.objects.get(user=user).summary in html


@pytest.mark.django_db
def test_another_user_sees_none_of_it(client, user, run_tasks):
    run_tasks(client, reverse("recommendations:picks_done"))
    persona = Persona.objects.get(user=user)
    lst = RecommendationList.objects.get(user=user)
    other = UserFactory()
    other.save()
    client.force_login(other)

    assert client.get(reverse("llm_worker:persona_poll", args=[persona.pk])).status_code == 404
    assert client.get(reverse("recommendations:list_poll", args=[lst.pk])).status_code == 404
    assert client.post(reverse("recommendations:list_more", args=[lst.pk])).status_code == 404
    assert persona.summary not in client.get(reverse("recommendations:history")).text


@pytest.mark.django_db
def test_the_page_reads_a_fixed_number_of_queries_however_many_cards(
    client, user, run_tasks, django_assert_max_num_queries
):
    run_tasks(client, reverse("recommendations:picks_done"))
    root = RecommendationList.objects.get(user=user)
    for _ in range(2):
        run_tasks(client, reverse("recommendations:list_more", args=[root.pk]))

    with django_assert_max_num_queries(20):
        html = client.get(reverse("recommendations:home")).text
    assert html.count('<li class="card') == 30
