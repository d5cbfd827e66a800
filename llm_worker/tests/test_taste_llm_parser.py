"""The LLM request parser: the model's names are checked against the catalogue, invented ones
dropped and reported, and any failure gives the grounded reading with the reason."""

from __future__ import annotations

import json

import pytest

from llm_worker.backends import get_backend
from llm_worker.backends.base import LLMTimeout, LLMUnavailable
from llm_worker.constrained import compile_schema
from llm_worker.taste.grounded_parser import parse_request
from llm_worker.taste.llm_parser import llm_parse_request, llm_schema
from llm_worker.taste.request import PersonRef, TasteRequest
from llm_worker.tests.fake_backend import FakeBackend
from llm_worker.tests.taste_lexicon import (
    ARRIVAL,
    BONG,
    GENRES,
    HEAT_1972,
    NOLAN,
    small_lexicon,
)
from llm_worker.tests.tiny_llama import build_tiny_llama

LEX = small_lexicon()


def answer(**fields) -> str:
    empty = {name: [] for name in llm_schema(LEX)["required"]}
    empty.update(year_min=0, year_max=0, runtime_min=0, runtime_max=0, start_over="no")
    return json.dumps({**empty, **fields}, ensure_ascii=False)


def read(text: str, *answers) -> tuple:
    backend = FakeBackend(*answers)
    return llm_parse_request(text, lexicon=LEX, backend=backend), backend


def test_the_models_reading_is_used_when_it_names_real_things():
    result, backend = read(
        "slow-burn 90s sci-fi by Nolan, like Arrival",
        answer(
            genres_in=["Sci-Fi"],
            people_in=["Christopher Nolan"],
            year_min=1990,
            year_max=1999,
            like_titles=["Arrival"],
            mood=["slow-burn"],
        ),
    )
    assert result.engine == "llm"
    assert result.fallback == ""
    assert result.request == TasteRequest(
        genres_in=("Sci-Fi",),
        people_in=(PersonRef(NOLAN, "Christopher Nolan", "director"),),
        year_min=1990,
        year_max=1999,
        seed_movie_ids=(ARRIVAL,),
        mood=("slow-burn",),
    )
    assert result.not_understood == ()
    assert backend.schemas[0] == llm_schema(LEX)


def test_invented_names_are_dropped_and_reported():
    result, _ = read(
        "something like the godfather sequel with that director",
        answer(
            genres_in=["Sci-Fi", "Cyberpunk"],
            people_in=["Zorg Blimp", "Tom Hanks"],
            like_titles=["The Godfather Part IV", "Heat (1972)"],
            languages_in=["xx"],
            year_min=3000,
        ),
    )
    assert result.engine == "llm"
    assert result.request.genres_in == ("Sci-Fi",)
    assert [p.name for p in result.request.people_in] == ["Tom Hanks"]
    assert result.request.seed_movie_ids == (HEAT_1972,)
    assert result.request.languages_in == ()
    assert result.request.year_min is None
    invented = {n.text for n in result.not_understood if n.reason == "invented"}
    assert invented == {"Cyberpunk", "Zorg Blimp", "The Godfather Part IV", "xx", "year_min 3000"}


def test_a_near_miss_name_is_not_taken_for_a_real_one():
    result, _ = read("nolan", answer(people_in=["Christopher Nolan Jr"], genres_in=["Drama"]))
    assert result.request.people_in == ()
    assert [n.reason for n in result.not_understood] == ["invented"]


def test_korean_aliases_count_as_catalogue_names():
    result, _ = read("봉준호 감독", answer(people_in=["봉준호"]))
    assert result.request.people_in == (PersonRef(BONG, "Bong Joon-ho", "director"),)


def test_unknown_keywords_become_soft_themes_and_are_reported():
    result, _ = read(
        "time travel and robots in love", answer(keywords_in=["time travel", "robot love"])
    )
    assert result.request.keywords_in == ("time travel",)
    assert result.request.themes == ("robot love",)
    assert [(n.text, n.reason) for n in result.not_understood] == [
        ("robot love", "not_in_catalogue")
    ]


