"""`manage.py sync_tmdb` against a local replay of the TMDb API (tmdb_replay.py): a first sync,
a second one with changes, a crash and its resume, rate limits and server errors, a refused
token, hostile payloads, one movie by id, curated translations, the daily task and the admin."""

from __future__ import annotations

import datetime as dt
import io
import time
from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from movies.admin import MovieTranslationForm
from movies.models import (
    Movie,
    MovieTranslation,
    Person,
    PersonAlias,
    TmdbSyncQueue,
    TmdbSyncState,
)
from movies.services import tmdb_sync as sync_module
from movies.services.tmdb_sync import SyncError, tmdb_sync
from movies.tasks import sync_tmdb_task
from movies.tmdb_api import TmdbClient
from movies.tmdb_api.client import retry_after_seconds

from .factories import GenreFactory, MovieFactory
from .tmdb_replay import Reply, TmdbReplay, error_body, movie, person, translation

pytestmark = pytest.mark.django_db

PARASITE, NEON, QUIET, TOY_STORY, MATRIX = 496243, 1001, 1002, 862, 603
BONG, SONG = 21684, 20738
KO_OVERVIEW = "전원백수로 살 길 막막하지만 사이는 좋은 기택 가족."


def _world(server: TmdbReplay) -> None:
    server.movies[PARASITE] = movie(
        PARASITE, "Parasite", year=2019, original_title="기생충", original_language="ko",
        overview="All unemployed, Ki-taek's family takes peculiar interest in the Parks.",
        genres=("Comedy", "Thriller", "Drama"), keywords=("dark comedy", "class differences"),
        cast=((SONG, "Song Kang-ho", "Kim Ki-taek"),), directors=((BONG, "Bong Joon-ho"),),
        imdb="tt6751668",
        translations=(
            translation("ko", "KR", title="기생충", overview=KO_OVERVIEW),
            translation("en", "US", title="Parasite"),
        ),
    )  # fmt: skip
    server.movies[NEON] = movie(
        NEON, "Neon Harbor", genres=("Science Fiction",), directors=((31, "Ava Stone"),),
        translations=(translation("ko", "KR", title="네온 하버"),),
    )  # fmt: skip
    server.movies[QUIET] = movie(QUIET, "Quiet Fields", directors=((32, "Leo Park"),))
    server.movies[TOY_STORY] = movie(
        TOY_STORY, "Toy Story", year=1995, genres=("Animation", "Family"),
        directors=((7879, "John Lasseter"),), imdb="tt0114709",
        translations=(translation("ko", "KR", title="토이 스토리"),),
    )  # fmt: skip
    server.movies[MATRIX] = movie(
        MATRIX, "The Matrix", year=1999, imdb="tt0133093", directors=((9339, "Lana Wachowski"),)
    )
    server.people[BONG] = person(
        BONG, "Bong Joon-ho", names={"ko-KR": "봉준호", "en-US": "Bong Joon-ho"},
        also_known_as=("Bong Joon Ho", "ポン・ジュノ", "봉준호"),
    )  # fmt: skip
    server.people[SONG] = person(SONG, "Song Kang-ho", names={"ko-KR": "송강호"})
    for pid, name in ((31, "Ava Stone"), (32, "Leo Park"), (7879, "John Lasseter"),
                      (9339, "Lana Wachowski")):  # fmt: skip
        server.people[pid] = person(pid, name)
    server.lists["discover"] = [NEON, QUIET, PARASITE]
    server.lists["now_playing"] = [NEON, MATRIX]
    server.lists["popular"] = [QUIET, TOY_STORY, PARASITE]


@pytest.fixture
def replay(settings, tmp_path):
    # The sync tells the recommender and the taste-text index (movies.signals): never the
    # developer's own artifacts.
    settings.ARTIFACTS_DIR = tmp_path / "artifacts"
    server = TmdbReplay()
    _world(server)
    server.start()
    settings.TMDB_API_TOKEN = server.token
    settings.TMDB_API_URL = server.url
    settings.TMDB_REQUESTS_PER_SECOND = 500
    settings.TMDB_BACKOFF_S = 0.05
    yield server
    server.stop()


