"""Constrained decoding makes a small model's answer well-formed, not meaningful: it can still
loop ("your tastes are a reflection of your tastes ...") or pad a reason with labels. Such text
is refused like a copy of the prompt: a looping summary is repaired once, then replaced; a
looping reason or trait is dropped and a grounded one shown in its place, flagged."""

from __future__ import annotations

import json

import pytest

from llm_worker.contracts import Degraded, degraded_codes
from llm_worker.parsing import (
    ParseError,
    copied_from,
    not_prose,
    parse_persona,
    parse_rerank,
    repetitive,
)
from llm_worker.pipeline import persona_build, rerank
from llm_worker.tests.fake_backend import FakeBackend
from llm_worker.tests.llm_samples import persona_input, rerank_input

LOOP = "Your tastes are a reflection of your tastes are a reflection of your tastes are a"
LABELS = "... (C01) (C01) (C01) (C01) (C01) (C01) (C01)"


@pytest.mark.parametrize(
    "text",
    [
        LOOP,
        LABELS,
        "great movie great movie great movie great movie",
        "좋은 영화 좋은 영화 좋은 영화 좋은 영화입니다",
        "fun fun fun, very fun, so fun fun",  # 8 words, 3 different
    ],
)
def test_looping_text_is_repetitive(text):
    assert repetitive(text)


@pytest.mark.parametrize(
    "text",
    [
        "A fan of tense crime dramas who likes patient detectives and morally grey heroes.",
        "Toy Story, Toy Story 2, Toy Story 3 and Toy Story 4 are the saga of growing up.",
        "히트와 대부를 좋아하셨다면 충성과 배신을 다룬 이 느린 범죄 서사극도 마음에 드실 거예요.",
        "fun fun fun fun",  # too short to tell
        "The plot is slow and the cast is real, the end is open and the score is soft, the "
        "city is a character and the night is long, the hero is tired and the villain is kind.",
    ],
)
def test_prose_is_not_repetitive(text):
    assert not repetitive(text)


def test_long_texts_may_repeat_their_small_words_more():
    content = [f"word{i}" for i in range(17)]
    fillers = ["the", "and"]
    long = " ".join(f"{content[i % 17]} {fillers[i % 2]}" for i in range(20))  # 40 words
    assert 0.4 < 19 / 40 < 0.5  # 19 different words: over the long floor, under the short
    assert not repetitive(long)
    assert repetitive("alpha the beta and alpha and beta the alpha the")  # 10 words, 4 different


def test_a_looping_summary_does_not_parse_and_looping_reasons_and_traits_are_dropped():
    with pytest.raises(ParseError, match="same words over and over"):
        parse_persona(json.dumps({"summary": LOOP}), labels={"W01"}, language="en")
    answer = {
        "summary": "A fan of patient crime stories.",
        "liked": ["slow-burn detectives", "great movie great movie great movie great movie"],
        "reasons": [
            {"text": LABELS, "movies": ["W01"]},
            {"text": "Heat and Se7en share a patient hunt.", "movies": ["W01"]},
        ],
    }
    parsed = parse_persona(json.dumps(answer), labels={"W01"}, language="en")
    assert parsed.liked == ["slow-burn detectives"]
    assert parsed.reasons == [("Heat and Se7en share a patient hunt.", ("W01",))]
    assert (parsed.repetitive, parsed.copied) == (2, 0)


def test_a_looping_persona_is_repaired_once_then_replaced_by_the_grounded_one():
    loop = json.dumps({"summary": LOOP})
    good = json.dumps({"summary": "Patient crime stories.", "liked": ["detectives"]})
    backend = FakeBackend(loop, good)
    repaired = persona_build(backend, persona_input())
    assert (repaired.engine, repaired.parse_attempts) == ("llm:fake", 2)
    assert "same words over and over" in backend.calls[1][-1]["content"]
    replaced = persona_build(FakeBackend(loop, loop), persona_input())
    assert replaced.engine == "grounded"
    assert LOOP not in replaced.summary
    assert degraded_codes(replaced.degraded_reason) == [Degraded.UNPARSEABLE]


