"""The card's "because" line names the user's nearest movies as they relate to them: liked (a
like, or a rating of 4 or more) or only watched — never a merely watched movie as "liked"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from movies.tests.factories import MovieFactory, RatingFactory
from recommendations.models import Feedback

from .test_views_home import login, ready_list


@pytest.mark.django_db
def test_liked_and_watched_are_named_apart(client):
    user = login(client, language="en")
    loved = MovieFactory(title="Loved Film", year=1990)
    seen = MovieFactory(title="Seen Film", year=1991)
    hearted = MovieFactory(title="Hearted Film", year=1992)
    RatingFactory(user=user, movie=loved, rating=5.0)
    RatingFactory(user=user, movie=seen, rating=None)
    Feedback.objects.create(user=user, movie=hearted, kind=Feedback.Kind.LIKE)
    candidate = MovieFactory(title="Candidate", year=2001)
    lst = ready_list(user, [candidate])
    lst.items.update(because_movie_ids=[loved.pk, seen.pk, hearted.pk])

    html = client.get(reverse("recommendations:home")).text

    liked = re.search(r"Because you liked ([^<]*)</p>", html).group(1)
    watched = re.search(r"Because you watched ([^<]*)</p>", html).group(1)
    assert liked == "Loved Film, Hearted Film"
    assert watched == "Seen Film"


@pytest.mark.django_db
def test_a_model_list_read_in_the_other_language_does_not_claim_the_models_words(client):
    user = login(client, language="en")
    movie = MovieFactory(title="Some Film", year=2001)
    lst = ready_list(user, [movie], engine="llm:openai", reason="La la.")
    lst.language = "ko"
    lst.save()
    lst.items.update(reason_translations={"en": "Directed by someone you like."})
    html = client.get(reverse("recommendations:home")).text
    assert "Directed by someone you like." in html
    assert "Explained by the language model" not in html
    assert "Explained from your movies" in html
