"""The movie description the LLM sees: deterministic, compact, ko/en labels, loaded without a
query per movie."""

from __future__ import annotations

import pytest

from movies.describe import MovieFacts, movie_description, movie_descriptions, trim
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
def test_descriptions_from_the_database_in_four_queries(django_assert_num_queries):
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

    with django_assert_num_queries(4):
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
