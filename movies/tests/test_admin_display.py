"""The movie admin for a Korean curator: Korean labels, rounded numbers (mean rating
4.164133738601824 reads 4.16), and TMDb's lists as bullets rather than raw JSON."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import UserFactory

from .factories import CreditFactory, MovieFactory, PersonFactory, RatingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def heat():
    return MovieFactory(
        title="Heat",
        year=1995,
        num_ratings=329,
        mean_rating=4.164133738601824,
        vote_average=7.699999809265137,
        popularity=21.946943,
        spoken_languages=["English", "Español"],
        production_countries=["United States of America"],
        production_companies=[],
    )


def test_the_movie_list_rounds_the_mean_rating_and_speaks_korean(curator_client, heat):
    html = curator_client.get(reverse("admin:movies_movie_changelist")).content.decode()

    assert "4.16" in html
    assert "4.164133738601824" not in html
    assert "7.7" in html
    assert "7.699999809265137" not in html
    assert "평균 평점" in html
    assert "영화" in html
    assert "Mean rating" not in html


def test_the_movie_page_shows_lists_as_bullets_and_numbers_rounded(curator_client, heat):
    response = curator_client.get(reverse("admin:movies_movie_change", args=[heat.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<li>English</li><li>Español</li>" in html
    assert "<li>United States of America</li>" in html
    assert "[&quot;English&quot;" not in html
    assert '["English"' not in html
    assert "21.9" in html
    assert "21.946943" not in html
    assert "4.164133738601824" not in html
    for label in ("사용 언어", "제작 국가", "제작사", "평균 평점", "원제", "개봉 연도"):
        assert label in html


def test_the_rounded_column_still_sorts_by_the_mean_rating(curator_client, heat):
    MovieFactory(title="Low", mean_rating=2.5)
    url = reverse("admin:movies_movie_changelist")
    columns = curator_client.get(url).context["cl"].list_display
    order = str(columns.index("mean_rating_rounded"))

    response = curator_client.get(url, {"o": f"-{order}"})

    assert [m.title for m in response.context["cl"].result_list][:2] == ["Heat", "Low"]


def test_credits_and_ratings_are_named_in_words_in_korean(curator_client, heat):
    credit = CreditFactory(movie=heat, person=PersonFactory(name="Al Pacino"), role="cast")
    rating = RatingFactory(movie=heat, user=UserFactory(username="minji"), rating=4.5)

    movie_page = curator_client.get(reverse("admin:movies_movie_change", args=[heat.pk]))
    credit_page = curator_client.get(reverse("admin:movies_credit_change", args=[credit.pk]))
    rating_page = curator_client.get(reverse("admin:movies_rating_change", args=[rating.pk]))

    assert "Heat (1995)의 Al Pacino (출연)" in movie_page.content.decode()
    assert "Heat (1995)의 Al Pacino (출연)" in credit_page.content.decode()
    assert "(cast) in" not in credit_page.content.decode()
    assert "minji님의 Heat (1995) 평점: 4.5" in rating_page.content.decode()
    assert f"{rating.user_id} → {heat.pk}" not in rating_page.content.decode()


def test_a_korean_curator_sees_the_korean_title_in_the_movie_list(client):
    from movies.models import MovieTranslation

    staff = UserFactory(is_staff=True, is_superuser=True, language="ko")
    staff.save()
    client.force_login(staff)
    parasite = MovieFactory(title="Parasite")
    MovieTranslation.objects.create(movie=parasite, language="ko", title="<b>기생충</b>")
    MovieFactory(title="Heat")
    url = reverse("admin:movies_movie_changelist")

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    html = client.get(url).text
    assert '&lt;b&gt;기생충&lt;/b&gt; <span class="quiet">(Parasite)</span>' in html
    assert ">Heat</a>" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "기생충" not in client.get(url).text
