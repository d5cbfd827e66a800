from __future__ import annotations

import sys
import types
import uuid

import pytest

from llm_worker import conf, pipeline
from llm_worker.contracts import RankedItem, RerankResult
from llm_worker.tests.fake_backend import FakeBackend, down_backend, rerank_json
from llm_worker.tests.site_data import fast_taste_search, make_catalogue
from recommendations import list_flow
from recommendations.models import Feedback, RecommendationList
from recommendations.services import feedback_set


@pytest.fixture(autouse=True)
def _taste_search(monkeypatch, settings, tmp_path):
    fast_taste_search(monkeypatch, settings, tmp_path)
    yield
    from llm_worker import embeddings

    embeddings.reset_cache()


def new_list(user, **fields) -> RecommendationList:
    return RecommendationList.objects.create(
        user=user, request_key=uuid.uuid4().hex, language=user.language, **fields
    )


def shown_ids(lst) -> list[int]:
    return list(lst.items.order_by("rank").values_list("movie_id", flat=True))


@pytest.mark.django_db
def test_a_list_holds_k_new_candidates_without_repeats():
    cat = make_catalogue()
    cat.crime[0].hidden = True
    cat.crime[0].save()
    feedback_set(user=cat.user, movie_id=cat.crime[1].pk, kind=Feedback.Kind.DISMISS)

    lst = list_flow.recommendation_list_fill(list_id=new_list(cat.user).pk, k=10)

    ids = shown_ids(lst)
    assert lst.status == RecommendationList.Status.READY
    assert len(ids) == 10
    assert len(set(ids)) == 10
    forbidden = {m.pk for m in cat.watched} | {cat.crime[0].pk, cat.crime[1].pk}
    assert not forbidden & set(ids)
    assert (lst.engine, lst.dropped, lst.degraded_reason) == ("grounded", 0, "")
    items = list(lst.items.order_by("rank"))
    assert [it.rank for it in items] == list(range(1, 11))
    assert all(it.reason and it.engine == "popularity" and 1 <= it.fit_score <= 10 for it in items)


@pytest.mark.django_db
def test_filling_twice_writes_the_items_once():
    cat = make_catalogue()
    lst = new_list(cat.user)

    first = list_flow.recommendation_list_fill(list_id=lst.pk, k=5)
    again = list_flow.recommendation_list_fill(list_id=lst.pk, k=5, backend=down_backend())

    assert shown_ids(first) == shown_ids(again)
    assert lst.items.count() == 5
    assert again.degraded_reason == ""  # the second delivery changed nothing


@pytest.mark.django_db
def test_a_more_page_never_repeats_the_first_page():
    cat = make_catalogue()
    root = list_flow.recommendation_list_fill(list_id=new_list(cat.user).pk, k=8)
    page = list_flow.recommendation_list_fill(list_id=new_list(cat.user, parent=root).pk, k=8)

    assert len(shown_ids(page)) == 8
    assert not set(shown_ids(root)) & set(shown_ids(page))


@pytest.mark.django_db
def test_labels_outside_the_candidates_are_dropped_and_counted():
    cat = make_catalogue()
    hostile = rerank_json(
        [
            {"label": "C99", "fit": 10, "reason": "An invented pick."},
            {"title": "The Godfather", "fit": 10, "reason": "Not offered at all."},
            {"label": "C02", "fit": 9, "reason": "Tense and precise, like Heat."},
            {"label": "C02", "fit": 9, "reason": "Twice."},
        ]
    )
    backend = FakeBackend(answer=lambda _m: hostile)

    lst = list_flow.recommendation_list_fill(list_id=new_list(cat.user).pk, k=5, backend=backend)

    ids = shown_ids(lst)
    assert lst.engine == "llm:fake"
    assert lst.dropped == 2
    assert len(ids) == 5
    assert len(set(ids)) == 5
    assert set(ids) <= {m.pk for m in cat.all_unwatched}
    first = lst.items.get(rank=1)
    assert first.reason == "Tense and precise, like Heat."
    # The model named one valid candidate: the rest follow the recommender, and the list says so.
    assert lst.degraded_reason.startswith("partial_ranking: ")
    assert "ranked 1 of 5" in lst.degraded_reason


