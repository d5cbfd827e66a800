"""The movie description the LLM sees: deterministic, compact, ko/en labels, loaded without a
query per movie."""

from __future__ import annotations

import pytest

from movies.describe import (
    MovieFacts,
    genre_name,
    keyword_frequencies,
    movie_description,
    movie_descriptions,
    movie_facts,
    trim,
)
from movies.models import Credit

from .factories import CreditFactory, GenreFactory, KeywordFactory, MovieFactory, PersonFactory

MATRIX = MovieFacts(
    title="The Matrix",
    year=1999,
    genres=("Sci-Fi", "Action"),
    directors=("Lilly Wachowski", "Lana Wachowski"),
    cast=("Keanu Reeves", "Laurence Fishburne", "Carrie-Anne Moss", "Hugo Weaving",
          "Joe Pantoliano", "Marcus Chong"),
    keywords=("saviour", "artificial intelligence", "virtual reality", "dystopia", "hacker",
              "martial arts", "prophecy", "rebellion", "simulated reality", "truth"),
    runtime=136,
    vote_average=7.9,
    vote_count=9079,
    mean_rating=4.19,
    num_ratings=278,
    overview="Set in the 22nd century, The Matrix tells the story of a computer hacker " * 8,
)  # fmt: skip


def test_english_description():
    text = movie_description(MATRIX, "en")

    lines = text.split("\n")
    assert lines[0] == "The Matrix (1999)"
    assert lines[1] == "Genres: Action, Sci-Fi"
    assert lines[2] == "Director: Lilly Wachowski, Lana Wachowski"
    assert lines[3] == (
        "Cast: Keanu Reeves, Laurence Fishburne, Carrie-Anne Moss, Hugo Weaving, Joe Pantoliano"
    )
    assert lines[4].startswith("Keywords: artificial intelligence, dystopia, hacker")
    assert len(lines[4].removeprefix("Keywords: ").split(", ")) == 8
    assert lines[5] == "Runtime: 136 min"
    assert lines[6] == "Rating: TMDb 7.9/10 (9,079 votes) · MovieLens 4.2/5 (278 ratings)"
    assert lines[7].startswith("Overview: Set in the 22nd century")
    assert lines[7].endswith("…")
    assert len(lines[7]) <= len("Overview: ") + 301


def test_korean_labels_and_genres():
    text = movie_description(MATRIX, "ko")

    assert "장르: 액션, SF" in text
    assert "감독: Lilly Wachowski, Lana Wachowski" in text
    assert "상영 시간: 136분" in text
    assert "평점: TMDb 7.9/10 (투표 9,079건) · MovieLens 4.2/5 (평가 278건)" in text
    assert "줄거리: Set in the 22nd century" in text


def test_missing_facts_leave_out_their_lines():
    text = movie_description(MovieFacts(title="Unknown Film"), "en")

    assert text == "Unknown Film"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="'ko' or 'en'"):
        movie_description(MATRIX, "fr")


def test_trim_cuts_at_a_word_boundary():
    assert trim("short text") == "short text"
    cut = trim("word " * 100, limit=22)
    assert cut == "word word word word…"


@pytest.mark.django_db
def test_descriptions_from_the_database_in_five_queries(django_assert_num_queries):
    movies = []
    for i in range(5):
        movie = MovieFactory(title=f"Film {i}", year=2000 + i, runtime=90 + i)
        movie.genres.add(GenreFactory(name="Drama"), GenreFactory(name="Comedy"))
        movie.keywords.add(KeywordFactory(name=f"topic {i}"))
        CreditFactory(movie=movie, person=PersonFactory(name=f"Star {i}"), order=1)
        CreditFactory(movie=movie, person=PersonFactory(name=f"Lead {i}"), order=0)
        CreditFactory(
            movie=movie, person=PersonFactory(name=f"Boss {i}"), role=Credit.Role.DIRECTOR
        )
        movies.append(movie)

    with django_assert_num_queries(5):  # with translations
        texts = movie_descriptions(movie_ids=[m.pk for m in movies], language="en")

    assert texts[movies[2].pk] == (
        "Film 2 (2002)\nGenres: Comedy, Drama\nDirector: Boss 2\nCast: Lead 2, Star 2\n"
        "Keywords: topic 2\nRuntime: 92 min\nOverview: A story."
    )
    again = movie_descriptions(movie_ids=[m.pk for m in movies], language="en")
    assert again == texts


