"""The recommendation cards as a Korean (or English) user gets them: the title, overview and
"because you watched" in the user's language, the TMDb poster lazy-loaded at a fixed size over
its placeholder, and hostile catalogue text escaped and cut to size."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from movies.models import MovieTranslation
from movies.selectors import CARD_OVERVIEW_CHARS
from movies.tests.factories import MovieFactory, RatingFactory

from .test_views_home import login, ready_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def parasite():
    movie = MovieFactory(
        title="Parasite",
        original_title="기생충",
        year=2019,
        overview="Greed and class discrimination.",
        poster_path="/7IiTTgloJzvGI1TAYymCfbfl3vT.jpg",
    )
    MovieTranslation.objects.create(
        movie=movie, language="ko", title="기생충", overview="전원 백수인 기택네 가족."
    )
    return movie


def _card(html: str) -> str:
    match = re.search(r'<li class="card.*?</li>', html, re.S)
    assert match, "no card on the page"
    return match.group(0)


def test_a_korean_user_reads_the_card_in_korean(client, parasite):
    user = login(client, language="ko")
    oldboy = MovieFactory(title="Oldboy")
    MovieTranslation.objects.create(movie=oldboy, language="ko", title="올드보이")
    RatingFactory(user=user, movie=oldboy, rating=None)
    lst = ready_list(user, [parasite])
    lst.items.update(because_movie_ids=[oldboy.pk])

    card = _card(client.get(reverse("recommendations:home")).text)

    assert '<h3 class="card-title">기생충 <span class="year">2019</span></h3>' in card
    assert "전원 백수인 기택네 가족." in card
    assert "Greed" not in card
    assert "Parasite" not in card
    assert "올드보이" in card
    assert "https://www.justwatch.com/kr/search?q=%EA%B8%B0%EC%83%9D%EC%B6%A9+2019" in card


def test_an_english_user_reads_the_original(client, parasite):
    user = login(client, language="en")
    ready_list(user, [parasite])
    card = _card(client.get(reverse("recommendations:home")).text)
    assert '<h3 class="card-title">Parasite <span class="year">2019</span></h3>' in card
    assert '<p class="original-title">기생충</p>' in card
    assert "Greed and class discrimination." in card


def test_the_poster_is_lazy_sized_and_over_its_placeholder(client, parasite):
    user = login(client, language="ko")
    bare = MovieFactory(title="No Poster", poster_path="")
    ready_list(user, [parasite, bare])
    html = client.get(reverse("recommendations:home")).text
    with_poster, without = re.findall(r'<div class="poster.*?</div>\s*</div>', html, re.S)

    img = re.search(r"<img [^>]*>", with_poster).group(0)
    assert 'src="https://image.tmdb.org/t/p/w342/7IiTTgloJzvGI1TAYymCfbfl3vT.jpg"' in img
    assert "https://image.tmdb.org/t/p/w154/7IiTTgloJzvGI1TAYymCfbfl3vT.jpg 154w" in img
    for attribute in ('loading="lazy"', 'width="120"', 'height="180"', 'alt=""', "sizes="):
        assert attribute in img, attribute
    assert 'class="poster-ph"' in with_poster  # under the image: shown if it fails

    assert "<img" not in without
    assert 'class="poster is-missing"' in without
    assert '<div class="poster-ph" aria-hidden="true"><span>N</span></div>' in without


def test_hostile_catalogue_text_is_escaped_and_bounded(client, parasite):
    user = login(client, language="ko")
    MovieTranslation.objects.filter(movie=parasite).update(
        title='<script>alert("t")</script><b>기생충</b>', overview="<i>긴</i> " * 2_500
    )
    ready_list(user, [parasite])
    card = _card(client.get(reverse("recommendations:home")).text)

    assert "<script>alert" not in card
    assert "<b>" not in card
    assert "<i>" not in card
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;&lt;b&gt;기생충&lt;/b&gt;" in card
    overview = re.search(r'<details class="overview">.*?<p>(.*?)</p>', card, re.S).group(1)
    assert overview.startswith("&lt;i&gt;긴&lt;/i&gt;")
    unescaped = overview.replace("&lt;", "<").replace("&gt;", ">")
    assert len(unescaped) <= CARD_OVERVIEW_CHARS


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [("ko", "SF · 스릴러", "Sci-Fi · Thriller"), ("en", "Sci-Fi · Thriller", "스릴러")],
)
def test_genre_names_follow_the_language(client, language, shown, hidden):
    from movies.tests.factories import GenreFactory

    movie = MovieFactory(title="Alien", year=1979)
    movie.genres.add(GenreFactory(name="Sci-Fi"), GenreFactory(name="Thriller"))
    user = login(client, language=language)
    ready_list(user, [movie])
    card = _card(client.get(reverse("recommendations:home")).text)
    assert shown in card
    assert hidden not in card
