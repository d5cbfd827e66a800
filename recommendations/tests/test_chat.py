from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from llm_worker import pipeline
from llm_worker.backends import simple_token_count
from llm_worker.memory import render_history
from llm_worker.models import ChatMessage, ChatSummary
from llm_worker.tests.fake_backend import (
    FakeBackend,
    chat_json,
    is_chat_prompt,
    prompt_of,
    rerank_json,
)
from llm_worker.tests.site_data import fast_taste_search, make_catalogue
from recommendations import chat as chat_flow
from recommendations import list_flow
from recommendations.models import RecommendationList


@pytest.fixture(autouse=True)
def _taste_search(monkeypatch, settings, tmp_path):
    fast_taste_search(monkeypatch, settings, tmp_path)
    yield
    from llm_worker import embeddings

    embeddings.reset_cache()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Please keep it under 1000 characters (you wrote 1001)."),
        ("ko", "1000자 이내로 적어 주세요 (지금 1001자)."),
    ],
)
def test_an_overlong_message_is_refused_in_the_users_language_and_nothing_is_stored(
    language, message
):
    cat = make_catalogue(language=language)
    with pytest.raises(ValidationError) as caught:
        chat_flow.chat_post(user=cat.user, text="x" * 1001)
    assert caught.value.messages == [message]
    assert not ChatMessage.objects.exists()
    assert not RecommendationList.objects.exists()


@pytest.mark.django_db
def test_an_empty_message_is_refused():
    cat = make_catalogue(language="en")
    with pytest.raises(ValidationError, match=r"Write a few words first\."):
        chat_flow.chat_post(user=cat.user, text="   ")
    assert not ChatMessage.objects.exists()


@pytest.mark.django_db
def test_a_message_reranks_and_the_answer_says_what_changed(django_capture_on_commit_callbacks):
    cat = make_catalogue(language="ko")
    with django_capture_on_commit_callbacks(execute=True):
        message, lst = chat_flow.chat_post(user=cat.user, text="  오늘은 범죄 영화가 좋아요 ")

    lst.refresh_from_db()
    assert message.content == "오늘은 범죄 영화가 좋아요"
    assert lst.chat_message == message
    assert lst.status == RecommendationList.Status.READY
    assert lst.items.count() == list_flow.DEFAULT_K
    turns = list(ChatMessage.objects.filter(user=cat.user))
    assert [t.role for t in turns] == ["user", "assistant"]
    first_title = lst.items.get(rank=1).movie.title
    assert "새 추천" in turns[1].content
    assert first_title in turns[1].content


@pytest.mark.django_db
def test_the_model_sees_the_conversation_and_its_reply_is_kept():
    cat = make_catalogue(language="en")
    ChatMessage.objects.create(user=cat.user, role="user", content="Something from the 90s.")
    ChatMessage.objects.create(user=cat.user, role="assistant", content="Here you go.")
    message = ChatMessage.objects.create(user=cat.user, role="user", content="Now darker.")
    prompts = []

    def answer(messages):
        prompts.append(prompt_of(messages))
        if is_chat_prompt(messages):
            return chat_json("Darker crime it is.", "dark crime from the 90s")
        return rerank_json([{"label": "C01", "fit": 9, "reason": "Bleak and precise."}])

    lst = RecommendationList.objects.create(
        user=cat.user, request_key="k", chat_message=message, language="en"
    )
    list_flow.recommendation_list_fill(list_id=lst.pk, k=3, backend=FakeBackend(answer=answer))

    # The request parser reads the new turn alone (earlier turns are read back by the grounded
    # parser); the reply and the re-rank see the whole conversation.
    from llm_worker.prompts.en import TASTE_SYSTEM

    conversation = [p for p in prompts if TASTE_SYSTEM[:60] not in p]
    assert len(conversation) == len(prompts) - 1
    assert all("Something from the 90s." in p for p in conversation)
    assert all("Now darker." in p for p in prompts)
    reply = ChatMessage.objects.filter(user=cat.user).last()
    assert reply.role == "assistant"
    assert reply.content.startswith("Darker crime it is. New picks: ")


@pytest.mark.django_db
def test_a_200_turn_conversation_stays_within_the_token_budget(settings, monkeypatch):
    settings.LLM_CHAT_BUDGET_TOKENS = 120
    cat = make_catalogue(language="en")
    for i in range(100):
        ChatMessage.objects.create(
            user=cat.user, role="user", content=f"Request {i}: something with twist number {i}."
        )
        ChatMessage.objects.create(user=cat.user, role="assistant", content=f"Answer {i}, ok.")
    seen = []
    real = pipeline.rerank

    def spy(backend, inp, **kwargs):
        seen.append(inp)
        return real(backend, inp, **kwargs)

    monkeypatch.setattr(pipeline, "rerank", spy)
    for text in ("Now something warmer.", "And shorter, please."):
        _message, lst = chat_flow.chat_post(user=cat.user, text=text)
        list_flow.recommendation_list_fill(list_id=lst.pk, k=3)

    for inp in seen:
        cost = simple_token_count(render_history(inp.chat_summary, inp.chat_turns))
        assert 0 < cost <= 120
        assert "Request 0:" not in " ".join(t.content for t in inp.chat_turns)
    assert seen[0].chat_turns[-1].content == "Answer 99, ok."
    # The second message sees the first one and its answer, most recent last.
    assert [t.role for t in seen[1].chat_turns[-2:]] == ["user", "assistant"]
    assert seen[1].chat_turns[-2].content == "Now something warmer."
    summary = ChatSummary.objects.get(user=cat.user)
    assert summary.text.startswith("Request ")
    # Folded turns are remembered: the next message starts from the rolling summary.
    assert summary.through_message.content.startswith(("Request", "Answer"))
    assert seen[1].chat_summary == summary.text or seen[1].chat_summary.startswith("Request")


@pytest.mark.django_db
def test_what_the_user_asks_for_is_what_the_list_holds_and_the_answer_says_so(
    django_capture_on_commit_callbacks,
):
    cat = make_catalogue(language="en", n_comedy=40)

    with django_capture_on_commit_callbacks(execute=True):
        _message, lst = chat_flow.chat_post(user=cat.user, text="A silly comedy, please")

    lst.refresh_from_db()
    shown = {it.movie_id for it in lst.items.all()}
    # Comedy is asked for: every card is one, from the whole catalogue, not the top few.
    assert len(shown) == 10
    assert shown <= {m.pk for m in cat.comedy}
    assert lst.degraded_reason == ""
    answer = ChatMessage.objects.filter(user=cat.user, role="assistant").get()
    understood = answer.content.split("I understood: ", 1)[1]
    assert "Comedy" in understood
    assert "match what you described" not in answer.content