def test_a_looping_reason_is_replaced_by_a_grounded_one_and_flagged():
    answer = {
        "final": [
            {"label": "C03", "fit": 9, "reason": LABELS},
            {"label": "C05", "fit": 8, "reason": "Another slow-burn hunt for a killer."},
        ]
    }
    parsed = parse_rerank(json.dumps(answer), labels={"C03", "C05"}, language="en", k=2)
    assert [it.reason for it in parsed.items] == ["", "Another slow-burn hunt for a killer."]
    assert (parsed.missing_reasons, parsed.repetitive) == (1, 1)
    result = rerank(FakeBackend(json.dumps(answer)), rerank_input(k=2))
    assert result.stats["repetitive"] == 1
    assert all(it.reason and "(C01)" not in it.reason for it in result.items)
    assert result.items[1].reason == "Another slow-burn hunt for a killer."
    assert degraded_codes(result.degraded_reason) == [Degraded.MISSING_REASONS]


def test_a_looping_chat_reply_is_repaired_then_acknowledged_and_the_users_words_kept():
    from llm_worker.pipeline import chat_reply
    from llm_worker.tests.test_pipeline import PROFILE_EN

    loop = json.dumps({"reply": LOOP, "request": "lighter crime"})
    backend = FakeBackend(loop, loop)
    reply = chat_reply(backend, profile=PROFILE_EN, persona_summary="", text="something lighter")
    assert "same words over and over" in backend.calls[1][-1]["content"]
    assert (reply.engine, reply.request) == ("grounded", "something lighter")
    assert LOOP not in reply.reply
    restated = json.dumps({"reply": "Lighter picks coming.", "request": LABELS})
    ok = chat_reply(
        FakeBackend(restated), profile=PROFILE_EN, persona_summary="", text="something lighter"
    )
    assert (ok.engine, ok.reply, ok.request) == (
        "llm:fake",
        "Lighter picks coming.",
        "something lighter",
    )


# --- no sentence, stitched copies, the same reason twice ------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "MovieCupcake",  # one made-up word
        "Movies they loved: 1994, 1995, 1996, 1997, 1998, 1999, 2000, 2001",
        "... (C01) (C02) (C03)",
    ],
)
def test_lists_of_numbers_labels_and_single_words_are_no_sentence(text):
    assert not_prose(text)


@pytest.mark.parametrize(
    "text",
    [
        "Another slow-burn hunt for a killer.",
        "Se7en (1995) and Zodiac (2007) share a patient hunt.",
        "범죄 영화를 즐겨 보십니다",
    ],
)
def test_sentences_with_titles_and_years_are_prose(text):
    assert not not_prose(text)


def test_numbers_do_not_make_a_looping_list_look_varied():
    years = ", ".join(f"The ({year})" for year in range(1991, 2000))  # 9 words, 1 different
    assert repetitive(years)


def test_a_text_stitched_from_pieces_of_the_prompt_is_copied():
    prompt = (
        "W01: Spaceballs (1987). Genres: Comedy, Sci-Fi.\n"
        "W02: Silence of the Lambs, The (1991). Genres: Crime, Horror, Thriller.\n"
        "W03: Enemy of the State (1998). Genres: Action, Thriller."
    )
    stitched = "They loved Spaceballs (1987), Silence of the Lambs, The (1991), Enemy of the State"
    assert copied_from(stitched, prompt)
    own = "Likes Spaceballs-style spoofs and paranoid thrillers about surveillance and the state."
    assert not copied_from(own, prompt)


def test_summaries_that_are_no_sentence_do_not_parse_and_such_reasons_are_missing():
    with pytest.raises(ParseError, match="no sentence"):
        parse_persona(
            json.dumps({"summary": "Movies they loved: 1994, 1995, 1996, 1997, 1998, 1999"}),
            labels={"W01"},
            language="en",
        )
    answer = {
        "final": [
            {"label": "C03", "fit": 9, "reason": "MovieCupcake"},
            {"label": "C05", "fit": 8, "reason": "The movie Forrest Gump is warm."},
            {"label": "C01", "fit": 7, "reason": "The movie Forrest Gump is warm."},
        ]
    }
    parsed = parse_rerank(json.dumps(answer), labels={"C01", "C03", "C05"}, language="en", k=3)
    assert [it.reason for it in parsed.items] == ["", "The movie Forrest Gump is warm.", ""]
    assert (parsed.missing_reasons, parsed.not_prose, parsed.repetitive) == (2, 1, 1)