@pytest.fixture
def catalogue():
    """Two MovieLens movies: one that knows its TMDb id, one that knows only its IMDb id."""
    toy = MovieFactory(title="Toy Story", year=1995, movielens_id=1, tmdb_id=TOY_STORY)
    toy.genres.add(GenreFactory(name="Animation"), GenreFactory(name="Children"))
    matrix = MovieFactory(title="Matrix, The", year=1999, movielens_id=2571, imdb_id=133093)
    return toy, matrix


def _run(**kwargs) -> tuple[str, sync_module.SyncReport]:
    out = io.StringIO()
    call_command("sync_tmdb", "--no-progress", stdout=out, **kwargs)
    state = TmdbSyncState.objects.get()
    return out.getvalue(), state


def test_first_sync_writes_movies_translations_credits_and_korean_names(replay, catalogue):
    toy, matrix = catalogue
    report = tmdb_sync()

    assert (report.new, report.updated, report.failed) == (3, 2, [])
    assert Movie.objects.count() == 5
    parasite = Movie.objects.get(tmdb_id=PARASITE)
    assert parasite.source == Movie.Source.TMDB
    assert parasite.synced_at is not None
    assert (parasite.imdb_id, parasite.year, parasite.poster_path) == (6751668, 2019, "/poster.jpg")
    assert set(parasite.genres.values_list("name", flat=True)) == {"Comedy", "Thriller", "Drama"}
    assert parasite.text_in("ko")[0] == "기생충"
    assert parasite.text_in("ko")[1].startswith("전원백수")
    assert parasite.text_in("en")[:2] == ("Parasite", parasite.overview)
    assert Movie.objects.get(tmdb_id=NEON).genres.get().name == "Sci-Fi"  # MovieLens' name
    assert Movie.objects.get(tmdb_id=QUIET).translations.filter(language="ko").count() == 0

    bong = Person.objects.get(tmdb_id=BONG)
    assert parasite.credits.get(role="director").person == bong
    assert parasite.credits.get(role="cast").character == "Kim Ki-taek"
    aliases = dict(bong.aliases.values_list("name", "language"))
    assert aliases == {"봉준호": "ko", "Bong Joon Ho": "en", "ポン・ジュノ": ""}
    # "봉준호" finds Bong Joon-ho and his film.
    assert Movie.objects.filter(credits__person__aliases__name="봉준호").get() == parasite
    assert Person.objects.get(aliases__name="송강호").name == "Song Kang-ho"

    # MovieLens movies linked by TMDb id and by IMDb id: enriched, not duplicated.
    toy.refresh_from_db()
    matrix.refresh_from_db()
    assert (toy.title, toy.movielens_id, toy.source) == ("Toy Story", 1, Movie.Source.DATASET)
    assert toy.text_in("ko")[0] == "토이 스토리"
    assert toy.synced_at is not None
    assert {"Animation", "Children", "Family"} <= set(toy.genres.values_list("name", flat=True))
    assert (matrix.tmdb_id, matrix.title, matrix.movielens_id) == (MATRIX, "Matrix, The", 2571)

    assert TmdbSyncQueue.objects.count() == 0
    assert TmdbSyncState.objects.get().changes_until == timezone.localdate()
    details = replay.seen(f"/movie/{PARASITE}")
    assert len(details) == 1
    assert details[0].query["append_to_response"] == "credits,keywords,translations,external_ids"
    assert replay.seen("/movie/changes") == []  # nothing to compare with on a first run


