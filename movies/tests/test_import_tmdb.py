"""`manage.py import_tmdb` on small files of the three TMDb formats, plain and zipped: the
preprocessing, the joins (TMDb id, then IMDb id, then title + year), re-runs, and broken files."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from movies.models import Credit, Movie
from movies.services import catalogue_counts

from .datafiles import (
    TMDB5000_HEADER,
    UDACITY_HEADER,
    csv_family,
    csv_text,
    tmdb5000_row,
    udacity_row,
    zipped,
)

pytestmark = pytest.mark.django_db

# Heat has an IMDb id but no TMDb id; Amélie has neither: they are found by IMDb id and title.
LINKS = "movieId,imdbId,tmdbId\n1,0114709,862\n2,0113277,\n3,0111161,278\n"


def run(*paths) -> str:
    out = io.StringIO()
    call_command("import_tmdb", *map(str, paths), "--no-progress", stdout=out)
    return out.getvalue()


@pytest.fixture
def catalogue(tmp_path):
    call_command(
        "import_movielens", str(csv_family(tmp_path / "ml", links=LINKS)), "--no-progress",
        stdout=io.StringIO(),
    )  # fmt: skip


@pytest.fixture
def tmdb_files(tmp_path):
    """TMDB 5000 (zipped with macOS junk), Udacity tmdb-movies.csv, Kaggle keywords + credits."""
    tmdb5000 = csv_text(
        TMDB5000_HEADER,
        [
            tmdb5000_row(
                278, "The Shawshank Redemption", "1994-09-23",
                "Framed in the 1940s for the double murder of his wife and her lover, upstanding "
                "banker Andy Dufresne begins a new life at the Shawshank prison.",
            ),
            tmdb5000_row(
                194, "Amélie", "2001-04-25", "Amélie is an innocent and naive girl in Paris.",
                genres=[{"id": 878, "name": "Science Fiction"}, {"id": 35, "name": "Comedy"}],
                runtime="122.0", keywords=[],
            ),
            tmdb5000_row(99999, "Nobody's Film", "2010-01-01", "Nobody has it."),
        ],
    )  # fmt: skip
    udacity = csv_text(
        UDACITY_HEADER,
        [
            udacity_row(862, "tt0114709", "Toy Story", "Tom Hanks|Tim Allen|Don Rickles",
                        "John Lasseter", 1995, "Led by Woody, Andy's toys live happily."),
            udacity_row(949, "tt0113277", "Heat", "Al Pacino|Robert De Niro",
                        "Michael Mann", 1995, "Obsessive master thief Neil McCauley."),
        ],
    )  # fmt: skip
    keywords = (
        "id,keywords\n"
        "862,\"[{'id': 931, 'name': 'jealousy'}, {'id': 4290, 'name': 'toy'}]\"\n"
        "194,\"[{'id': 378, 'name': 'paris'}, {'id': 417, 'name': \"\"girl's imagination\"\"}]\"\n"
    )
    credits = (
        "cast,crew,id\n"
        "\"[{'cast_id': 3, 'character': 'Andy Dufresne', 'name': 'Tim Robbins', 'order': 0}, "
        "{'cast_id': 4, 'character': 'Ellis Boyd Red Redding', 'name': 'Morgan Freeman', "
        "'order': 1}]\","
        "\"[{'job': 'Director', 'name': 'Frank Darabont'}, {'job': 'Producer', 'name': "
        "'Niki Marvin'}]\",278\n"
    )
    return [
        zipped(tmp_path / "tmdb_5000_movies.csv.zip", {"tmdb_5000_movies.csv": tmdb5000},
               macosx_junk=True),
        _write(tmp_path / "tmdb-movies.csv", udacity),
        zipped(tmp_path / "keywords.csv.zip", {"keywords.csv": keywords}),
        _write(tmp_path / "credits.csv", credits),
    ]  # fmt: skip


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_metadata_fills_the_matched_movies(catalogue, tmdb_files):
    output = run(*tmdb_files)

    shawshank = Movie.objects.get(movielens_id=3)
    assert shawshank.overview.startswith("Framed in the 1940s")
    assert shawshank.runtime == 142
    assert shawshank.spoken_languages == ["English"]
    assert shawshank.production_countries == ["United States of America"]
    assert shawshank.vote_average == 8.5
    assert shawshank.vote_count == 8358
    assert shawshank.tagline == "Fear can hold you prisoner."
    # TMDB 5000 comes before keywords.csv: the first file (in format order) with a value wins.
    assert list(shawshank.keywords.values_list("name", flat=True)) == ["prison"]
    cast = shawshank.credits.filter(role=Credit.Role.CAST).order_by("order")
    assert [(c.person.name, c.character) for c in cast] == [
        ("Tim Robbins", "Andy Dufresne"), ("Morgan Freeman", "Ellis Boyd Red Redding"),
    ]  # fmt: skip
    directors = shawshank.credits.filter(role=Credit.Role.DIRECTOR)
    assert [c.person.name for c in directors] == ["Frank Darabont"]
    assert "Matched 4 TMDb movies" in output
    assert "by TMDb id 2, by IMDb id 1, by title + year 1" in output
    assert "unmatched 1" in output


def test_pipe_separated_cast_and_director(catalogue, tmdb_files):
    run(*tmdb_files)

    toy_story = Movie.objects.get(movielens_id=1)
    cast = toy_story.credits.filter(role=Credit.Role.CAST).order_by("order")
    assert [c.person.name for c in cast] == ["Tom Hanks", "Tim Allen", "Don Rickles"]
    assert toy_story.credits.get(role=Credit.Role.DIRECTOR).person.name == "John Lasseter"
    assert {"Animation", "Family"} <= set(toy_story.genres.values_list("name", flat=True))


def test_joins_by_imdb_id_and_by_title(catalogue, tmdb_files):
    run(*tmdb_files)

    heat = Movie.objects.get(movielens_id=2)
    assert heat.tmdb_id == 949  # found by its IMDb id, TMDb id filled in
    assert heat.overview.startswith("Obsessive")
    amelie = Movie.objects.get(movielens_id=4)
    assert amelie.tmdb_id == 194  # found by "Amélie" + 2001
    assert amelie.runtime == 122
    assert list(amelie.keywords.values_list("name", flat=True)) == ["girl's imagination", "paris"]
    # TMDb's "Science Fiction" is MovieLens' "Sci-Fi": one genre.
    assert "Sci-Fi" in amelie.genres.values_list("name", flat=True)
    assert not Movie.objects.filter(title="Nobody's Film").exists()


def test_rerun_changes_no_counts(catalogue, tmdb_files):
    run(*tmdb_files)
    first = catalogue_counts()

    output = run(*tmdb_files)

    assert catalogue_counts() == first
    assert "Updated 0 movies" in output


def test_argument_order_does_not_change_the_result(catalogue, tmdb_files):
    run(*reversed(tmdb_files))

    assert Movie.objects.get(movielens_id=3).overview.startswith("Framed in the 1940s")


def test_conflicting_ids_are_counted(catalogue, tmp_path):
    # TMDb 278 is Shawshank, but this row's IMDb id is Toy Story's.
    rows = [udacity_row(278, "tt0114709", "Mixed Up", "A|B", "C", 1994, "Mixed.")]
    output = run(_write(tmp_path / "tmdb-movies.csv", csv_text(UDACITY_HEADER, rows)))

    assert "conflicting 1" in output
    assert Movie.objects.get(movielens_id=1).tmdb_id == 862


def test_malformed_rows_are_skipped_with_their_line(catalogue, tmp_path):
    keywords = (
        "id,keywords\n"
        "862,\"[{'id': 931, 'name': 'jealousy'}]\"\n"
        "278,\"[{'id': 378, 'name': 'prison'\"\n"  # truncated literal
        '1997-08-20,"[]"\n'  # a date where the id belongs (Kaggle has such rows)
    )
    output = run(_write(tmp_path / "keywords.csv", keywords))

    assert "keywords.csv:3: keywords is neither a Python literal nor JSON" in output
    assert "keywords.csv:4: TMDb id '1997-08-20' is not a number" in output
    assert list(Movie.objects.get(movielens_id=1).keywords.values_list("name", flat=True)) == [
        "jealousy"
    ]


def _unusable(tmp_path):
    udacity = csv_text(UDACITY_HEADER, [udacity_row(862, "tt0114709", "T", "A", "B", 1995, "O")])
    return {
        "zip without the member": (
            zipped(tmp_path / "tmdb.zip", {"readme.txt": "hello"}, macosx_junk=True),
            "tmdb.zip holds no CSV file",
        ),
        "missing column": (
            _write(tmp_path / "tmdb-movies.csv", udacity.replace("director", "directed_by", 1)),
            "tmdb-movies.csv lacks the column(s) director",
        ),
        "wrong separator": (
            _write(tmp_path / "semi.csv", udacity.replace(",", ";")),
            "semi.csv is separated by semicolons",
        ),
        "empty file": (
            _write(tmp_path / "x.csv", ""),
            "x.csv is empty",
        ),
        "header only": (
            _write(tmp_path / "fake.zip", "id,keywords\n"),
            "fake.zip has a header but no rows",
        ),
        "unknown columns": (
            _write(tmp_path / "other.csv", "id,name,price\n1,a,2\n"),
            "other.csv is not a known TMDb file",
        ),
        "latin-1": (
            _bytes(tmp_path / "kw.csv", b"id,keywords\n862,\"[{'id': 1, 'name': 'caf\xe9'}]\"\n"),
            "kw.csv is not UTF-8 text",
        ),
    }


def _bytes(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "kind",
    ["zip without the member", "missing column", "wrong separator", "empty file",
     "header only", "unknown columns", "latin-1"],
)  # fmt: skip
def test_unusable_file_stops_and_changes_nothing(catalogue, tmdb_files, tmp_path, kind):
    (tmp_path / "bad").mkdir()
    bad, message = _unusable(tmp_path / "bad")[kind]
    before = catalogue_counts()

    with pytest.raises(CommandError) as excinfo:
        run(*tmdb_files, bad)  # good files first: none of them may be half imported

    assert message in str(excinfo.value)
    assert catalogue_counts() == before
    assert not Movie.objects.exclude(overview="").exists()