@pytest.mark.parametrize(
    ("output", "code"),
    [
        ("I think you want a comedy!", "unparseable"),
        ('{"genres_in": ["Comedy"', "unparseable"),
        ("", "unparseable"),
        ('{"genres_in": "Horror", "year_min": "soon", "people_in": {"a": 1}}', "unparseable"),
        (LLMTimeout("no answer within 20 s"), "timeout"),
        (LLMUnavailable("connection refused"), "llm_unavailable"),
        (RuntimeError("backend bug"), "llm_unavailable"),
    ],
)
def test_any_failure_gives_the_grounded_reading_and_says_why(output, code):
    text = "no horror, comedies like Arrival"
    result, backend = read(text, output, output)  # the same answer to the one repair turn
    assert result.engine == "grounded"
    assert result.fallback.startswith(code)
    assert result.request == parse_request(text, lexicon=LEX).request
    # An answer the parser refuses is sent back once; a failed call is not repeated.
    assert len(backend.calls) == (2 if code == "unparseable" else 1)


def test_a_refused_answer_is_repaired_once_like_the_other_questions():
    result, backend = read(
        "no horror, comedies like Arrival",
        "I think you want a comedy!",
        answer(genres_in=["Comedy"], genres_out=["Horror"], like_titles=["Arrival"]),
    )
    assert result.engine == "llm"
    assert result.fallback == ""
    assert result.request.seed_movie_ids == (ARRIVAL,)
    assert "no JSON object" in backend.calls[1][-1]["content"]  # the repair says what was wrong
    assert '"genres_in": [str]' in backend.calls[1][-1]["content"]  # and what to write


def test_the_prompt_is_the_versioned_one_in_the_users_language():
    from llm_worker.prompts import VERSIONS, taste_messages
    from llm_worker.taste.llm_parser import TasteAsk, taste_task

    base = parse_request("봉준호 감독", lexicon=LEX)
    _, en = read("봉준호 감독", answer(people_in=["봉준호"]))
    ko = FakeBackend(answer(people_in=["봉준호"]))
    result = llm_parse_request("봉준호 감독", lexicon=LEX, backend=ko, language="ko")
    assert result.request.people_in == (PersonRef(BONG, "Bong Joon-ho", "director"),)
    assert ko.calls[0] == taste_messages(
        "봉준호 감독", genres=LEX.genres, languages=LEX.languages, language="ko"
    )
    assert "JSON으로 바꾸세요" in ko.calls[0][0]["content"]
    assert "into JSON for a recommender" in en.calls[0][0]["content"]  # the default: English
    assert ", ".join(GENRES) in ko.calls[0][0]["content"]
    assert taste_task(TasteAsk("x", LEX, base)).version == VERSIONS["taste"]


def test_malformed_fields_alone_are_dropped_but_an_empty_reading_falls_back():
    result, _ = read("comedies", answer(genres_in=["Nope"]))
    assert result.engine == "grounded"
    assert result.fallback.startswith("unparseable")
    assert result.request.genres_in == ("Comedy",)


def test_what_only_the_raw_text_shows_is_still_reported():
    result, backend = read("<script>x</script> comedies", answer(genres_in=["Comedy"]))
    assert result.engine == "llm"
    assert [n.reason for n in result.not_understood] == ["markup"]
    assert "<script>" not in backend.calls[0][-1]["content"]


def test_a_backend_that_writes_no_text_leaves_the_grounded_reading():
    backend = get_backend("grounded")
    result = llm_parse_request("no horror", lexicon=LEX, backend=backend)
    assert result.engine == "grounded"
    assert result.fallback == ""
    assert result.request.genres_out == ("Horror",)


def test_the_schema_offers_only_catalogue_genres_and_languages():
    schema = llm_schema(LEX)
    compile_schema(schema)
    assert schema["properties"]["genres_in"]["items"]["enum"] == list(GENRES)
    assert schema["properties"]["languages_out"]["items"]["enum"] == ["en", "fr", "ja", "ko"]


def test_a_tiny_random_model_cannot_put_a_name_outside_the_catalogue(tmp_path):
    folder = build_tiny_llama(tmp_path / "tiny")
    backend = get_backend("transformers", model=str(folder), device="cpu", quantization="none")
    text = "slow-burn sci-fi like Arrival, no horror"
    result = llm_parse_request(text, lexicon=LEX, backend=backend, max_new_tokens=160)
    request = result.request
    people = {p.person_id for p in (*request.people_in, *request.people_out)}
    assert people <= {p.person_id for p in LEX.people}
    movies = {*request.seed_movie_ids, *request.avoid_movie_ids}
    assert movies <= {t.movie_id for t in LEX.titles}
    assert set(request.genres_in) | set(request.genres_out) <= set(GENRES)
    if result.engine == "grounded":  # noise that named nothing real: the grounded reading
        assert result.fallback
        assert request == parse_request(text, lexicon=LEX).request
