"""Retrieval that honours the request, the score-based fit, the persona correction, and what the
chat answer says it understood (small factory catalogue: crime dramas and comedies)."""

from __future__ import annotations

import itertools
import uuid

import numpy as np
import pytest

from llm_worker.models import ChatMessage, Persona
from llm_worker.taste import TasteRequest
from llm_worker.tests.site_data import fast_taste_search, make_catalogue
from movies.lexicon import forget_catalogue_lexicon
from movies.models import Genre
from movies.tests.factories import MovieFactory
from recommendations import list_flow
from recommendations.engine import retrieval as R
from recommendations.models import RecommendationList
from recommendations.retrieval import retrieve


@pytest.fixture(autouse=True)
def _taste_search(monkeypatch, settings, tmp_path, request):
    uses_db = request.node.get_closest_marker("django_db") is not None
    fast_taste_search(monkeypatch, settings, tmp_path, build=uses_db)
    # The lexicon is cached per process for a few seconds: another test's catalogue must not
    # be read in this one's.
    forget_catalogue_lexicon()
    yield
    forget_catalogue_lexicon()
    from llm_worker import embeddings

    embeddings.reset_cache()


def _fill(user, *, k=10, parent=None, message=None) -> RecommendationList:
    lst = RecommendationList.objects.create(
        user=user,
        request_key=uuid.uuid4().hex,
        language=user.language,
        parent=parent,
        chat_message=message,
    )
    return list_flow.recommendation_list_fill(list_id=lst.pk, k=k)


def _genres(movie_id: int) -> set[str]:
    return set(Genre.objects.filter(movies__pk=movie_id).values_list("name", flat=True))


# -- the fit score -----------------------------------------------------------------------------
def test_the_fit_is_monotone_in_the_percentile_and_bounded():
    pcts = np.linspace(0, 1, 101)
    fits = [R.fit_score(p) for p in pcts]
    assert (fits[0], fits[-1]) == (1, 10)
    assert all(a <= b for a, b in itertools.pairwise(fits))
    # Meeting more of the request never lowers the fit.
    assert R.fit_score(0.5, 0.0) < R.fit_score(0.5, 1.0)
    assert R.percentile([5.0], [1, 2, 3, 4, 6, 7, 8, 9])[0] == 0.5


@pytest.mark.django_db
def test_the_fit_follows_the_score_not_the_rank_and_holds_across_pages():
    cat = make_catalogue(n_crime=12, n_comedy=30)
    before = retrieve(user=cat.user, request=TasteRequest(), k=10, pool_size=40)
    first = _fill(cat.user)
    items = list(first.items.order_by("rank"))
    fits = [it.fit_score for it in items]
    assert fits != list(range(10, 0, -1))  # not the rank
    scores = [it.score for it in items]
    for (s1, f1), (s2, f2) in itertools.pairwise(zip(scores, fits, strict=True)):
        assert s1 < s2 or f1 >= f2  # a higher score never gets a lower fit
    second = _fill(cat.user, parent=first)
    later = {it.movie_id: it.fit_score for it in second.items.all()}
    assert later
    for movie_id, fit in later.items():
        assert fit == before.fit[movie_id]  # the same movie, the same fit, on a later page
    assert max(later.values()) < 10 or max(fits) == 10


# -- hard constraints from the whole catalogue ---------------------------------------------------
@pytest.mark.django_db
def test_a_genre_ask_reaches_past_the_recommenders_top_and_too_few_is_said():
    cat = make_catalogue(n_crime=12, n_comedy=12)
    musical = Genre.objects.create(name="Musical")
    rare = []
    for i in range(3):  # never rated: the recommender alone would not propose them
        movie = MovieFactory(title=f"Musical {i}", year=1960 + i, num_ratings=0)
        movie.genres.add(musical)
        rare.append(movie.pk)

    got = retrieve(user=cat.user, request=TasteRequest(genres_in=("Musical",)), k=5, pool_size=15)

    ids = [c.movie_id for c in got.candidates]
    assert set(ids[:3]) == set(rare)
    assert (got.matching, got.relaxed) == (3, ("genre",))
    assert all(m.kind == "genre" for m in got.met[ids[0]])
    assert all(got.fit[m] > got.fit[ids[4]] for m in rare)  # meeting the ask raises the fit


# -- the persona correction ----------------------------------------------------------------------
@pytest.mark.django_db
def test_the_correction_changes_the_next_list_until_the_user_asks_again():
    cat = make_catalogue(n_crime=12, n_comedy=12)
    first = _fill(cat.user)
    assert any("Crime" in _genres(it.movie_id) for it in first.items.all())
    Persona.objects.create(
        user=cat.user,
        request_key="p1",
        status="ready",
        language="en",
        user_correction="I don't like crime movies; I prefer comedies.",
    )

    nxt = _fill(cat.user)

    assert nxt.items.count() == 10
    assert not any("Crime" in _genres(it.movie_id) for it in nxt.items.all())
    # Asking for crime later lifts it.
    message = ChatMessage.objects.create(user=cat.user, role="user", content="crime movies please")
    asked = _fill(cat.user, message=message)
    assert all("Crime" in _genres(it.movie_id) for it in asked.items.all())


# -- what the chat answer says -------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "said"), [("en", "I could not use"), ("ko", "이해하지 못한 부분")]
)
def test_the_answer_says_what_was_not_understood(language, said):
    cat = make_catalogue(language=language)
    message = ChatMessage.objects.create(
        user=cat.user, role="user", content="<script>alert(1)</script> movie id 999999999"
    )

    _fill(cat.user, message=message)

    answer = ChatMessage.objects.filter(user=cat.user, role="assistant").get().content
    assert said in answer
    assert "999999999" in answer
    assert "match" not in answer
