"""The grounded engine: a backend like the others, persona counted from the catalogue facts of
the user's own movies, ko and en."""

from __future__ import annotations

import dataclasses
import itertools
import re

from llm_worker.backends import get_backend
from llm_worker.backends.base import Answer
from llm_worker.contracts import KeywordStats, MovieBrief, MovieFacts, PersonaInput
from llm_worker.pipeline import persona_build, persona_fallback, rerank, rerank_fallback
from llm_worker.tests.fake_backend import FakeBackend
from llm_worker.tests.llm_samples import (
    PROFILE_EN,
    WATCHED_EN,
    persona_input,
    rerank_input,
)


def test_persona_cites_the_users_own_titles():
    persona = persona_build(get_backend("grounded"), persona_input("en"))
    assert persona.engine == "grounded"
    assert persona.degraded_reason == ""
    assert persona.liked_traits[0] == "Crime films"  # all 5 movies are crime
    assert "films by Michael Mann" in persona.liked_traits
    assert "films by David Fincher" in persona.liked_traits
    mann = next(r for r in persona.reasons if "Michael Mann" in r.text)
    assert set(mann.movie_ids) == {1, 2}  # Heat and Collateral, the page lists them
    assert mann.text == "2 of your 5 movies are by Michael Mann."


def test_persona_counts_add_up_to_the_movies_it_names():
    persona = persona_build(get_backend("grounded"), persona_input("en"))
    crime = next(r for r in persona.reasons if "Crime" in r.text)
    # 5 crime movies: all five cited (the page lists them), never "5" with 3 listed.
    assert crime.text == "5 of your 5 movies are Crime films."
    assert crime.movie_ids == (5, 4, 3, 2, 1)
    for reason in persona.reasons:
        count = int(re.search(r"(\d+) (?:of your|films by)", reason.text).group(1))
        assert count == len(reason.movie_ids)
    # Two reasons in a row never share a sentence frame.
    frames = [
        re.sub(r"\d+|Crime|Drama|Michael Mann|David Fincher|\S+s\b", "", r.text)
        for r in persona.reasons
    ]
    assert all(a != b for a, b in itertools.pairwise(frames))


def test_korean_persona_is_grammatical_with_korean_genre_names():
    persona = persona_build(get_backend("grounded"), persona_input("ko"))
    assert "봉준호 감독의 영화" in persona.liked_traits
    assert "범죄 장르" in persona.liked_traits  # not "Crime"
    assert any(21 in r.movie_ids for r in persona.reasons)  # 「살인의 추억」, cited
    assert "보신 영화 3편 중 3편이 범죄 장르예요." in [r.text for r in persona.reasons]
    assert (
        persona.summary
        == "본 영화 3편을 보면 범죄 장르, 드라마 장르, 미스터리 장르를 즐겨 보십니다."
    )
    text = " ".join([persona.summary, *persona.liked_traits, *(r.text for r in persona.reasons)])
    assert "(를)" not in text
    assert "Crime" not in text


def test_no_movies_gives_an_honest_empty_persona():
    persona = persona_build(get_backend("grounded"), PersonaInput(profile=PROFILE_EN, watched=()))
    assert "No watched movies yet" in persona.summary
    assert persona.reasons == []
    assert persona.degraded_reason == ""  # nothing failed: there is nothing to say yet


def test_themes_are_keywords_that_set_the_users_movies_apart():
    # "los angeles" is everywhere in this catalogue; "serial killer" is rare: only the latter is
    # a theme of this user's, and it leads the themes.
    stats = KeywordStats(movies=1000, document_frequency={"los angeles": 300, "serial killer": 40})
    persona = persona_build(get_backend("grounded"), persona_input("en", keyword_stats=stats))
    themes = [t for t in persona.liked_traits if "theme" in t]
    assert themes == ["the “serial killer” theme"]
    # Without the catalogue's figures both recur often enough to be counted.
    plain = persona_build(get_backend("grounded"), persona_input("en"))
    assert {"the “los angeles” theme", "the “serial killer” theme"} <= set(plain.liked_traits)


def test_a_tag_only_a_few_catalogue_movies_carry_is_no_theme():
    # "biology" tagged Alien and Spirited Away and two other films of 9,742: an accident of
    # tagging, not a taste ("2 of your movies share the biology theme").
    stats = KeywordStats(movies=1000, document_frequency={"los angeles": 300, "serial killer": 3})
    persona = persona_build(get_backend("grounded"), persona_input("en", keyword_stats=stats))
    assert not [t for t in persona.liked_traits if "theme" in t]


