"""Movie briefs in the user's language: the title the catalogue has in it, the description
written from the same facts, and a brief told again in another language without a database
read (the other-language reasons of a list are written that way)."""

from __future__ import annotations

import pytest

from llm_worker.services import brief_in, movie_briefs
from movies.models import MovieTranslation
from movies.tests.factories import GenreFactory, MovieFactory


@pytest.mark.django_db
def test_a_brief_speaks_the_language_it_is_asked_in(django_assert_num_queries):
    movie = MovieFactory(title="Parasite", original_title="기생충", year=2019)
    movie.genres.add(GenreFactory(name="Thriller"))
    MovieTranslation.objects.create(movie=movie, language="ko", title="기생충")

    korean = movie_briefs([movie.pk], "ko")[movie.pk]
    english = movie_briefs([movie.pk], "en")[movie.pk]

    assert (korean.title, english.title) == ("기생충", "Parasite")
    assert "스릴러" in korean.description
    assert "Thriller" in english.description
    with django_assert_num_queries(0):
        again = brief_in(korean, "en")
    assert (again.title, again.description) == (english.title, english.description)
