"""The grounded engine: persona and reasons counted from the user's own movies, ko and en."""

from __future__ import annotations

from llm_worker.backends import get_backend
from llm_worker.backends.grounded import description_facts, grounded_persona, grounded_reason
from llm_worker.contracts import PersonaInput
from llm_worker.pipeline import persona_build, rerank
from llm_worker.tests.llm_samples import (
    CANDIDATES_EN,
    CANDIDATES_KO,
    PROFILE_EN,
    WATCHED_EN,
    WATCHED_KO,
    persona_input,
    rerank_input,
)


def test_description_facts_in_english_and_korean():
    facts = description_facts(WATCHED_EN[0].description)
    assert facts.genres == ("Crime", "Drama", "Thriller")
    assert facts.directors == ("Michael Mann",)
    assert facts.keywords == ("heist", "los angeles")
    ko = description_facts(WATCHED_KO[0].description)
    assert ko.genres == ("범죄", "드라마", "미스터리")
    assert ko.directors == ("봉준호",)


def test_persona_cites_the_users_own_titles():
    persona = grounded_persona(persona_input("en"))
    assert persona.engine == "grounded"
    assert persona.liked_traits[0] == "Crime films"  # all 5 movies are crime
    assert "films by Michael Mann" in persona.liked_traits
    assert "films by David Fincher" in persona.liked_traits
    mann = next(r for r in persona.reasons if "Michael Mann" in r.text)
    assert set(mann.movie_ids) == {1, 2}
    assert "Heat" in mann.text
    assert "Collateral" in mann.text


def test_korean_persona():
    persona = persona_build(get_backend("grounded"), persona_input("ko"))
    assert "봉준호 감독의 영화" in persona.liked_traits
    assert any("「살인의 추억」" in r.text for r in persona.reasons)
    assert "본 영화 3편" in persona.summary


def test_no_movies_gives_an_honest_empty_persona():
    persona = grounded_persona(PersonaInput(profile=PROFILE_EN, watched=()))
    assert "No watched movies yet" in persona.summary
    assert persona.reasons == []


def test_reasons_use_evidence():
    thief = grounded_reason(CANDIDATES_EN[0], WATCHED_EN, "en")
    assert thief.startswith("Because you watched Heat")
    assert "by Michael Mann, like Collateral" in thief
    toy = grounded_reason(CANDIDATES_EN[1], WATCHED_EN, "en")
    assert toy == "Rated highly by viewers with tastes like yours."
    parasite = grounded_reason(CANDIDATES_KO[1], WATCHED_KO, "ko")
    assert "「살인의 추억」" in parasite
    assert "봉준호 감독 작품" in parasite


def test_grounded_rerank_keeps_the_recommender_order():
    result = rerank(get_backend("grounded"), rerank_input(k=4))
    assert result.engine == "grounded"
    assert result.degraded_reason == ""
    assert [it.movie_id for it in result.items] == [10, 11, 12, 13]
    assert [it.fit_score for it in result.items] == [10, 9, 8, 7]
    assert get_backend("grounded").count_tokens("Slow-burn Korean thrillers, please!") == 8


def test_the_grounded_persona_quotes_the_correction_first_bounded_and_on_one_line():
    for language, heard in (("en", "You told us: “"), ("ko", "직접 알려 주신 취향: “")):
        plain = grounded_persona(persona_input(language))
        said = "No musicals,\n\nplease. " + "Slow burners. " * 40
        result = grounded_persona(persona_input(language, correction=said))
        first = result.reasons[0]
        assert first.text.startswith(heard + "No musicals, please. Slow burners.")
        assert first.movie_ids == ()  # the user's words, not a claim about their movies
        assert len(first.text) <= len(heard) + 200 + 1
        assert first.text.endswith("…”")
        assert result.reasons[1:] == plain.reasons  # the counted reasons are all still there
        assert result.summary == plain.summary  # later prompts carry it outside <user_data>
    assert all("You told us" not in r.text for r in grounded_persona(persona_input("en")).reasons)
