"""The structured taste request: turn-by-turn combination, JSON storage and schema."""

from __future__ import annotations

import json

import pytest

from llm_worker.constrained import compile_schema
from llm_worker.taste.grounded_parser import parse_request
from llm_worker.taste.request import (
    PersonRef,
    TasteRequest,
    TasteRequestError,
    combine,
    describe,
    from_json,
    json_schema,
    to_json,
)
from llm_worker.tests.taste_lexicon import NOLAN, small_lexicon

LEX = small_lexicon()
NOLAN_DIR = PersonRef(NOLAN, "Christopher Nolan", "director")


def said(*turns: str) -> TasteRequest:
    """The request in force after these chat turns."""
    request = None
    for text in turns:
        request = combine(request, parse_request(text, lexicon=LEX).request)
    return request


# --- combine ----------------------------------------------------------------------------------
def test_a_new_decade_replaces_the_old_one():
    request = said("sci-fi from the 90s", "80s instead")
    assert (request.year_min, request.year_max) == (1980, 1989)
    assert request.genres_in == ("Sci-Fi",)  # what the new turn did not mention stays


def test_asking_for_comedy_lifts_no_comedy():
    request = said("no comedy", "comedy")
    assert request.genres_in == ("Comedy",)
    assert request.genres_out == ()


def test_no_more_x_persists_until_lifted():
    request = said("no more horror", "something from the 90s", "like Arrival", "French")
    assert request.genres_out == ("Horror",)
    assert request.languages_in == ("fr",)
    assert request.seed_movie_ids == (3,)
    assert said("no more horror", "ok, horror again").genres_in == ("Horror",)


def test_the_persona_correction_stands_like_any_exclusion():
    correction = "I don't like action movies; I prefer quiet character dramas"
    request = said(correction, "something from the 2000s", "like Inception")
    assert request.genres_out == ("Action",)
    assert request.genres_in == ("Drama",)
    assert "quiet" in request.mood
    assert (request.year_min, request.year_max) == (2000, 2009)


def test_excluding_what_was_asked_for_drops_it():
    request = said("Nolan films", "no Nolan")
    assert request.people_in == ()
    assert request.people_out == (NOLAN_DIR,)


def test_new_genres_replace_the_old_ones_and_moods_too():
    request = said("slow-burn sci-fi", "something lighter, a comedy")
    assert request.genres_in == ("Comedy",)
    assert request.mood == ("light-hearted",)


def test_start_over_keeps_only_the_exclusions():
    request = said(
        "no horror, Nolan films from the 90s like Inception", "start over: French dramas"
    )
    assert request.genres_out == ("Horror",)
    assert request.people_in == ()
    assert request.seed_movie_ids == ()
    assert (request.year_min, request.year_max) == (None, None)
    assert request.languages_in == ("fr",)
    assert request.genres_in == ("Drama",)
    assert request.reset is False  # the stored request is a state, not a turn


def test_asking_for_a_decade_lifts_its_exclusion():
    request = said("no 80s movies", "80s then")
    assert request.years_out == ()
    assert (request.year_min, request.year_max) == (1980, 1989)


def test_excluding_the_decade_asked_for_drops_it():
    request = said("90s sci-fi", "no 90s movies after all")
    assert (request.year_min, request.year_max) == (None, None)
    assert request.years_out == ((1990, 1999),)


def test_combine_with_nothing_before_is_the_new_request():
    new = parse_request("like Arrival, no horror", lexicon=LEX).request
    assert combine(None, new) == new


def test_runtime_replaced_as_a_whole():
    request = said("at least 2 hours", "under 100 minutes")
    assert (request.runtime_min, request.runtime_max) == (None, 100)


# --- JSON -------------------------------------------------------------------------------------
FULL = TasteRequest(
    genres_in=("Sci-Fi", "Drama"),
    genres_out=("Horror",),
    people_in=(NOLAN_DIR,),
    people_out=(PersonRef(5, "Tom Hanks", "cast"),),
    year_min=1990,
    year_max=2005,
    years_out=((1980, 1989),),
    runtime_min=80,
    runtime_max=150,
    languages_in=("ko", "ja"),
    languages_out=("en",),
    countries_in=("South Korea",),
    countries_out=("United States of America",),
    keywords_in=("time travel",),
    keywords_out=("zombie",),
    avoid_movie_ids=(4,),
    seed_movie_ids=(3, 5),
    mood=("slow-burn",),
    mood_out=("dark",),
    themes=("strong female leads", "잔잔한 이야기"),
    reset=True,
)


def test_json_round_trip_keeps_everything():
    text = json.dumps(to_json(FULL), ensure_ascii=False)
    assert from_json(text) == FULL
    assert from_json(json.loads(text)) == FULL
    assert from_json(to_json(TasteRequest())) == TasteRequest()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"genres_in": "Comedy"}, "genres_in"),
        ({"people_in": [{"person_id": "1", "name": "x"}]}, "person_id"),
        ({"people_in": [{"person_id": 1, "name": "x", "role": "writer"}]}, "role"),
        ({"bogus": 1}, "bogus"),
        ({"year_min": 2000, "year_max": 1990}, "year_min"),
        ({"year_min": 20000}, "year_min"),
        ({"years_out": [[1990]]}, "years_out"),
        ({"version": 99}, "version"),
        ("{not json", "JSON"),
        ("[1, 2]", "object"),
    ],
)
def test_invalid_stored_data_is_refused_with_the_reason(data, problem):
    with pytest.raises(TasteRequestError, match=problem):
        from_json(data)


def test_the_schema_describes_what_to_json_writes():
    schema = json_schema()
    json.dumps(schema)  # serialisable as it is
    data = to_json(FULL)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(data)
    kinds = {list: "array", int: "integer", bool: "boolean", str: "string"}
    for name, value in data.items():
        prop = schema["properties"][name]
        allowed = {prop.get("type")} | {alt.get("type") for alt in prop.get("anyOf", ())}
        if "const" in prop:
            assert value == prop["const"]
        else:
            assert kinds[type(value)] in allowed, name


def test_the_llm_schema_is_one_the_constrained_decoder_accepts():
    from llm_worker.taste.llm_parser import llm_schema

    compile_schema(llm_schema(LEX))  # raises ValueError on anything it cannot decode


def test_describe_lists_every_part_in_a_stable_order():
    pieces = describe(FULL, titles={3: "Arrival (2016)"})
    kinds = [p.kind for p in pieces]
    assert kinds.index("genre") < kinds.index("person") < kinds.index("years")
    assert ("seed", "in", "Arrival (2016)") in {(p.kind, p.polarity, p.value) for p in pieces}
    assert ("years", "out", "1980-1989") in {(p.kind, p.polarity, p.value) for p in pieces}
    assert describe(TasteRequest()) == ()


def test_list_fields_are_deduplicated_and_capped():
    request = TasteRequest(genres_in=["Drama", "Drama", "Comedy"], seed_movie_ids=tuple(range(99)))
    assert request.genres_in == ("Drama", "Comedy")
    assert len(request.seed_movie_ids) == 40
