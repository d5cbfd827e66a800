"""New movies recommendable on day one: a movie synced from TMDb with no ratings gets a place in
the active recommender from its features (recommendations.cold_items), without a retrain, and
shows up among the candidates of a user whose picks share its director and genres: below the
proven films of that director, above unrelated ones. Through the sync's signal, end to end
against the TMDb replay server; hidden by a curator, it stays out; a retrain keeps it placed;
another serving process notices the placement within its check interval; a list shows it with
the user's picks as the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from llm_worker.tests.site_data import fast_taste_search
from movies.models import Credit, Movie, Rating
from movies.services.tmdb_sync import tmdb_sync
from movies.signals import movies_synced_send
from movies.tests.factories import CreditFactory, GenreFactory, MovieFactory, PersonFactory
from movies.tests.tmdb_replay import TmdbReplay, movie, person
from recommendations import candidates, cold_items, list_flow, services
from recommendations.candidates import candidates_for_picks
from recommendations.models import ModelVersion, RecommendationList

from .conftest import FAST

pytestmark = pytest.mark.django_db

VALE_TMDB, NEW_TMDB = 501, 90001


@pytest.fixture
def films(db):
    """Action fans watch action films, romance fans romance ones; Kathryn Vale directed the
    first four action films (TMDb person 501)."""
    action, romance = GenreFactory(name="Action"), GenreFactory(name="Romance")
    vale = PersonFactory(name="Kathryn Vale", tmdb_id=VALE_TMDB)
    out = {"action": [], "romance": [], "vale": vale}
    for cluster, genre in (("action", action), ("romance", romance)):
        for i in range(12):
            m = MovieFactory(title=f"{cluster} {i}", year=2020, num_ratings=40 - i)
            m.genres.add(genre)
            director = vale if cluster == "action" and i < 4 else PersonFactory()
            CreditFactory(movie=m, person=director, role=Credit.Role.DIRECTOR)
            out[cluster].append(m)
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    rows = []
    for n in range(40):
        cluster = "action" if n % 2 == 0 else "romance"
        user = UserFactory(age=30, gender="M")
        for j in range(8):
            rows.append(
                Rating(
                    user=user,
                    movie=out[cluster][(n + j) % 12],
                    rating=4.0,
                    timestamp=t0 + dt.timedelta(minutes=n * 10 + j),
                    source=Rating.Source.PICK,
                )
            )
    Rating.objects.bulk_create(rows)
    return out


def _train(kind: str = "ease") -> ModelVersion:
    version = ModelVersion.objects.create(kind=kind, params={"activate": True})
    version = services.model_version_train(version_id=version.pk, options=FAST)
    candidates.active_recommender_forget()
    return version


@pytest.fixture
def trained(films, artifacts):
    return _train()


def _new_arrival(films, **over) -> Movie:
    """What the sync writes for a brand-new film: source TMDb, a sync time, no ratings."""
    fields = {"title": "Vale's New One", "year": 2025, "tmdb_id": NEW_TMDB, "num_ratings": 0}
    new = MovieFactory(source=Movie.Source.TMDB, synced_at=timezone.now(), **(fields | over))
    new.genres.add(GenreFactory(name="Action"))
    CreditFactory(movie=new, person=films["vale"], role=Credit.Role.DIRECTOR)
    return new


def _ranked(films, k: int = 15) -> list[int]:
    picks = [films["action"][0].pk, films["action"][1].pk]
    return [c.movie_id for c in candidates_for_picks(movie_ids=picks, k=k)]


def test_a_synced_movie_without_ratings_is_a_candidate_below_proven_above_unrelated(films, trained):
    new = _new_arrival(films)
    assert new.pk not in _ranked(films)  # unknown to the model: never a candidate

    movies_synced_send(sender=Movie, movie_ids=[new.pk])

    ranked = _ranked(films, k=23)
    assert new.pk in _ranked(films)
    proven = films["action"][2].pk  # Vale, Action, rated with the user's picks
    assert ranked.index(proven) < ranked.index(new.pk)
    unrelated = [m.pk for m in films["romance"]]
    assert all(ranked.index(new.pk) < ranked.index(m) for m in unrelated if m in ranked)
    found = next(c for c in candidates_for_picks(movie_ids=[films["action"][0].pk], k=23)
                 if c.movie_id == new.pk)  # fmt: skip
    assert found.engine == "ease+features"
    assert found.because_movie_ids == [films["action"][0].pk]


def test_a_movie_without_shared_features_is_placed_but_not_pushed_up(films, trained):
    new = _new_arrival(films, title="Nobody's Film", tmdb_id=NEW_TMDB + 1)
    Credit.objects.filter(movie=new).delete()
    new.genres.clear()
    new.year = 1950
    new.save()

    report = cold_items.cold_items_place(movie_ids=[new.pk])

    assert report.placed == [new.pk]
    ranked = _ranked(films, k=23)
    # No neighbour at all: the average score, below every action film of the user's cluster.
    assert all(ranked.index(m.pk) < ranked.index(new.pk) for m in films["action"][2:4])


def test_the_sync_signal_places_a_new_movie_end_to_end(films, trained, settings):
    server = TmdbReplay()
    server.movies[NEW_TMDB] = movie(
        NEW_TMDB, "Vale's New One", year=2025, genres=("Action",),
        directors=((VALE_TMDB, "Kathryn Vale"),),
    )  # fmt: skip
    server.people[VALE_TMDB] = person(VALE_TMDB, "Kathryn Vale")
    server.lists["discover"] = [NEW_TMDB]
    server.start()
    settings.TMDB_API_TOKEN, settings.TMDB_API_URL = server.token, server.url
    settings.TMDB_REQUESTS_PER_SECOND, settings.TMDB_BACKOFF_S = 500, 0.05
    try:
        report = tmdb_sync()
    finally:
        server.stop()

    new = Movie.objects.get(tmdb_id=NEW_TMDB)
    assert new.source == Movie.Source.TMDB
    assert new.num_ratings == 0
    assert new.pk in _ranked(films)
    assert any("1 movie(s) placed from their features" in n for n in report.notes)


def test_a_placement_that_fails_is_reported_and_the_sync_stands(films, trained, monkeypatch):
    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(cold_items, "cold_items_place", broken)
    new = _new_arrival(films)

    notes = movies_synced_send(sender=Movie, movie_ids=[new.pk])

    assert any("failed: OSError: disk full" in n for n in notes)
    assert Movie.objects.filter(pk=new.pk).exists()


def test_a_new_arrival_a_curator_hides_in_admin_stays_out(films, trained, client):
    new = _new_arrival(films)
    movies_synced_send(sender=Movie, movie_ids=[new.pk])
    assert new.pk in _ranked(films)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:movies_movie_changelist")
    listed = client.get(url, {"source__exact": "tmdb"}).content.decode()
    assert "Vale&#x27;s New One" in listed or "Vale's New One" in listed

    client.post(url, {"action": "hide", "_selected_action": [new.pk]})

    assert Movie.objects.get(pk=new.pk).hidden
    assert new.pk not in _ranked(films, k=23)


def test_a_retrain_keeps_an_unrated_movie_placed(films, trained):
    new = _new_arrival(films)
    movies_synced_send(sender=Movie, movie_ids=[new.pk])

    _train()  # knows the movie now, but no interaction with it

    assert new.pk in _ranked(films)


def test_another_process_sees_a_placement_within_its_check_interval(films, trained, monkeypatch):
    new = _new_arrival(films)
    assert new.pk not in _ranked(films)  # this process has loaded the model
    # As if another process placed it: this one is not told.
    monkeypatch.setattr(cold_items, "active_recommender_forget", lambda: None)
    monkeypatch.setattr(candidates, "ACTIVE_CHECK_SECONDS", 3600.0)
    cold_items.cold_items_place(movie_ids=[new.pk])
    assert new.pk not in _ranked(films)  # until its next check

    monkeypatch.setattr(candidates, "ACTIVE_CHECK_SECONDS", 0.0)

    assert new.pk in _ranked(films)


def test_a_movie_the_model_learned_is_not_placed(films, trained):
    report = cold_items.cold_items_place(movie_ids=[films["action"][5].pk, 10**9])

    assert report.placed == []
    assert report.known == [films["action"][5].pk]
    assert report.missing == [10**9]


def test_a_list_shows_the_new_movie_because_of_the_users_picks(
    films, trained, monkeypatch, settings, tmp_path
):
    fast_taste_search(monkeypatch, settings, tmp_path)
    new = _new_arrival(films)
    movies_synced_send(sender=Movie, movie_ids=[new.pk])
    user = UserFactory(language="en")
    picks = [films["action"][0].pk, films["action"][1].pk]
    for pk in picks:
        Rating.objects.create(
            user=user, movie_id=pk, timestamp=timezone.now(), source=Rating.Source.PICK
        )
    lst = RecommendationList.objects.create(user=user, request_key="cold-list", language="en")

    lst = list_flow.recommendation_list_fill(list_id=lst.pk, k=5)

    item = lst.items.get(movie=new)
    assert item.engine == "ease+features"
    assert item.because_movie_ids
    assert set(item.because_movie_ids) <= set(picks)
    assert "Kathryn Vale" in item.reason
