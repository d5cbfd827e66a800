"""The recommendations page is served from the cache while nothing it shows has changed: every
change a user or a worker makes (feedback, a new persona, a chat turn, a page of "more"
becoming ready, even through a queryset update that fires no signal) shows on the next load,
and a one-time message is never cached away."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from llm_worker.models import ChatMessage, Persona
from recommendations.models import Feedback, RecommendationList

from .test_views_home import login, movies, ready_list  # noqa: F401  (fixture)

HOME = reverse("recommendations:home")


@pytest.fixture
def warm(client, movies):  # noqa: F811
    """A user with a ready list whose page has been cached (the CSRF cookie is set by the
    first load; the second is the one that gets cached, the third is served from it)."""
    user = login(client, language="en")
    lst = ready_list(user, movies[:10])
    for _ in range(3):
        assert client.get(HOME).status_code == 200
    return user, lst


def _cached_pages() -> int:
    return sum(1 for key in cache._cache if ":home:v2:" in key)


@pytest.mark.django_db
def test_the_page_is_cached_and_served_identically(client, warm):
    first = client.get(HOME).text
    assert _cached_pages() == 1
    assert client.get(HOME).text.count('<li class="card') == first.count('<li class="card') == 10


@pytest.mark.django_db
def test_feedback_shows_on_the_next_load(client, warm):
    _user, lst = warm
    item = lst.items.order_by("rank").first()
    assert 'aria-pressed="true"' not in client.get(HOME).text
    response = client.post(
        reverse("recommendations:item_feedback", args=[item.pk]), {"kind": "like"}
    )
    assert response.status_code == 302
    assert Feedback.objects.filter(movie_id=item.movie_id, kind="like").exists()
    assert 'aria-pressed="true"' in client.get(HOME).text


@pytest.mark.django_db
def test_a_new_persona_and_a_chat_turn_show_on_the_next_load(client, warm):
    user, _lst = warm
    Persona.objects.create(
        user=user,
        request_key=uuid.uuid4().hex,
        status=Persona.Status.READY,
        language="en",
        engine="grounded",
        summary="A patient lover of slow-burn heists.",
    )
    assert "A patient lover of slow-burn heists." in client.get(HOME).text
    ChatMessage.objects.create(user=user, role="user", content="Something warmer tonight, please")
    assert "Something warmer tonight, please" in client.get(HOME).text


@pytest.mark.django_db
def test_a_page_of_more_updated_without_signals_shows_when_ready(client, warm, movies):  # noqa: F811
    user, root = warm
    more = RecommendationList.objects.create(
        user=user, request_key=uuid.uuid4().hex, parent=root, status="pending"
    )
    pending = client.get(HOME).text
    assert pending.count('<li class="card') == 10
    # A worker marks the page ready with a queryset update (no save(), no signal).
    ready_list(user, movies[10:12], parent=root)
    RecommendationList.objects.filter(pk=more.pk).update(status="failed")
    page = client.get(HOME).text
    assert page.count('<li class="card') == 12
    assert page != pending


@pytest.mark.django_db
def test_a_one_time_message_is_shown_once_and_never_cached(client, warm):
    user, _lst = warm
    response = client.post(
        reverse("accounts:profile"),
        {"age": user.age, "gender": user.gender, "occupation": "", "language": "en"},
    )
    assert response.status_code == 302
    assert "Your profile is saved." in client.get(HOME).text
    assert "Your profile is saved." not in client.get(HOME).text


@pytest.mark.django_db
def test_a_movie_hidden_by_a_curator_leaves_current_lists_at_once(client, warm):
    """The admin's "hide" action is a queryset update (no signal): the cached page must still
    drop the movie on the next load, not up to ten minutes later."""
    _user, lst = warm
    first = lst.items.order_by("rank").select_related("movie").first()
    assert first.movie.title in client.get(HOME).text
    type(first.movie).objects.filter(pk=first.movie_id).update(hidden=True)

    html = client.get(HOME).text

    assert first.movie.title not in html
    assert html.count('<li class="card') == 9
    poll = client.get(reverse("recommendations:list_poll", args=[lst.pk])).text
    assert first.movie.title not in poll