@pytest.mark.django_db
def test_an_unreachable_model_gives_the_grounded_list_and_says_why(caplog):
    cat = make_catalogue()
    lst = new_list(cat.user)

    lst = list_flow.recommendation_list_fill(list_id=lst.pk, k=6, backend=down_backend())

    assert lst.status == RecommendationList.Status.READY
    assert lst.engine == "grounded"
    assert lst.degraded_reason.startswith("llm_unavailable: ")
    assert "connection refused" in lst.degraded_reason
    assert len(shown_ids(lst)) == 6
    assert f"list {lst.pk} of user {cat.user.pk} degraded" in caplog.text


@pytest.mark.django_db
def test_a_non_candidate_from_the_pipeline_never_reaches_the_page(monkeypatch):
    cat = make_catalogue()
    stranger = cat.watched[0]  # a real catalogue movie, but watched: never a candidate

    def rogue(backend, inp, **kwargs):
        good = inp.candidates[0].movie_id
        return RerankResult(
            items=[RankedItem(stranger.pk, 10, "rogue"), RankedItem(good, 9, "fine")],
            engine="llm:rogue",
        )

    monkeypatch.setattr(pipeline, "rerank", rogue)
    lst = list_flow.recommendation_list_fill(list_id=new_list(cat.user).pk, k=3)

    assert stranger.pk not in shown_ids(lst)
    assert lst.dropped == 1


@pytest.mark.django_db
def test_the_mood_of_a_turn_lifts_text_hits_within_what_was_asked_never_excluded_ones(monkeypatch):
    cat = make_catalogue(language="ko", n_comedy=30)
    niche = cat.comedy[-1]  # least popular: the recommender alone would not reach it
    hidden = cat.comedy[-2]
    hidden.hidden = True
    hidden.save()
    asked = []

    def taste_candidates(*, text, k, exclude_movie_ids):
        asked.append(text)
        return [(cat.watched[0].pk, 0.99), (hidden.pk, 0.9), (niche.pk, 0.8)]

    fake = types.ModuleType("llm_worker.embeddings")
    fake.taste_candidates = taste_candidates
    monkeypatch.setitem(sys.modules, "llm_worker.embeddings", fake)
    from llm_worker.models import ChatMessage

    message = ChatMessage.objects.create(user=cat.user, role="user", content="가벼운 코미디")
    lst = new_list(cat.user, chat_message=message)

    lst = list_flow.recommendation_list_fill(list_id=lst.pk, k=4)

    ids = shown_ids(lst)
    # "가벼운 코미디": Comedy is a constraint, "light" a mood the text search ranks by.
    assert len(asked) == 1
    assert asked[0] != "가벼운 코미디"
    assert niche.pk in ids
    assert set(ids) <= {m.pk for m in cat.comedy}
    assert cat.watched[0].pk not in ids
    assert hidden.pk not in ids


@pytest.mark.django_db
def test_a_broken_taste_search_is_said_not_silent(monkeypatch):
    cat = make_catalogue()

    def taste_candidates(**kwargs):
        raise FileNotFoundError("no embedding index")

    fake = types.ModuleType("llm_worker.embeddings")
    fake.taste_candidates = taste_candidates
    monkeypatch.setitem(sys.modules, "llm_worker.embeddings", fake)
    from llm_worker.models import ChatMessage

    message = ChatMessage.objects.create(user=cat.user, role="user", content="dark thrillers")
    lst = list_flow.recommendation_list_fill(
        list_id=new_list(cat.user, chat_message=message).pk, k=4
    )

    assert lst.status == RecommendationList.Status.READY
    assert len(shown_ids(lst)) == 4
    assert lst.degraded_reason.startswith("taste_search_unavailable: FileNotFoundError")


