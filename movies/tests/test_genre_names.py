"""Genre names follow the user's language on the picks page (the popular-by-genre grid)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import UserFactory
from movies.tests.factories import GenreFactory, MovieFactory


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title"), [("ko", "공포"), ("en", "Horror")])
def test_the_grid_names_its_genres_in_the_users_language(client, language, title):
    horror = GenreFactory(name="Horror")
    MovieFactory(title="The Thing", year=1982, num_ratings=90).genres.add(horror)
    user = UserFactory(language=language)
    user.save()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("movies:picks")).text
    assert f'<h3 class="group-title">{title}</h3>' in html
