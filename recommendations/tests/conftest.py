"""A small catalogue with two taste clusters, and a trained, active model over it."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.tests.factories import UserFactory
from movies.models import Rating
from movies.tests.factories import GenreFactory, MovieFactory
from recommendations import candidates, services
from recommendations.models import ModelVersion

# Tiny models: the tests check behaviour, not accuracy.
FAST = {
    "lightfm": {"components": 8, "epochs": 15},
    "ease": {"l2": 10.0},
    "sequential": {"hidden": 8, "heads": 1, "layers": 1, "max_len": 10, "epochs": 2},
}


@pytest.fixture
def artifacts(settings, tmp_path):
    settings.ARTIFACTS_DIR = tmp_path / "artifacts"
    candidates.active_recommender_forget()
    yield settings.ARTIFACTS_DIR
    candidates.active_recommender_forget()


@pytest.fixture
def catalogue(db):
    """Action fans (young men) watch action movies, romance fans (older women) romance ones;
    popularity is similar in both clusters."""
    action, romance = GenreFactory(name="Action"), GenreFactory(name="Romance")
    movies = {"action": [], "romance": []}
    for cluster, genre in (("action", action), ("romance", romance)):
        for i in range(12):
            m = MovieFactory(title=f"{cluster} {i}", num_ratings=50 - i)
            m.genres.add(genre)
            movies[cluster].append(m)
    t0 = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    rows = []
    for n in range(40):
        cluster = "action" if n % 2 == 0 else "romance"
        user = UserFactory(
            age=22 if cluster == "action" else 52, gender="M" if cluster == "action" else "F"
        )
        for j in range(8):
            movie = movies[cluster][(n + j) % 12]
            rows.append(
                Rating(
                    user=user,
                    movie=movie,
                    rating=4.0,
                    timestamp=t0 + dt.timedelta(minutes=n * 10 + j),
                    source=Rating.Source.PICK,
                )
            )
    Rating.objects.bulk_create(rows)
    return movies


@pytest.fixture
def trained(catalogue, artifacts):
    version = ModelVersion.objects.create(kind="blend", params={"activate": True})
    version = services.model_version_train(version_id=version.pk, options=FAST)
    candidates.active_recommender_forget()
    return version
