"""Small models echo what they read: a persona summary copied from the prompt is no persona,
a reason copied from a movie's description or the example answer is no reason. Such answers
are repaired once, then replaced, and what the page shows says so."""

from __future__ import annotations

import json

import pytest

from llm_worker.contracts import Degraded, degraded_codes
from llm_worker.parsing import ParseError, copied_from, parse_persona
from llm_worker.pipeline import persona_build, rerank
from llm_worker.tests.fake_backend import FakeBackend
from llm_worker.tests.llm_samples import persona_input, rerank_input

PROMPT = "Movies they watched (label: description):\nW01: Heat (1995). Genres: Crime, Drama."


def test_copied_from_ignores_case_and_punctuation_but_not_short_texts():
    assert copied_from("movies they watched label description", PROMPT)
    assert copied_from("HEAT (1995) genres: crime", PROMPT)
    assert not copied_from("Crime", PROMPT)  # too short to tell
    assert not copied_from("Loves patient crime stories set in Los Angeles.", PROMPT)


def test_a_summary_copied_from_the_prompt_does_not_parse():
    echo = json.dumps({"summary": "Movies they watched (label: description):"})
    with pytest.raises(ParseError, match="repeats the question"):
        parse_persona(echo, labels={"W01"}, language="en", prompt=PROMPT)
    own = json.dumps({"summary": "A fan of tense crime dramas.", "liked": ["Heat (1995). Genres"]})
    parsed = parse_persona(own, labels={"W01"}, language="en", prompt=PROMPT)
    assert parsed.summary == "A fan of tense crime dramas."
    assert parsed.liked == []  # the trait was a copy of the prompt
    assert parsed.copied == 1


def test_an_echoing_persona_is_repaired_once_then_replaced_by_the_grounded_one():
    echo = json.dumps({"summary": "Movies they watched (label: description):"})
    good = json.dumps(
        {
            "summary": "Patient crime stories by careful directors.",
            "liked": ["slow-burn detectives"],
            "reasons": [{"text": "Se7en and Zodiac share a patient hunt.", "movies": ["W03"]}],
        }
    )
    backend = FakeBackend(echo, good)
    repaired = persona_build(backend, persona_input())
    assert (repaired.engine, repaired.parse_attempts) == ("llm:fake", 2)
    assert "repeats the question" in backend.calls[1][-1]["content"]
    assert repaired.degraded_reason == ""
    replaced = persona_build(FakeBackend(echo, echo), persona_input())
    assert replaced.engine == "grounded"
    assert degraded_codes(replaced.degraded_reason) == [Degraded.UNPARSEABLE]


def test_a_persona_without_reasons_of_its_own_says_the_counted_ones_are_shown():
    answer = json.dumps({"summary": "Patient crime stories.", "liked": ["detectives"]})
    persona = persona_build(FakeBackend(answer), persona_input())
    assert persona.engine == "llm:fake"
    assert persona.reasons  # the grounded reasons, citing the user's own movies
    assert degraded_codes(persona.degraded_reason) == [Degraded.MISSING_REASONS]


def test_placeholder_and_copied_reasons_are_missing_and_short_rankings_are_filled():
    description = "Prisoners (2013). Genres: Crime, Drama, Mystery. Director: Denis Villeneuve."
    answer = json.dumps(
        {
            "final": [
                {"label": "C03", "fit": 8, "reason": "..."},
                {"label": "C05", "fit": 7, "reason": description},
            ]
        }
    )
    result = rerank(FakeBackend(answer), rerank_input(k=3))
    assert [it.movie_id for it in result.items][:2] == [12, 14]
    assert result.stats["missing_reasons"] == 2
    assert result.stats["filled_from_recommender"] == 1
    assert all(description not in it.reason for it in result.items)
    assert all(it.reason for it in result.items)  # grounded reasons took their place
    assert degraded_codes(result.degraded_reason) == [
        Degraded.MISSING_REASONS,
        Degraded.PARTIAL_RANKING,
    ]


@pytest.mark.django_db
def test_the_page_of_a_partly_grounded_llm_persona_does_not_say_it_was_written_without_it(client):
    from django.urls import reverse

    from llm_worker.contracts import degraded
    from llm_worker.tests.degraded_samples import KO
    from llm_worker.tests.test_views_persona import login, persona

    user = login(client, language="ko")
    persona(
        user,
        summary="범죄 영화를 즐겨 봅니다.",
        engine="llm:transformers",
        degraded_reason=degraded(Degraded.MISSING_REASONS, "persona reasons counted"),
    )
    html = client.get(reverse("llm_worker:persona")).text
    assert KO[Degraded.MISSING_REASONS] in html
    assert "언어 모델 없이 작성됨:" not in html
