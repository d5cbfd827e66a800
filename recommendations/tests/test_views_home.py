from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from llm_worker.contracts import Degraded, degraded
from llm_worker.tests.degraded_samples import DETAIL, EN, KO, KO_GENERIC, assert_no_detail
from movies.models import Credit
from movies.tests.factories import (
    CreditFactory,
    GenreFactory,
    MovieFactory,
    PersonFactory,
    RatingFactory,
)
from recommendations.models import Feedback, RecommendationItem, RecommendationList


def login(client, **kwargs):
    user = UserFactory(**kwargs)
    user.save()  # the factory skips saving the password it sets
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = user.language
    return user


def ready_list(user, movies, *, reason="Fits your love of heists.", **fields):
    lst = RecommendationList.objects.create(
        user=user,
        request_key=uuid.uuid4().hex,
        status=RecommendationList.Status.READY,
        engine=fields.pop("engine", "grounded"),
        **fields,
    )
    for rank, movie in enumerate(movies):
        RecommendationItem.objects.create(
            recommendation_list=lst,
            movie=movie,
            rank=rank,
            score=1.0 - rank / 100,
            engine="popularity",
            fit_score=8,
            reason=reason,
        )
    return lst


@pytest.fixture
def movies(db):
    thriller = GenreFactory(name="Thriller")
    out = []
    for i in range(12):
        movie = MovieFactory(
            title=f"Heist {i}", year=2000 + i, runtime=111, vote_average=7.4, num_ratings=50 - i
        )
        movie.genres.add(thriller)
        out.append(movie)
    CreditFactory(
        movie=out[0], person=PersonFactory(name="Bong Joon-ho"), role=Credit.Role.DIRECTOR
    )
    CreditFactory(movie=out[0], person=PersonFactory(name="Song Kang-ho"), role=Credit.Role.CAST)
    return out


@pytest.mark.django_db
def test_anonymous_visitors_see_the_landing_page_with_real_links(client):
    response = client.get(reverse("recommendations:home"))
    assert response.status_code == 200
    assert reverse("accounts:signup") in response.text


@pytest.mark.django_db
def test_a_new_user_without_picks_is_sent_to_pick_movies(client):
    login(client)
    response = client.get(reverse("recommendations:home"))
    assert response.status_code == 302
    assert response.url == reverse("movies:picks")


@pytest.mark.django_db
def test_cards_show_what_the_issue_lists(client, movies):
    user = login(client, language="en")
    watched = RatingFactory(user=user, movie=MovieFactory(title="Memories of Murder"), rating=None)
    lst = ready_list(user, movies[:10])
    lst.items.filter(movie=movies[0]).update(because_movie_ids=[watched.movie_id])

    response = client.get(reverse("recommendations:home"))

    html = response.text
    assert response.status_code == 200
    assert html.count('<li class="card') == 10
    for text in (
        "Heist 0",
        "2000",
        "Thriller",
        "Bong Joon-ho",
        "Song Kang-ho",
        "111 min",
        "7.4",
        "8/10",
        "Fits your love of heists.",
        "Because you watched",
        "Memories of Murder",
        "Explained from your movies (no language model)",
        "A story.",
    ):
        assert text in html, text
    assert 'class="poster-ph"' in html  # no poster: the placeholder
    assert "https://www.justwatch.com/us/search?q=Heist+0+2000" in html
    assert 'target="_blank" rel="noopener noreferrer"' in html


@pytest.mark.django_db
def test_a_degraded_list_says_why_in_plain_words(client, movies):
    user = login(client, language="en")
    ready_list(user, movies[:3], degraded_reason="timeout: no answer from 10.0.0.7 within 30 s")
    html = client.get(reverse("recommendations:home")).text
    assert "Simpler explanations this time:" in html
    assert EN[Degraded.TIMEOUT] in html
    assert "10.0.0.7" not in html  # the detail is for the logs and the admin


@pytest.mark.django_db
@pytest.mark.parametrize("code", [c for c in Degraded if c != Degraded.LIST_FAILED], ids=str)
def test_the_korean_list_says_why_in_korean_never_the_detail(client, movies, code):
    user = login(client, language="ko")
    ready_list(user, movies[:3], degraded_reason=degraded(code, DETAIL))
    html = client.get(reverse("recommendations:home")).text
    assert "이번에는 간단한 설명만 드려요:" in html
    assert KO[code] in html
    assert_no_detail(html, code)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "reason", [degraded(Degraded.LIST_FAILED, "KeyError"), "could not build the list: KeyError"]
)
def test_a_failed_list_says_so_in_korean_without_the_exception(client, reason):
    user = login(client, language="ko")
    RecommendationList.objects.create(
        user=user,
        request_key=uuid.uuid4().hex,
        status=RecommendationList.Status.FAILED,
        degraded_reason=reason,
    )
    html = client.get(reverse("recommendations:home")).text
    assert "이 목록을 만들지 못했습니다." in html
    expected = KO[Degraded.LIST_FAILED] if reason.startswith("list_failed") else KO_GENERIC
    assert expected in html
    assert "KeyError" not in html


