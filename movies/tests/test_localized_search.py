"""Search as you type in Korean: localized titles are indexed, Hangul matches by jamo (what a
Korean keyboard shows mid-word too) and with or without spaces; results carry the title in the
user's language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import UserFactory
from movies.models import MovieTranslation, normalize_title
from movies.selectors import movie_search
from movies.tests.factories import MovieFactory
from movies.title_index import TitleIndex, fold_hangul


def _index(*titles: str) -> TitleIndex:
    return TitleIndex([(n, normalize_title(t)) for n, t in enumerate(titles, start=1)])


def _find(index: TitleIndex, query: str) -> list[int]:
    return index.find(normalize_title(query).split(), 10)


def test_korean_titles_match_with_or_without_spaces():
    index = _index("기생충", "살인의 추억", "기생 수업")
    assert _find(index, "기생충") == [1]
    assert _find(index, "기 생 충") == [1]
    assert _find(index, "살인의추억") == [2]  # the title has a space, the query none
    assert _find(index, "추억 살인") == [2]
    assert _find(index, "기생") == [1, 3]
    assert _find(index, "괴물") == []


@pytest.mark.parametrize(
    "typed",
    ["ㄱ", "기", "깃", "기새", "기생", "기생ㅊ", "기생추"],
    ids=["initial", "syllable", "final-before-next-vowel", "open", "closed", "jamo", "partial"],
)
def test_every_state_of_typing_a_korean_title_finds_it(typed):
    """A Korean keyboard shows "기생" on the way to "기새우" and "깃" on the way to "기시": the
    index matches by jamo, with finals and initials alike."""
    index = _index("기생충", "기새우", "기시감")
    found = _find(index, typed)
    assert found, typed
    assert set(found) <= {1, 2, 3}


def test_compound_vowels_match_while_typed():
    index = _index("왕의 남자", "과속스캔들")
    assert _find(index, "고") == [2]  # "과" is typed "고" then "ㅏ"
    assert _find(index, "오") == [1]  # "왕" is typed "오" then "ㅏ"
    assert _find(index, "과속") == [2]


def test_latin_titles_are_left_as_they_are():
    assert fold_hangul("the godfather part ii") == "the godfather part ii"
    assert _find(_index("The Godfather Part II"), "godfather 2") == [1]


@pytest.mark.django_db
def test_a_localized_title_is_searched_and_shown_in_the_users_language():
    parasite = MovieFactory(title="Parasite", original_title="", num_ratings=10)
    MovieTranslation.objects.create(movie=parasite, language="ko", title="기생충")
    MovieFactory(title="Memories of Murder", num_ratings=5)

    for query in ("기생충", "기 생 충", "기생ㅊ", "parasite"):
        found = movie_search(query=query, language="ko")
        assert [m.pk for m in found] == [parasite.pk], query
        assert found[0].display_title == "기생충"
    assert movie_search(query="기생충", language="en")[0].display_title == "Parasite"


@pytest.mark.django_db
def test_a_new_translation_is_searchable_at_once():
    movie = MovieFactory(title="The Host", num_ratings=3)
    assert movie_search(query="괴물", language="ko") == []
    MovieTranslation.objects.create(movie=movie, language="ko", title="괴물")
    assert [m.pk for m in movie_search(query="괴물", language="ko")] == [movie.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "shown"), [("ko", "기생충"), ("en", "Parasite")])
def test_the_search_box_answers_in_the_users_language(client, language, shown):
    parasite = MovieFactory(title="Parasite", original_title="", year=2019, num_ratings=10)
    MovieTranslation.objects.create(movie=parasite, language="ko", title="기생충")
    user = UserFactory(language=language)
    user.save()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("movies:search"), {"q": "기 생 충"}, HTTP_HX_REQUEST="true").text
    assert f'<span class="tile-title">{shown}</span>' in html


@pytest.mark.django_db
def test_the_search_cache_keeps_languages_apart(client):
    parasite = MovieFactory(title="Parasite", original_title="", year=2019, num_ratings=10)
    MovieTranslation.objects.create(movie=parasite, language="ko", title="기생충")
    seen = {}
    for language in ("ko", "en", "ko"):
        user = UserFactory(language=language)
        user.save()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get(reverse("movies:search"), {"q": "parasite"}).text
        seen.setdefault(language, []).append('<span class="tile-title">기생충</span>' in html)
    assert seen == {"ko": [True, True], "en": [False]}


@pytest.mark.django_db
def test_a_title_with_markup_is_escaped_in_the_results(client):
    movie = MovieFactory(title="Plain", num_ratings=1)
    MovieTranslation.objects.create(
        movie=movie, language="ko", title='<img src=x onerror="alert(1)">기생'
    )
    user = UserFactory(language="ko")
    user.save()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    html = client.get(reverse("movies:search"), {"q": "기생"}, HTTP_HX_REQUEST="true").text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;기생" in html
    assert "<img src=x" not in html


@pytest.mark.django_db
def test_the_popular_grid_and_the_chips_are_in_the_users_language(client):
    parasite = MovieFactory(title="Parasite", original_title="", year=2019, num_ratings=10)
    MovieTranslation.objects.create(movie=parasite, language="ko", title="기생충")
    user = UserFactory(language="ko")
    user.save()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    html = client.get(reverse("movies:picks")).text
    assert '<span class="tile-title">기생충</span>' in html  # the grid
    chips = client.post(
        reverse("movies:pick_add"), {"movie_id": parasite.pk}, HTTP_HX_REQUEST="true"
    ).text
    assert "<span>기생충 <small>2019</small></span>" in chips
    assert "Parasite" not in chips