def test_second_sync_reads_changes_since_the_last_one(replay, catalogue):
    tmdb_sync()
    # A run right after finds the listed movies fresh and fetches none of them again.
    again = tmdb_sync()
    assert (again.movies, again.fresh, len(replay.seen(f"/movie/{NEON}"))) == (0, 5, 1)
    # 20 days later:
    TmdbSyncState.objects.update(changes_until=timezone.localdate() - dt.timedelta(days=20))
    Movie.objects.update(synced_at=timezone.now() - dt.timedelta(days=20))
    replay.movies[PARASITE]["overview"] = "A new overview."
    replay.movies[PARASITE]["translations"]["translations"][0]["data"]["tagline"] = "새 태그라인"
    replay.movies[1003] = movie(1003, "Late Arrival")
    replay.lists["discover"].append(1003)
    replay.changes = [PARASITE, 999999, TOY_STORY]  # 999999: not in the catalogue

    report = tmdb_sync()

    assert (report.new, report.updated, report.unchanged) == (1, 1, 4)
    parasite = Movie.objects.get(tmdb_id=PARASITE)
    assert parasite.overview == "A new overview."
    assert parasite.translations.get(language="ko").tagline == "새 태그라인"
    assert replay.seen("/movie/999999") == []
    windows = [(r.query["start_date"], r.query["end_date"]) for r in replay.seen("/movie/changes")]
    windows = windows[1:]  # the first was the quick second run's
    today = timezone.localdate()
    assert windows == [
        (str(today - dt.timedelta(days=20)), str(today - dt.timedelta(days=7))),
        (str(today - dt.timedelta(days=6)), str(today)),
    ]
    assert len(replay.seen(f"/person/{BONG}")) == 1  # names are fetched once
    assert Movie.objects.count() == 6


def test_a_crash_mid_sync_resumes_without_duplicates_or_losses(replay, monkeypatch, settings):
    ids = list(range(2000, 2012))
    for i in ids:
        replay.movies[i] = movie(i, f"Film {i}", directors=((i * 10, f"Director {i}"),))
        replay.people[i * 10] = person(i * 10, f"Director {i}")
    replay.lists = {"discover": ids, "now_playing": [], "popular": []}
    real_write = sync_module.movie_write
    calls = []

    def crashing_write(record, *, now):
        calls.append(record.tmdb_id)
        if len(calls) == 5:
            raise KeyboardInterrupt("power cut")  # the process dies mid-run
        return real_write(record, now=now)

    monkeypatch.setattr(sync_module, "movie_write", crashing_write)
    with pytest.raises(KeyboardInterrupt):
        tmdb_sync()
    written_first = set(Movie.objects.values_list("tmdb_id", flat=True))
    assert len(written_first) == 4
    assert TmdbSyncQueue.objects.count() == 8
    assert TmdbSyncState.objects.get().lease_owner == ""

    monkeypatch.setattr(sync_module, "movie_write", real_write)
    report = tmdb_sync()

    assert report.new == 8
    assert sorted(Movie.objects.values_list("tmdb_id", flat=True)) == ids
    assert Movie.objects.count() == len(ids)
    assert TmdbSyncQueue.objects.count() == 0
    for tmdb_id in written_first:  # resumed where it stopped, not restarted
        assert len(replay.seen(f"/movie/{tmdb_id}")) == 1
    assert Person.objects.filter(synced_at__isnull=True).count() == 0


def test_a_run_killed_outright_holds_the_lease_until_it_expires(replay):
    TmdbSyncState.objects.create(
        lease_owner="worker-1:4242:1", lease_until=timezone.now() + dt.timedelta(minutes=5)
    )
    with pytest.raises(CommandError, match="Another TMDb sync"):
        _run()
    assert Movie.objects.count() == 0
    TmdbSyncState.objects.update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    output, state = _run()
    assert "5 new" in output
    assert state.lease_owner == ""


def test_rate_limit_waits_for_retry_after_and_5xx_backs_off(replay):
    replay.fail(f"/movie/{NEON}", Reply(429, error_body(429), {"Retry-After": "1"}))
    replay.fail(f"/movie/{QUIET}", Reply(500, error_body(500)), Reply(503, b"<html>down</html>"))

    report = tmdb_sync()

    first, second = replay.seen(f"/movie/{NEON}")
    assert first.status == 429
    assert second.status == 200
    assert second.at - first.at >= 1.0
    assert [r.status for r in replay.seen(f"/movie/{QUIET}")] == [500, 503, 200]
    assert report.failed == []
    assert report.new == 5
    assert report.rate_limited == 1
    assert report.retries == 3