@pytest.mark.django_db
def test_an_llm_list_names_the_engine(client, movies):
    user = login(client, language="en")
    ready_list(user, movies[:3], engine="llm:openai")
    assert "Explained by the language model" in client.get(reverse("recommendations:home")).text


@pytest.mark.django_db
def test_llm_reasons_are_escaped(client, movies):
    user = login(client)
    ready_list(user, movies[:2], reason="<script>alert('x')</script>")
    html = client.get(reverse("recommendations:home")).text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_the_page_is_korean_for_korean_users(client, movies):
    user = login(client, language="ko")
    ready_list(user, movies[:2])
    html = client.get(reverse("recommendations:home")).text
    assert "추천 더 보기" in html
    assert "https://www.justwatch.com/kr/search?q=" in html


@pytest.mark.django_db
def test_a_pending_page_polls_and_a_ready_one_stops_polling(client, movies):
    user = login(client)
    lst = RecommendationList.objects.create(user=user, request_key="k1")
    url = reverse("recommendations:list_poll", args=[lst.pk])

    pending = client.get(url, HTTP_HX_REQUEST="true")
    assert pending.status_code == 200
    assert 'hx-trigger="every 1s"' in pending.text

    lst.status = RecommendationList.Status.READY
    lst.save()
    RecommendationItem.objects.create(
        recommendation_list=lst, movie=movies[0], rank=0, score=1, engine="x", reason="ok"
    )
    ready = client.get(url, HTTP_HX_REQUEST="true")
    assert ready.status_code == 286  # htmx stops polling
    assert "Heist 0" in ready.text
    assert "every 1s" not in ready.text


@pytest.mark.django_db
def test_like_and_dismiss_persist_and_swap_the_card(client, movies):
    user = login(client, language="en")
    lst = ready_list(user, movies[:2])
    item = lst.items.get(movie=movies[1])
    url = reverse("recommendations:item_feedback", args=[item.pk])

    response = client.post(url, {"kind": "dismiss"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert f'id="item-{item.pk}"' in response.text
    assert "is-dismissed" in response.text
    assert "<html" not in response.text
    assert Feedback.objects.get(user=user, movie=movies[1]).kind == "dismiss"

    client.post(url, {"kind": "like"})
    assert Feedback.objects.get(user=user, movie=movies[1]).kind == "like"


@pytest.mark.django_db
def test_an_unknown_feedback_kind_is_refused(client, movies):
    user = login(client)
    item = ready_list(user, movies[:1]).items.get()
    url = reverse("recommendations:item_feedback", args=[item.pk])
    assert client.post(url, {"kind": "love"}).status_code == 404
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_another_users_lists_and_items_are_404(client, movies):
    owner = UserFactory()
    lst = ready_list(owner, movies[:2])
    item = lst.items.first()
    login(client)

    assert client.get(reverse("recommendations:list_poll", args=[lst.pk])).status_code == 404
    assert client.post(reverse("recommendations:list_more", args=[lst.pk])).status_code == 404
    url = reverse("recommendations:item_feedback", args=[item.pk])
    assert client.post(url, {"kind": "dismiss"}).status_code == 404
    assert not Feedback.objects.exists()
    assert "Heist 0" not in client.get(reverse("recommendations:history")).text


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client, movies):
    lst = ready_list(UserFactory(), movies[:1])
    for url in (
        reverse("recommendations:history"),
        reverse("recommendations:list_poll", args=[lst.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    response = client.post(reverse("recommendations:list_new"))
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_posts_need_a_csrf_token(movies):
    user = UserFactory()
    user.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    lst = ready_list(user, movies[:1])
    item = lst.items.get()
    assert client.post(reverse("recommendations:list_new")).status_code == 403
    assert client.post(reverse("recommendations:list_more", args=[lst.pk])).status_code == 403
    url = reverse("recommendations:item_feedback", args=[item.pk])
    assert client.post(url, {"kind": "like"}).status_code == 403
    assert not Feedback.objects.exists()
    assert RecommendationList.objects.count() == 1


@pytest.mark.django_db
def test_the_page_shows_feedback_given_since_the_last_visit(client, movies):
    user = login(client, language="en")
    lst = ready_list(user, movies[:3])
    item = lst.items.get(movie=movies[2])
    assert "is-dismissed" not in client.get(reverse("recommendations:home")).text

    client.post(reverse("recommendations:item_feedback", args=[item.pk]), {"kind": "dismiss"})

    html = client.get(reverse("recommendations:home")).text
    assert html.count("is-dismissed") == 1