@pytest.mark.django_db
def test_unknown_ids_are_left_out():
    movie = MovieFactory()

    assert set(movie_descriptions(movie_ids=[movie.pk, 999_999], language="ko")) == {movie.pk}


def test_genre_names_per_language():
    assert genre_name("Sci-Fi", "ko") == "SF"
    assert genre_name("Science Fiction", "ko") == "SF"  # TMDb's name for it
    assert genre_name("Crime", "ko") == "범죄"
    assert genre_name("Crime", "en") == "Crime"
    assert genre_name("Unheard Of", "ko") == "Unheard Of"  # shown as the catalogue has it


@pytest.mark.django_db
def test_facts_and_description_come_from_the_same_rows(django_assert_num_queries):
    movie = MovieFactory(
        title="Parasite", year=2019, runtime=132, original_language="ko",
        production_countries=["South Korea"],
    )  # fmt: skip
    movie.genres.add(GenreFactory(name="Thriller"), GenreFactory(name="Drama"))
    movie.keywords.add(KeywordFactory(name="class differences"))
    CreditFactory(movie=movie, person=PersonFactory(name="Bong Joon-ho"), role=Credit.Role.DIRECTOR)
    CreditFactory(movie=movie, person=PersonFactory(name="Song Kang-ho"), order=0)

    with django_assert_num_queries(5):  # with translations
        facts = movie_facts(movie_ids=[movie.pk, 999_999])

    assert set(facts) == {movie.pk}
    got = facts[movie.pk]
    assert (got.title, got.year, got.runtime) == ("Parasite", 2019, 132)
    assert sorted(got.genres) == ["Drama", "Thriller"]  # catalogue names, whatever the language
    assert got.directors == ("Bong Joon-ho",)
    assert got.cast == ("Song Kang-ho",)
    assert got.keywords == ("class differences",)
    assert got.original_language == "ko"
    assert got.countries == ("South Korea",)
    for language in ("en", "ko"):
        text = movie_descriptions(movie_ids=[movie.pk], language=language)[movie.pk]
        assert text == movie_description(got, language)


@pytest.mark.django_db
def test_keyword_frequencies_count_movies_per_keyword():
    heist, robots = KeywordFactory(name="heist"), KeywordFactory(name="robots")
    KeywordFactory(name="unused")
    for _ in range(3):
        MovieFactory().keywords.add(heist)
    MovieFactory().keywords.add(heist, robots)

    movies, frequencies = keyword_frequencies()
    assert movies == 4
    assert frequencies == {"heist": 4, "robots": 1}  # a keyword no movie carries is left out
    assert keyword_frequencies(names=["robots"]) == (4, {"robots": 1})


def test_the_description_leads_with_the_title_in_its_language():
    facts = MovieFacts(title="Parasite", year=2019, titles=(("ko", "기생충"), ("en", "Parasite")))
    assert movie_description(facts, "ko").split("\n")[0] == "기생충 (Parasite, 2019)"
    assert movie_description(facts, "en").split("\n")[0] == "Parasite (2019)"
    untranslated = MovieFacts(title="Heat", year=1995)
    assert movie_description(untranslated, "ko").split("\n")[0] == "Heat (1995)"


@pytest.mark.django_db
def test_facts_carry_the_catalogues_translated_titles():
    from movies.models import MovieTranslation

    movie = MovieFactory(title="Parasite", year=2019)
    MovieTranslation.objects.create(movie=movie, language="ko", title="기생충")
    text = movie_descriptions(movie_ids=[movie.pk], language="ko")[movie.pk]
    assert text.startswith("기생충 (Parasite, 2019)\n")