def test_facts_are_read_from_the_data_never_from_the_description_text():
    # The description text says Comedy; the catalogue facts say Crime: the facts win, and a
    # movie without facts contributes its year only (nothing is parsed back out of text).
    misleading = tuple(
        dataclasses.replace(m, description="Genres: Comedy. Director: Nobody.") for m in WATCHED_EN
    )
    persona = persona_build(get_backend("grounded"), persona_input("en"))
    same = persona_build(
        get_backend("grounded"), PersonaInput(profile=PROFILE_EN, watched=misleading)
    )
    assert same.liked_traits == persona.liked_traits
    bare = tuple(MovieBrief(m.movie_id, m.title, m.year, m.description) for m in WATCHED_EN)
    counted = persona_build(get_backend("grounded"), PersonaInput(profile=PROFILE_EN, watched=bare))
    assert counted.liked_traits == ["films from the 2000s"]  # the one fact a bare brief has
    assert MovieBrief(1, "X", None, "").known_facts() == MovieFacts(title="X")


def test_a_standing_request_moves_ruled_out_traits_to_the_disliked_list():
    request = {
        "genres_out": ["Thriller"],
        "people_out": [{"person_id": 1, "name": "Michael Mann", "role": "director"}],
        "genres_in": ["Romance"],
    }
    persona = persona_build(get_backend("grounded"), persona_input("en", request=request))
    assert "Thriller films" not in persona.liked_traits
    assert "films by Michael Mann" not in persona.liked_traits
    assert "Thriller" not in persona.summary
    assert "Thriller films, as you told us" in persona.disliked_traits
    assert "films by Michael Mann, as you told us" in persona.disliked_traits
    assert "Romance films (you told us)" in persona.liked_traits
    ko = persona_build(get_backend("grounded"), persona_input("ko", request=request))
    assert "스릴러 장르는 원하지 않는다고 하심" in ko.disliked_traits


def test_the_grounded_persona_quotes_the_correction_first_bounded_and_on_one_line():
    for language, heard in (("en", "You told us: “"), ("ko", "직접 알려 주신 취향: “")):
        plain = persona_fallback(persona_input(language), degraded_reason="")
        said = "No musicals,\n\nplease. " + "Slow burners. " * 40
        result = persona_fallback(persona_input(language, correction=said), degraded_reason="")
        first = result.reasons[0]
        assert first.text.startswith(heard + "No musicals, please. Slow burners.")
        assert first.movie_ids == ()  # the user's words, not a claim about their movies
        assert len(first.text) <= len(heard) + 200 + 1
        assert first.text.endswith("…”")
        assert result.reasons[1:] == plain.reasons  # the counted reasons are all still there
        assert result.summary == plain.summary  # later prompts carry it outside <user_data>
    plain = persona_fallback(persona_input("en"), degraded_reason="")
    assert all("You told us" not in r.text for r in plain.reasons)


def test_the_grounded_backend_answers_tasks_like_any_backend():
    from llm_worker.asks import persona_task, rerank_task

    backend = get_backend("grounded")
    answer = backend.ask(rerank_task(rerank_input(k=2), variant="optimized"))
    assert isinstance(answer, Answer)
    assert answer.attempts == 0  # no model was called
    assert [item.label for item in answer.parsed.items] == ["C01", "C02"]
    persona = backend.ask(persona_task(persona_input("en")))
    assert persona.parsed.summary.startswith("From your 5 movies")
    assert backend.count_tokens("Slow-burn Korean thrillers, please!") == 8


def test_grounded_rerank_keeps_the_recommender_order():
    result = rerank(get_backend("grounded"), rerank_input(k=4))
    assert result.engine == "grounded"
    assert result.degraded_reason == ""
    assert [it.movie_id for it in result.items] == [10, 11, 12, 13]
    assert [it.fit_score for it in result.items] == [10, 9, 8, 7]
    assert all(it.reason for it in result.items)


def test_the_fallbacks_are_the_grounded_backend_behind_the_same_interface():
    inp = rerank_input(k=3)
    late = rerank_fallback(inp, degraded_reason="timeout: the task passed its soft time limit")
    asked = rerank(get_backend("grounded"), inp)
    assert late.engine == "grounded"
    assert late.degraded_reason == "timeout: the task passed its soft time limit"
    assert [(i.movie_id, i.reason) for i in late.items] == [
        (i.movie_id, i.reason) for i in asked.items
    ]
    # A model that cannot answer gets the very same list, with the reason why.
    failed = rerank(FakeBackend("no json", "still none"), inp)
    assert [(i.movie_id, i.reason) for i in failed.items] == [
        (i.movie_id, i.reason) for i in asked.items
    ]
    persona = persona_fallback(persona_input("ko"), degraded_reason="timeout: late")
    assert persona.engine == "grounded"
    assert persona.degraded_reason == "timeout: late"
