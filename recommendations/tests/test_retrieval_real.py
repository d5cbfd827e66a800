"""Retrieval on the real ml-latest-small catalogue with TMDb credits, an EASE model trained on
it (the fast model), imported and trained once for the module and removed afterwards."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from llm_worker.taste import PersonRef, TasteRequest
from movies.models import Credit, Movie, Person, Rating
from movies.tests.test_import_real_datasets import _wipe
from recommendations import candidates, services
from recommendations.models import ModelVersion
from recommendations.retrieval import retrieve

pytestmark = [pytest.mark.dataset, pytest.mark.django_db]


@pytest.fixture(scope="module")
def real(django_db_setup, django_db_blocker, data_dir, tmp_path_factory):
    from django.conf import settings

    old = settings.ARTIFACTS_DIR
    settings.ARTIFACTS_DIR = tmp_path_factory.mktemp("artifacts")
    with django_db_blocker.unblock():
        _wipe()
        try:
            out = io.StringIO()
            call_command("import_movielens", str(data_dir / "ml-latest-small"), "--no-progress",
                         stdout=out)  # fmt: skip
            tmdb = sorted(str(p) for p in (data_dir / "tmdb").glob("*.zip"))
            call_command("import_tmdb", *tmdb, "--no-progress", stdout=out)
            version = ModelVersion.objects.create(kind="ease", params={"activate": True})
            services.model_version_train(version_id=version.pk)
            candidates.active_recommender_forget()
            yield
        finally:
            ModelVersion.objects.all().delete()
            _wipe()
            settings.ARTIFACTS_DIR = old
            candidates.active_recommender_forget()


def _director_with_films(n: int) -> Person:
    for person in Person.objects.filter(credits__role=Credit.Role.DIRECTOR).distinct()[:2000]:
        films = Movie.objects.filter(
            hidden=False, credits__person=person, credits__role=Credit.Role.DIRECTOR
        ).distinct()
        if films.count() >= n:
            return person
    pytest.skip("no director with enough films")


def test_a_director_ask_puts_their_unwatched_films_on_top(real):
    nolan = Person.objects.filter(name="Christopher Nolan").first() or _director_with_films(8)
    films = set(
        Movie.objects.filter(
            hidden=False, credits__person=nolan, credits__role=Credit.Role.DIRECTOR
        ).values_list("pk", flat=True)
    )
    user = (
        Rating.objects.filter(movie_id__in=films).values_list("user", flat=True).first()
    )  # a user who has seen one of them
    from accounts.models import User

    user = User.objects.get(pk=user)
    seen = set(Rating.objects.filter(user=user).values_list("movie_id", flat=True))
    unseen = films - seen
    k = 10
    request = TasteRequest(people_in=(PersonRef(nolan.pk, nolan.name, "director"),))

    got = retrieve(user=user, request=request, k=k, pool_size=3 * k)

    top = [c.movie_id for c in got.candidates[:k]]
    expected = min(k, len(unseen))
    assert set(top[:expected]) <= unseen
    assert len(set(top[:expected])) == expected
    assert not seen & set(top)
    assert got.matching == len(unseen)
    if len(unseen) < k:
        assert got.relaxed  # and the rest is said to be close ones
    # The same user, nothing asked: the recommender's own top, unchanged.
    plain = retrieve(user=user, request=TasteRequest(), k=k, pool_size=k)
    assert [c.movie_id for c in plain.candidates] == [
        c.movie_id for c in candidates.candidates_for_user(user=user, k=k)
    ]
    assert all(len(plain.near[c.movie_id]) > 0 for c in plain.candidates)
