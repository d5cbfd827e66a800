from __future__ import annotations

import json
import uuid

import pytest
from django.core.exceptions import ValidationError

from llm_worker import pipeline, services
from llm_worker.contracts import PersonaResult, Reason
from llm_worker.models import Persona
from llm_worker.tests.fake_backend import FakeBackend, down_backend, prompt_of
from llm_worker.tests.site_data import make_catalogue


def pending(user, **fields) -> Persona:
    return Persona.objects.create(
        user=user, request_key=uuid.uuid4().hex, language=user.language, **fields
    )


def content(p: Persona) -> tuple:
    return (p.summary, p.liked_traits, p.disliked_traits, p.reasons, p.engine, p.status)


@pytest.mark.django_db
def test_generating_twice_leaves_one_ready_persona_with_the_same_content():
    cat = make_catalogue()
    row = pending(cat.user)

    first = services.persona_generate(persona_id=row.pk)
    again = services.persona_generate(persona_id=row.pk, backend=down_backend())

    assert Persona.objects.filter(user=cat.user).count() == 1
    assert first.status == Persona.Status.READY
    assert content(first) == content(again)
    assert first.engine == "grounded"
    assert first.summary
    assert "Michael Mann" in first.summary + " ".join(first.liked_traits)


@pytest.mark.django_db
def test_reasons_cite_only_the_users_own_movies():
    cat = make_catalogue(language="en")
    answer = json.dumps(
        {
            "summary": "You like cool, methodical crime films.",
            "liked": ["Michael Mann"],
            "disliked": [],
            "reasons": [
                {"text": "Night-time Los Angeles heists.", "movies": ["W01", "W77"]},
                {"text": "Something about The Godfather.", "movies": ["W99"]},
            ],
        }
    )
    backend = FakeBackend(answer=lambda _m: answer)

    persona = services.persona_generate(persona_id=pending(cat.user).pk, backend=backend)

    own = {m.pk for m in cat.watched}
    assert persona.engine == "llm:fake"
    assert persona.summary == "You like cool, methodical crime films."
    cited = [m for r in persona.reasons for m in r["movie_ids"]]
    assert cited
    assert set(cited) <= own
    assert "Night-time Los Angeles heists." in [r["text"] for r in persona.reasons]
    # The prompt held the user's movies as descriptions from the catalogue.
    assert "Heat (1990)" in prompt_of(backend.calls[0])


@pytest.mark.django_db
def test_a_reason_citing_someone_elses_movie_is_not_stored(monkeypatch):
    cat = make_catalogue()
    other = cat.crime[0]

    def build(backend, inp, **kwargs):
        return PersonaResult(
            summary="Crime.",
            liked_traits=["crime"],
            disliked_traits=[],
            reasons=[
                Reason("Yours.", (cat.watched[0].pk, other.pk)),
                Reason("Not yours.", (other.pk,)),
            ],
            engine="llm:rogue",
        )

    monkeypatch.setattr(pipeline, "persona_build", build)
    persona = services.persona_generate(persona_id=pending(cat.user).pk)

    assert persona.reasons == [{"text": "Yours.", "movie_ids": [cat.watched[0].pk]}]


@pytest.mark.django_db
def test_an_unreachable_model_gives_the_grounded_persona_and_says_why(caplog):
    cat = make_catalogue(language="ko")

    persona = services.persona_generate(persona_id=pending(cat.user).pk, backend=down_backend())

    assert persona.status == Persona.Status.READY
    assert persona.engine == "grounded"
    assert persona.degraded_reason.startswith("llm_unavailable: ")
    assert "connection refused" in persona.degraded_reason
    assert persona.reasons
    assert f"persona {persona.pk} of user {cat.user.pk} degraded" in caplog.text


@pytest.mark.django_db
def test_an_unexpected_error_marks_the_persona_failed_and_logs_it(monkeypatch, caplog):
    cat = make_catalogue()

    def broken(*args, **kwargs):
        raise KeyError("bug")

    monkeypatch.setattr(pipeline, "persona_build", broken)
    persona = services.persona_generate(persona_id=pending(cat.user).pk)

    assert persona.status == Persona.Status.FAILED
    assert "KeyError" in persona.error
    assert f"persona {persona.pk} of user {cat.user.pk} failed" in caplog.text


@pytest.mark.django_db
def test_a_correction_is_kept_and_fed_to_the_next_persona(django_capture_on_commit_callbacks):
    cat = make_catalogue()
    with django_capture_on_commit_callbacks(execute=True):
        old = services.persona_request(user=cat.user)
    seen = []

    def answer(messages):
        seen.append(prompt_of(messages))
        return json.dumps({"summary": "You like quiet thrillers.", "reasons": []})

    import llm_worker.conf as conf

    backend = FakeBackend(answer=answer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new = services.persona_correct(user=cat.user, text="  I dislike loud action.  ")
    old.refresh_from_db()
    assert old.user_correction == "I dislike loud action."
    assert new.status == Persona.Status.PENDING
    assert new.user_correction == old.user_correction
    assert len(callbacks) == 1

    services.persona_generate(persona_id=new.pk, backend=backend)
    assert "I dislike loud action." in seen[0]
    assert conf.llm_backend().backend.name == "grounded"  # the site's backend was not swapped


@pytest.mark.django_db
def test_an_overlong_correction_is_refused_in_korean_and_nothing_changes():
    cat = make_catalogue(language="ko")
    pending(cat.user, status=Persona.Status.READY, summary="s")

    with pytest.raises(ValidationError) as caught:
        services.persona_correct(user=cat.user, text="가" * 1001)

    assert caught.value.messages == ["1000자 이내로 적어 주세요 (지금 1001자)."]
    assert Persona.objects.filter(user=cat.user).count() == 1
    assert Persona.objects.get(user=cat.user).user_correction == ""