@pytest.mark.django_db
def test_a_model_that_cannot_load_still_gives_a_list_and_says_why(settings, monkeypatch):
    cat = make_catalogue()
    settings.LLM_BACKEND = "transformers"

    def missing_weights(name, **options):
        if name != "grounded":
            raise OSError("no weights")
        return real(name, **options)

    real = conf.get_backend
    monkeypatch.setattr(conf, "get_backend", missing_weights)
    conf.llm_backend_forget()
    try:
        lst = list_flow.recommendation_list_fill(list_id=new_list(cat.user).pk, k=4)
    finally:
        conf.llm_backend_forget()

    assert (lst.status, lst.engine) == (RecommendationList.Status.READY, "grounded")
    assert lst.degraded_reason.startswith("backend_unavailable: ")
    assert "LLM backend transformers unavailable: OSError: no weights" in lst.degraded_reason
    assert len(shown_ids(lst)) == 4


@pytest.mark.django_db
@pytest.mark.parametrize("with_chat", [False, True])
def test_a_task_out_of_time_finishes_with_the_grounded_list(with_chat):
    from celery.exceptions import SoftTimeLimitExceeded

    from llm_worker.models import ChatMessage

    cat = make_catalogue()
    message = None
    if with_chat:
        message = ChatMessage.objects.create(user=cat.user, role="user", content="calmer")
    backend = FakeBackend(answer=lambda _m: SoftTimeLimitExceeded())

    lst = list_flow.recommendation_list_fill(
        list_id=new_list(cat.user, chat_message=message).pk, k=4, backend=backend
    )

    assert (lst.status, lst.engine) == (RecommendationList.Status.READY, "grounded")
    assert lst.degraded_reason.startswith("timeout: ")
    assert len(shown_ids(lst)) == 4
    if with_chat:  # the user still gets an answer in the chat
        assert ChatMessage.objects.filter(user=cat.user, role="assistant").count() == 1


@pytest.mark.django_db
def test_the_configured_openai_server_ranks_and_its_failures_degrade(
    settings, django_capture_on_commit_callbacks
):
    from llm_worker.tests.fake_openai import Completion, FakeOpenAI
    from recommendations.list_flow import recommendation_list_request

    cat = make_catalogue()
    answer = rerank_json(
        [
            {"label": "C03", "fit": 9, "reason": "<script>alert(1)</script> Cool and precise."},
            {"label": "C44", "fit": 10, "reason": "Not a candidate."},
        ]
    )
    with FakeOpenAI(lambda body: Completion(answer, 50, 20)) as server:
        settings.LLM_BACKEND = "openai"
        settings.LLM_BASE_URL = server.base_url
        settings.LLM_MODEL = "smollm2"
        settings.LLM_TIMEOUT_S = 5.0
        with django_capture_on_commit_callbacks(execute=True):
            ranked = recommendation_list_request(user=cat.user, k=4)
        server.mode = "500"
        with django_capture_on_commit_callbacks(execute=True):
            fallback = recommendation_list_request(user=cat.user, k=4)
    conf.llm_backend_forget()

    ranked.refresh_from_db()
    assert (ranked.engine, ranked.dropped, ranked.prompt_variant) == ("llm:openai", 1, "optimized")
    first = ranked.items.get(rank=1)
    assert first.reason == "<script>alert(1)</script> Cool and precise."  # templates escape it
    assert set(shown_ids(ranked)) <= {m.pk for m in cat.all_unwatched}
    fallback.refresh_from_db()
    assert fallback.engine == "grounded"
    assert "500" in fallback.degraded_reason
    assert len(shown_ids(fallback)) == 4
    assert not set(shown_ids(ranked)) & set(shown_ids(fallback))
