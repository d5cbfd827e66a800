"""A conversation's turns as the list flow reads them: a turn that asks for something starts a
new search (its exclusions stand), a turn that only adds a mood refines the one before, an
explicit ask may bring back what an earlier list showed, and the answer says every condition
the list honours, not only this turn's."""

from __future__ import annotations

import uuid

import pytest

from llm_worker.models import ChatMessage
from llm_worker.taste import TasteRequest
from llm_worker.tests.site_data import fast_taste_search, make_catalogue
from movies.lexicon import forget_catalogue_lexicon
from movies.models import Genre
from recommendations import list_flow
from recommendations.models import RecommendationList
from recommendations.understanding import follow


@pytest.fixture(autouse=True)
def _fresh(monkeypatch, settings, tmp_path, request):
    uses_db = request.node.get_closest_marker("django_db") is not None
    fast_taste_search(monkeypatch, settings, tmp_path, build=uses_db)
    forget_catalogue_lexicon()
    yield
    forget_catalogue_lexicon()


def _say(user, text: str, k: int = 5) -> RecommendationList:
    message = ChatMessage.objects.create(user=user, role="user", content=text)
    lst = RecommendationList.objects.create(
        user=user, request_key=uuid.uuid4().hex, language=user.language, chat_message=message
    )
    return list_flow.recommendation_list_fill(list_id=lst.pk, k=k)


def _answer(user) -> str:
    return ChatMessage.objects.filter(user=user, role="assistant").last().content


def test_a_new_ask_replaces_the_old_asks_and_keeps_the_exclusions():
    crime = TasteRequest(genres_in=("Crime",), genres_out=("Horror",), mood=("dark",))
    comedy = TasteRequest(genres_in=("Comedy",))
    after = follow(crime, comedy)
    assert after.genres_in == ("Comedy",)
    assert after.genres_out == ("Horror",)
    assert after.mood == ()
    lighter = follow(crime, TasteRequest(mood=("light-hearted",)))
    assert lighter.genres_in == ("Crime",)  # a mood alone refines the search
    assert "light-hearted" in lighter.mood


@pytest.mark.django_db
def test_the_answer_names_what_still_holds_from_before():
    cat = make_catalogue(language="en")
    _say(cat.user, "no comedy")
    lst = _say(cat.user, "something darker")
    answer = _answer(cat.user)
    assert "Still in place from before: no Comedy." in answer
    assert all(
        "Comedy"
        not in set(Genre.objects.filter(movies__pk=i.movie_id).values_list("name", flat=True))
        for i in lst.items.all()
    )


@pytest.mark.django_db
def test_an_explicit_ask_may_bring_back_a_movie_an_earlier_list_showed():
    cat = make_catalogue(language="en", n_crime=3, n_comedy=12)
    first = _say(cat.user, "comedies please", k=10)
    shown_comedies = {i.movie_id for i in first.items.all()}
    assert shown_comedies & {m.pk for m in cat.comedy}
    again = _say(cat.user, "crime movies", k=3)
    back = _say(cat.user, "comedies please", k=10)
    assert {i.movie_id for i in again.items.all()} <= {m.pk for m in cat.crime}
    assert shown_comedies & {i.movie_id for i in back.items.all()}


@pytest.mark.django_db
def test_korean_answer_for_what_still_holds():
    cat = make_catalogue(language="ko")
    _say(cat.user, "코미디 빼고")
    _say(cat.user, "좀 더 어두운 걸로")
    answer = _answer(cat.user)
    assert "앞서 말씀하신 조건도 그대로예요: 코미디 제외." in answer
    assert "분위기: 어두운" in answer


@pytest.mark.django_db
def test_a_korean_turn_is_read_with_the_korean_taste_prompt():
    from llm_worker.prompts import ko
    from llm_worker.tests.fake_backend import FakeBackend

    cat = make_catalogue(language="ko")
    backend = FakeBackend(answer=lambda messages: "not json")
    message = ChatMessage.objects.create(user=cat.user, role="user", content="코미디 보고 싶어요")
    lst = RecommendationList.objects.create(
        user=cat.user, request_key=uuid.uuid4().hex, language="ko", chat_message=message
    )
    list_flow.recommendation_list_fill(list_id=lst.pk, k=3, backend=backend)
    systems = [call[0]["content"] for call in backend.calls if call and call[0]["role"] == "system"]
    head = ko.TASTE_SYSTEM.split("$")[0]
    assert any(system.startswith(head) for system in systems)