def test_a_server_that_keeps_failing_fails_the_movie_which_stays_queued(replay, settings):
    settings.TMDB_MAX_RETRIES = 2
    replay.fail(f"/movie/{QUIET}", *[Reply(500, error_body(500))] * 3)

    report = tmdb_sync()

    assert report.new == 4
    [(what, reason)] = report.failed
    assert what == f"movie {QUIET}"
    assert "HTTP 500" in reason
    assert "gave up after 2 retries" in reason
    assert "try 1 of 3" in reason
    assert TmdbSyncQueue.objects.get().tmdb_id == QUIET
    assert tmdb_sync().new == 1  # the next run picks it up
    assert TmdbSyncQueue.objects.count() == 0


def test_not_found_and_malformed_bodies_are_reported(replay):
    replay.lists["discover"].append(4040)  # listed, but deleted on TMDb since
    replay.fail(f"/movie/{NEON}", Reply(200, b'{"id": 1001, "title": "Neon Har'))
    replay.fail(f"/movie/{QUIET}", Reply(200, b'["not", "an", "object"]'))

    output, _ = _run()

    assert "3 new, 0 updated, 0 unchanged, 3 failed" in output
    assert "movie 4040: HTTP 404: The resource you requested could not be found." in output
    assert "movie 1001: malformed JSON" in output
    assert "movie 1002: /movie/1002 answered a list, not an object" in output
    assert set(TmdbSyncQueue.objects.values_list("tmdb_id", "attempts")) == {(NEON, 1), (QUIET, 1)}
    assert not Movie.objects.filter(tmdb_id__in=[NEON, QUIET, 4040]).exists()


def test_a_refused_token_is_a_clear_error_and_writes_nothing(replay, settings, catalogue):
    settings.TMDB_API_TOKEN = "expired-token"
    with pytest.raises(CommandError) as error:
        _run()
    message = str(error.value)
    assert "TMDb refused the token" in message
    assert "Invalid API key" in message
    assert "Nothing was written" in message
    assert [r.path for r in replay.requests] == ["/authentication"]
    assert Movie.objects.count() == 2
    assert Movie.objects.filter(synced_at__isnull=False).count() == 0
    assert TmdbSyncState.objects.count() == 0
    assert TmdbSyncQueue.objects.count() == 0


def test_a_missing_token_says_where_to_get_one(settings):
    settings.TMDB_API_TOKEN = ""
    with pytest.raises(CommandError, match="TMDB_API_TOKEN is not set"):
        call_command("sync_tmdb", "--no-progress")


def test_one_language_twice_is_refused(replay, settings):
    settings.TMDB_LANGUAGES = ["pt-BR", "pt-PT"]
    with pytest.raises(CommandError, match="TMDB_LANGUAGES must name each language once"):
        _run()
    assert replay.requests == []


def test_a_token_revoked_half_way_keeps_what_was_written(replay):
    replay.fail(f"/movie/{PARASITE}", Reply(401, error_body(401)))
    with pytest.raises(SyncError, match="refused the token half-way"):
        tmdb_sync()
    assert Movie.objects.count() < 5
    assert TmdbSyncQueue.objects.filter(tmdb_id=PARASITE).exists()
    assert TmdbSyncState.objects.get().lease_owner == ""


HOSTILE_TITLE = "<script>alert('x')</script> & <b>bold</b>"


