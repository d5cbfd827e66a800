"""The grounded parser on the real catalogue: ml-latest-small with the TMDb files, imported once
for the module, its lexicon built by `movies.lexicon.catalogue_lexicon`."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command

from llm_worker.taste.grounded_parser import parse_request
from movies.lexicon import catalogue_lexicon, forget_catalogue_lexicon
from movies.models import Credit, Genre, Keyword, Movie, Person, Rating, Tag

pytestmark = [pytest.mark.dataset, pytest.mark.django_db]


def _wipe() -> None:
    from django.contrib.auth import get_user_model

    for model in (Rating, Tag, Credit, Movie, Person, Keyword, Genre):
        model.objects.all().delete()
    get_user_model().objects.exclude(dataset="").delete()


@pytest.fixture(scope="module")
def lex(django_db_setup, django_db_blocker, data_dir):
    with django_db_blocker.unblock():
        _wipe()
        try:
            out = io.StringIO()
            call_command("import_movielens", str(data_dir / "ml-latest-small"), "--no-progress",
                         stdout=out)  # fmt: skip
            tmdb = [str(p) for p in sorted((data_dir / "tmdb").glob("*.zip"))]
            call_command("import_tmdb", *tmdb, "--no-progress", stdout=out)
            forget_catalogue_lexicon()
            yield catalogue_lexicon()
        finally:
            forget_catalogue_lexicon()
            _wipe()


def _titles(lex, ids):
    by_id = {t.movie_id: t for t in lex.titles}
    return [(by_id[i].title, by_id[i].year) for i in ids]


def test_the_lexicon_covers_the_catalogue(lex):
    assert len(lex.titles) == 9742
    assert "Sci-Fi" in lex.genres
    assert {"en", "ko", "ja", "fr"} <= set(lex.languages)
    assert len(lex.people) > 10_000
    assert "time travel" in lex.keywords


def test_a_director_by_full_name_and_by_surname(lex):
    for text in ("Christopher Nolan films", "Nolan films", "크리스토퍼 놀란 감독 영화"):
        request = parse_request(text, lexicon=lex).request
        assert [(p.name, p.role) for p in request.people_in] == [("Christopher Nolan", "director")]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("like godfater", ("The Godfather", 1972)),
        ("Spirited Awya", ("Spirited Away", 2001)),
        ("something like Arrival", ("Arrival", 2016)),
        ("movies like Heat (1995)", ("Heat", 1995)),
        ("인셉션 같은 영화", ("Inception", 2010)),
        ("similar to the dark knight", ("The Dark Knight", 2008)),
    ],
)
def test_titles_exact_and_misspelt(lex, text, title):
    result = parse_request(text, lexicon=lex)
    assert _titles(lex, result.request.seed_movie_ids) == [title]


def test_a_mixed_korean_request(lex):
    request = parse_request("90년대 한국 스릴러, 2시간 이하", lexicon=lex).request
    assert (request.year_min, request.year_max) == (1990, 1999)
    assert request.languages_in == ("ko",)
    assert request.genres_in == ("Thriller",)
    assert request.runtime_max == 120


def test_the_issue_requests(lex):
    """The requests of issue 13, where the old chat understood nothing."""
    arrival = parse_request("slow-burn sci-fi with strong female leads, like Arrival", lexicon=lex)
    assert arrival.request.genres_in == ("Sci-Fi",)
    assert "slow-burn" in arrival.request.mood
    assert _titles(lex, arrival.request.seed_movie_ids) == [("Arrival", 2016)]
    lighter = parse_request("something lighter now", lexicon=lex).request
    assert lighter.mood == ("light-hearted",)
    assert lighter.seed_movie_ids == lighter.people_in == ()
    for text, reason in (("<script>", "markup"), ("movie id 999999999", "unknown_movie_id")):
        result = parse_request(text, lexicon=lex)
        assert result.request.is_empty
        assert [n.reason for n in result.not_understood] == [reason]


def test_a_person_the_catalogue_lacks_is_reported_not_invented(lex):
    # The TMDb files credit no film to Bong Joon-ho, so nobody may stand in for him.
    result = parse_request("봉준호 감독 영화 좋아해요", lexicon=lex)
    assert result.request.people_in == ()
    assert [(n.text, n.reason) for n in result.not_understood] == [("봉준호", "unknown_person")]


@pytest.mark.parametrize(
    "text",
    [
        "something fun for tonight", "a good movie to watch with my family", "surprise me",
        "what should I watch?", "I had a long day, something easy", "오늘 볼 만한 영화 추천해줘",
        "재밌는 거", "recommend me something new", "more please", "I want to cry",
    ],
)  # fmt: skip
def test_everyday_requests_name_no_movie_and_no_person(lex, text):
    request = parse_request(text, lexicon=lex).request
    assert request.seed_movie_ids == request.avoid_movie_ids == ()
    assert request.people_in == request.people_out == ()


def test_parsing_on_the_real_catalogue_is_fast(lex):
    texts = [
        "slow-burn sci-fi with strong female leads, like Arrival",
        "no horror, 90s comedies under 2 hours",
        "Christopher Nolen thrillers",
        "봉준호 감독 영화 좋아해요",
        "Spirited Awya but Korean",
        "like godfater",
    ]
    parse_request(texts[0], lexicon=lex)  # the indexes are built once per lexicon
    times = []
    for text in texts * 5:
        start = time.perf_counter()
        parse_request(text, lexicon=lex)
        times.append(time.perf_counter() - start)
    times.sort()
    assert times[int(len(times) * 0.95) - 1] < 0.25
