"""`manage.py import_movielens` on small files: what lands in the catalogue, re-runs, joins of
ml-100k with the CSV family, and the documented behaviour for broken input
(docs/data-import.md: bad rows are skipped and reported, unusable files stop everything)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from movies.models import Movie, Rating, Tag
from movies.services import catalogue_counts

from .datafiles import MOVIES, RATINGS, csv_family, ml100k

pytestmark = pytest.mark.django_db


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("import_movielens", str(path), "--no-progress", *args, stdout=out)
    return out.getvalue()


def test_csv_family_lands_in_the_catalogue(tmp_path):
    output = run(csv_family(tmp_path / "ml-tiny"))

    assert Movie.objects.count() == 4
    shawshank = Movie.objects.get(movielens_id=3)
    assert shawshank.title == "The Shawshank Redemption"
    assert shawshank.year == 1994
    assert (shawshank.imdb_id, shawshank.tmdb_id) == (111161, 278)
    assert set(shawshank.genres.values_list("name", flat=True)) == {"Crime", "Drama"}
    amelie = Movie.objects.get(movielens_id=4)
    assert amelie.title == "Amélie (Fabuleux destin d'Amélie Poulain)"
    assert "amelie" in amelie.search_title
    user = User.objects.get(username="ml-tiny:1")
    assert user.dataset == "ml-tiny"
    assert user.dataset_user_id == 1
    assert not user.has_usable_password()
    assert Rating.objects.count() == 6
    assert Rating.objects.filter(source=Rating.Source.MOVIELENS).count() == 6
    assert Tag.objects.count() == 2
    assert "Ratings: 6 new" in output


def test_ratings_statistics_are_recomputed(tmp_path):
    run(csv_family(tmp_path / "ml-tiny"))

    shawshank = Movie.objects.get(movielens_id=3)
    assert shawshank.num_ratings == 2
    assert shawshank.mean_rating == pytest.approx(4.0)
    rating = Rating.objects.get(user__username="ml-tiny:1", movie=shawshank)
    assert rating.timestamp.timestamp() == 964982705


def test_ml100k_users_have_demographics(tmp_path):
    run(ml100k(tmp_path / "ml-100k"))

    assert Movie.objects.count() == 5
    assert Movie.objects.get(ml100k_id=4).release_date.isoformat() == "1997-01-24"
    assert Movie.objects.get(ml100k_id=4).year == 1996  # the title's year, as in the CSV family
    assert set(Movie.objects.get(ml100k_id=1).genres.values_list("name", flat=True)) == {
        "Animation", "Children", "Comedy",
    }  # fmt: skip
    user = User.objects.get(username="ml-100k:2")
    assert (user.age, user.gender, user.occupation) == (53, "F", "other")
    assert not user.has_usable_password()
    assert Rating.objects.filter(source=Rating.Source.ML100K).count() == 6


def test_rerun_changes_no_counts(tmp_path):
    folder = csv_family(tmp_path / "ml-tiny")
    run(folder)
    first = catalogue_counts()

    output = run(folder)

    assert catalogue_counts() == first
    assert "Movies: 0 new, 0 updated" in output


def test_ml100k_joins_csv_movies_by_title_and_year(tmp_path):
    run(csv_family(tmp_path / "ml-latest-small"))

    output = run(ml100k(tmp_path / "ml-100k"))

    # Toy Story, Heat and Shawshank exist already; Kolya and "unknown" are new.
    assert Movie.objects.count() == 6
    assert "3 joined by title" in output
    shawshank = Movie.objects.get(movielens_id=3)
    assert shawshank.ml100k_id == 3
    assert shawshank.ratings.count() == 3  # two CSV users and one ml-100k user


def test_csv_family_joins_ml100k_movies_loaded_first(tmp_path):
    run(ml100k(tmp_path / "ml-100k"))
    run(csv_family(tmp_path / "ml-latest-small"))

    assert Movie.objects.count() == 6
    assert Movie.objects.get(ml100k_id=1).movielens_id == 1


def test_chunks_smaller_than_the_file_import_everything(tmp_path):
    run(csv_family(tmp_path / "ml-tiny"), "--chunk-size", "2")

    assert Rating.objects.count() == 6


# --- broken input: rows skipped and reported -------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "ratings_line", "reason"),
    [
        ("truncated line", "3,4,4.0", "expected 4 fields, found 3"),
        ("non-numeric rating", "3,4,great,964982709", "rating 'great' is not a number"),
        ("out-of-range rating", "3,4,7.5,964982709", "rating 7.5 is outside 0.5–5.0"),
        ("zero rating", "3,4,0,964982709", "rating 0 is outside 0.5–5.0"),
        ("unknown movie id", "3,999,4.0,964982709", "movie 999 is not in the movies file"),
        ("duplicate rating", "3,3,1.0,964982709", "duplicate rating of movie 3 by user 3"),
    ],
)
def test_bad_rating_rows_are_skipped_and_reported(tmp_path, kind, ratings_line, reason):
    folder = csv_family(tmp_path / "ml-tiny", ratings=RATINGS + ratings_line + "\n")

    output = run(folder)

    assert Rating.objects.count() == 6, kind
    assert f"ratings.csv:8: {reason}" in output
    assert "Skipped 1 malformed row(s) (ratings.csv: 1)" in output


def test_duplicate_movie_id_keeps_the_first(tmp_path):
    folder = csv_family(tmp_path / "ml-tiny", movies=MOVIES + "2,Heat Again (1995),Action\n")

    output = run(folder)

    assert Movie.objects.count() == 4
    assert Movie.objects.get(movielens_id=2).title == "Heat"
    assert "movies.csv:6: duplicate movieId 2 (first on line 3)" in output


def test_many_bad_rows_show_the_first_ten_and_count_all(tmp_path):
    bad = "".join(f"1,{100 + i},4.0,1\n" for i in range(25))
    output = run(csv_family(tmp_path / "ml-tiny", ratings=RATINGS + bad))

    assert "Skipped 25 malformed row(s)" in output
    assert output.count("is not in the movies file") == 10


# --- broken input: the file is unusable, nothing changes -------------------------------------


def _broken_cases():
    latin1_movies = MOVIES.replace("Amélie", "Am\xe9lie").encode("latin-1")
    # 50 KB of good rows: the decoder meets the bad byte only after many chunks were written.
    many = "".join(f"{u},1,4.0,964982703\n" for u in range(10, 2500)).encode()
    return {
        "wrong separator": (
            {"movies": MOVIES.replace(",", ";")},
            "movies.csv is separated by semicolons, not commas",
        ),
        "bad encoding": ({"movies": latin1_movies}, "movies.csv is not UTF-8 text"),
        "missing column": (
            {"ratings": "userId,movieId,rating\n1,1,4.0\n"},
            "ratings.csv lacks the column(s) timestamp",
        ),
        "empty file": ({"ratings": b""}, "ratings.csv is empty"),
        "header only": (
            {"ratings": "userId,movieId,rating,timestamp\n"},
            "ratings.csv has no usable rating rows",
        ),
        "not a movielens folder": (None, "holds neither MovieLens 100K files"),
        # A bad byte deep in the file, after several chunks were written: all rolled back.
        "bad encoding late": (
            {"ratings": RATINGS.encode() + many + b"3,4,4.0,9649827\xff9\n"},
            "ratings.csv is not UTF-8 text",
        ),
    }


@pytest.mark.parametrize("kind", list(_broken_cases()))
def test_unusable_file_stops_and_changes_nothing(tmp_path, kind):
    run(csv_family(tmp_path / "ml-good"))
    before = catalogue_counts()
    files, message = _broken_cases()[kind]
    folder = tmp_path / "ml-broken"
    if files is None:
        folder.mkdir()
        (folder / "notes.txt").write_text("hello")
    else:
        csv_family(folder, **files)

    with pytest.raises(CommandError) as excinfo:
        run(folder, "--chunk-size", "100")

    assert message in str(excinfo.value)
    assert "the database is unchanged" in str(excinfo.value)
    assert catalogue_counts() == before


def test_ml100k_with_commas_is_refused(tmp_path):
    folder = ml100k(tmp_path / "ml-100k", ratings="1,1,5,874965758\n")

    with pytest.raises(CommandError, match=r"u.data is not in the MovieLens 100K format"):
        run(folder)

    assert catalogue_counts()["movies"] == 0


def test_ml100k_missing_users_file_is_refused(tmp_path):
    folder = ml100k(tmp_path / "ml-100k")
    (folder / "u.user").unlink()

    with pytest.raises(CommandError, match=r"u.user does not exist"):
        run(folder)

    assert Movie.objects.count() == 0


def test_ml100k_bad_user_row_is_skipped_with_its_ratings(tmp_path):
    users = "1|24|M|technician|85711\n2|abc|F|other|94043\n3|23|M|writer|32067\n"
    output = run(ml100k(tmp_path / "ml-100k", users=users))

    assert "u.user:2: age 'abc' is not a number" in output
    assert "u.data:3: user 2 is not in the users file" in output
    assert User.objects.filter(dataset="ml-100k").count() == 2
    assert Rating.objects.count() == 4


def test_neither_path_nor_download_is_an_error():
    with pytest.raises(CommandError, match="give the dataset folder"):
        call_command("import_movielens")
