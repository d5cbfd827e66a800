from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from llm_worker.contracts import Degraded, degraded
from llm_worker.models import Persona
from llm_worker.tests.degraded_samples import DETAIL, EN, KO, KO_GENERIC, assert_no_detail
from movies.tests.factories import MovieFactory


def login(client, **kwargs):
    user = UserFactory(**kwargs)
    user.save()  # the factory skips saving the password it sets
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = user.language
    return user


def persona(user, key="p1", **fields):
    fields.setdefault("status", Persona.Status.READY)
    return Persona.objects.create(user=user, request_key=key, **fields)


@pytest.mark.django_db
def test_a_pending_persona_page_polls_its_progress(client):
    user = login(client, language="en")
    row = persona(user, status=Persona.Status.PENDING)

    html = client.get(reverse("llm_worker:persona")).text

    assert reverse("llm_worker:persona_poll", args=[row.pk]) in html
    assert html.count('id="persona-panel"') == 1
    assert 'hx-trigger="every 1s"' in html
    assert "writing your taste profile" in html


@pytest.mark.django_db
def test_polling_stops_with_286_and_swaps_in_the_persona(client):
    user = login(client, language="en")
    cited = MovieFactory(title="Oldboy", year=2003)
    row = persona(
        user,
        summary="You like tense, twisty revenge stories.",
        liked_traits=["twists"],
        disliked_traits=["musicals"],
        reasons=[{"text": "Revenge and reversal", "movie_ids": [cited.pk]}],
    )

    response = client.get(reverse("llm_worker:persona_poll", args=[row.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 286
    html = response.content.decode()
    assert "every 1s" not in html
    for text in ("tense, twisty revenge", "twists", "musicals", "Revenge and reversal", "Oldboy"):
        assert text in html
    assert f"{reverse('movies:picks')}?q=Oldboy" in html  # the reason links the cited movie


@pytest.mark.django_db
def test_a_pending_poll_keeps_polling(client):
    user = login(client)
    row = persona(user, status=Persona.Status.PENDING)
    response = client.get(reverse("llm_worker:persona_poll", args=[row.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in response.text


@pytest.mark.django_db
def test_persona_text_from_the_llm_is_escaped(client):
    user = login(client)
    persona(
        user,
        summary="<script>alert(1)</script>",
        liked_traits=["<b>bold</b>"],
        reasons=[{"text": "<img src=x onerror=alert(2)>", "movie_ids": []}],
        user_correction="<script>alert(3)</script>",
    )
    html = client.get(reverse("llm_worker:persona")).text
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_a_degraded_persona_says_why_in_plain_words(client):
    user = login(client, language="en")
    persona(user, summary="Drama fan.", degraded_reason="llm_unavailable: connection refused")
    html = client.get(reverse("llm_worker:persona")).text
    assert "Written without the language model:" in html
    assert EN[Degraded.LLM_UNAVAILABLE] in html
    assert "connection refused" not in html  # the detail is for the logs and the admin


@pytest.mark.django_db
@pytest.mark.parametrize("code", list(Degraded), ids=str)
def test_the_korean_persona_page_says_why_in_korean_never_the_detail(client, code):
    user = login(client, language="ko")
    persona(user, summary="범죄 영화를 즐겨 봅니다.", degraded_reason=degraded(code, DETAIL))
    html = client.get(reverse("llm_worker:persona")).text
    assert "언어 모델 없이 작성됨:" in html
    assert KO[code] in html
    assert_no_detail(html, code)


@pytest.mark.django_db
def test_a_reason_from_before_the_codes_gets_a_generic_korean_sentence(client):
    user = login(client, language="ko")
    persona(
        user, summary="범죄 영화를 즐겨 봅니다.", degraded_reason=f"verbalizer failed: {DETAIL}"
    )
    html = client.get(reverse("llm_worker:persona")).text
    assert KO_GENERIC in html
    assert_no_detail(html)
    assert "verbalizer failed" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_grounded_persona_quotes_the_users_correction_escaped(
    client, language, django_capture_on_commit_callbacks
):
    from llm_worker import services
    from llm_worker.tests.site_data import make_catalogue

    cat = make_catalogue(language=language)
    client.force_login(cat.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    said = "No <b>gore</b>, please:   slow\nburners only."
    with django_capture_on_commit_callbacks(execute=True):  # the grounded site backend runs it
        services.persona_correct(user=cat.user, text=said)
    row = Persona.objects.filter(user=cat.user).latest("pk")
    assert (row.status, row.engine) == (Persona.Status.READY, "grounded")

    html = client.get(reverse("llm_worker:persona")).text
    quoted = "No &lt;b&gt;gore&lt;/b&gt;, please: slow burners only."
    heard = "직접 알려 주신 취향" if language == "ko" else "You told us"
    assert f"{heard}: “{quoted}”" in html  # among the reasons, on one line, escaped
    assert "<b>gore</b>" not in html
    assert said.split(":")[0] not in row.summary  # the summary (fed to later prompts) is ours


@pytest.mark.django_db
def test_without_a_persona_the_user_is_sent_to_pick_movies(client):
    login(client)
    response = client.get(reverse("llm_worker:persona"))
    assert response.status_code == 302
    assert response.url == reverse("movies:picks")


@pytest.mark.django_db
def test_another_users_persona_is_404_and_never_shown(client):
    other = persona(UserFactory(), summary="Secret taste of someone else")
    login(client)
    assert client.get(reverse("llm_worker:persona_poll", args=[other.pk])).status_code == 404
    assert client.get(reverse("llm_worker:persona")).status_code == 302


@pytest.mark.django_db
def test_an_empty_or_overlong_correction_is_explained(client):
    user = login(client, language="en")
    persona(user, summary="Drama fan.")
    url = reverse("llm_worker:persona_correct")

    empty = client.post(url, {"text": "  "})
    long = client.post(url, {"text": "x" * 1001})

    assert empty.status_code == 400
    assert "Write a few words first." in empty.text
    assert long.status_code == 400
    assert "Please keep it under 1000 characters (you wrote 1001)." in long.text
    assert Persona.objects.get(user=user).user_correction == ""


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client):
    for url in (reverse("llm_worker:persona"), reverse("recommendations:chat")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_correction_needs_a_csrf_token():
    user = UserFactory()
    user.save()
    persona(user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("llm_worker:persona_correct"), {"text": "hi"}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "engine", "said", "not_said"),
    [
        ("en", "grounded", "Written from your movies (no language model)", "Written by the"),
        ("en", "llm:openai", "Written by the language model", "no language model"),
        ("ko", "grounded", "고른 영화로 작성함 (언어 모델 없음)", "언어 모델이 작성함"),
        ("ko", "llm:transformers", "언어 모델이 작성함", "언어 모델 없음"),
    ],
)
def test_the_persona_page_says_which_engine_wrote_it(client, language, engine, said, not_said):
    user = login(client, language=language)
    persona(user, engine=engine, summary="A summary.")
    html = client.get(reverse("llm_worker:persona")).text
    assert said in html
    assert not_said not in html