def test_hostile_payloads_are_stored_as_text_and_shown_escaped(replay, client):
    body = movie(6666, HOSTILE_TITLE, overview="A" * 10_000, directors=((66, "Nul\x00l Name"),))
    body.update(
        tagline=None, runtime=None, release_date=None, poster_path=None, imdb_id=None,
        vote_average=None, popularity=None, original_language=None, spoken_languages=None,
        production_countries=None, genres=None, keywords={"keywords": None},
        external_ids={"imdb_id": None}, belongs_to_collection=None, homepage=None,
        translations={"translations": [{"iso_639_1": "ko", "iso_3166_1": None, "data": None}]},
    )  # fmt: skip
    body["credits"]["cast"] = [{"id": 67, "name": "Cast Member", "character": None, "order": None}]
    replay.movies = {6666: body}
    replay.people = {
        66: {"id": 66, "name": None, "also_known_as": None, "translations": None},
        67: {"id": 67, "name": "Cast Member", "also_known_as": [None, 5, "<i>x</i>"]},
    }
    replay.lists = {"discover": [6666], "now_playing": [], "popular": []}

    report = tmdb_sync()

    assert report.failed == []
    assert report.new == 1
    stored = Movie.objects.get(tmdb_id=6666)
    assert stored.title == HOSTILE_TITLE
    assert len(stored.overview) == 10_000
    assert (stored.tagline, stored.poster_path, stored.runtime, stored.year) == ("", "", None, None)
    assert (stored.imdb_id, stored.vote_average, list(stored.genres.all())) == (None, None, [])
    assert stored.credits.get(role="director").person.name == "Null Name"
    assert PersonAlias.objects.get().name == "<i>x</i>"

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = client.get(reverse("admin:movies_movie_changelist"), {"source__exact": "tmdb"})
    html = page.content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert(" not in html


def test_movie_option_refreshes_one_movie(replay):
    output, state = _run(movie=NEON)
    assert "1 new, 0 updated" in output
    assert Movie.objects.get().tmdb_id == NEON
    asked = {r.path for r in replay.requests}
    assert asked == {"/authentication", f"/movie/{NEON}", "/person/31"}
    assert state.changes_until is None  # the incremental window is left alone

    with pytest.raises(CommandError, match="TMDb movie 4040 was not synced: HTTP 404"):
        _run(movie=4040)


def test_a_curated_translation_outlives_the_sync(replay):
    tmdb_sync()
    row = MovieTranslation.objects.get(movie__tmdb_id=PARASITE, language="ko")
    form = MovieTranslationForm(
        data={
            "language": "ko",
            "title": "기생충 (흑백판)",
            "tagline": "",
            "overview": row.overview,
        },
        instance=row,
    )
    assert form.is_valid(), form.errors
    form.save()
    row.refresh_from_db()
    assert row.curated
    replay.movies[PARASITE]["translations"]["translations"][0]["data"]["title"] = "기생충!"
    replay.changes = [PARASITE]

    tmdb_sync()

    row.refresh_from_db()
    assert row.title == "기생충 (흑백판)"


def test_admin_lists_new_arrivals_with_source_and_sync_time(replay, catalogue, client):
    tmdb_sync()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:movies_movie_changelist")
    html = client.get(url, {"source__exact": "tmdb"}).content.decode()
    assert "Neon Harbor" in html
    assert "Toy Story" not in html
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    recent = {"synced_at__gte": str(midnight), "o": "1"}
    assert "Toy Story" in client.get(url, recent).content.decode()
    found = client.get(reverse("admin:movies_person_changelist"), {"q": "봉준호"})
    assert "Bong Joon-ho" in found.content.decode()


def test_daily_task_runs_the_sync_and_is_scheduled(replay, settings, caplog):
    entry = django_settings.CELERY_BEAT_SCHEDULE["tmdb-sync-daily"]
    assert entry["task"] == sync_tmdb_task.name
    compose = yaml.safe_load((Path(django_settings.BASE_DIR) / "docker-compose.yml").read_text())
    assert compose["services"]["beat"]["command"][:4] == ["celery", "-A", "llecommend_site", "beat"]
    summary = sync_tmdb_task.delay().get()
    assert summary["new"] == 5
    assert summary["failed"] == []

    settings.TMDB_API_TOKEN = ""
    assert sync_tmdb_task.delay().get() == {"skipped": "TMDB_API_TOKEN is not set"}
    assert "TMDb sync skipped" in caplog.text


def test_the_client_paces_requests_and_reads_http_date_retry_after(replay):
    with TmdbClient(token=replay.token, base_url=replay.url, rate=50) as client:
        start = time.monotonic()
        for _ in range(26):
            client.check_token()
        assert time.monotonic() - start >= 0.5
    later = time.time() + 30
    header = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(later))
    assert 28 <= retry_after_seconds(header) <= 30
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds("soon") is None
