"""Text encodings in the imports (issue 14): the garbled names and overviews of the published
tmdb-movies.csv ("MiloÅ¡ Forman") are repaired, also in rows an earlier import stored that way;
sound non-ASCII text (accents, Korean, Japanese) is left alone; and a UTF-8 byte-order mark in
front of any importer's file loses no row ("user id 'ï»¿196' is not a number")."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from movies.models import Credit, Keyword, Movie, Person, Rating, Tag

from .datafiles import (
    LINKS,
    ML100K_ITEMS,
    ML100K_RATINGS,
    ML100K_USERS,
    MOVIES,
    RATINGS,
    TAGS,
    TMDB5000_HEADER,
    UDACITY_HEADER,
    csv_family,
    csv_text,
    garble,
    ml100k,
    tmdb5000_row,
    udacity_row,
    with_bom,
    zipped,
)

pytestmark = pytest.mark.django_db

# "Mollà" ends in "Ã" + a no-break space once garbled: stripping before the repair loses it.
SHAWSHANK_CAST = [
    "Stellan Skarsgård",
    "Kristin Rudrüd",
    "Malin Åkerman",
    "Zoë Kravitz",
    "Jordi Mollà",
]
SHAWSHANK_DIRECTOR = "Miloš Forman"
# Curly quotes: the closing one (E2 80 9D) loses its last byte in the published file.
SHAWSHANK_OVERVIEW = (
    "“Hope” is a good thing, maybe the best of things — Andy’s café in Zihuatanejo."
)
AMELIE_TITLE = "Le Fabuleux Destin d'Amélie Poulain"
AMELIE_DIRECTOR = "Jean-Pierre Jeunet"
AMELIE_KEYWORD = "café"


def _import(command: str, *paths) -> str:
    out = io.StringIO()
    call_command(command, *map(str, paths), "--no-progress", stdout=out)
    return out.getvalue()


@pytest.fixture
def catalogue(tmp_path):
    _import("import_movielens", csv_family(tmp_path / "ml"))


def _udacity_file(path, *, garbled: bool):
    text = csv_text(
        UDACITY_HEADER,
        [
            udacity_row(278, "tt0111161", "The Shawshank Redemption", "|".join(SHAWSHANK_CAST),
                        SHAWSHANK_DIRECTOR, 1994, SHAWSHANK_OVERVIEW),
            udacity_row(194, "tt0211915", AMELIE_TITLE, "Audrey Tautou|Mathieu Kassovitz",
                        AMELIE_DIRECTOR, 2001, "Amélie is an innocent girl in Paris.",
                        keywords=f"paris|{AMELIE_KEYWORD}|\xa0"),
        ],
    )  # fmt: skip
    path.write_text(garble(text) if garbled else text, encoding="utf-8")
    return path


def _people_of(movie: Movie, role: str) -> list[str]:
    return list(
        movie.credits.filter(role=role).order_by("order").values_list("person__name", flat=True)
    )


def test_garbled_tmdb_movies_csv_is_repaired(catalogue, tmp_path):
    output = _import("import_tmdb", _udacity_file(tmp_path / "tmdb-movies.csv", garbled=True))

    shawshank = Movie.objects.get(tmdb_id=278)
    assert _people_of(shawshank, Credit.Role.CAST) == SHAWSHANK_CAST
    assert _people_of(shawshank, Credit.Role.DIRECTOR) == [SHAWSHANK_DIRECTOR]
    assert shawshank.overview == SHAWSHANK_OVERVIEW
    amelie = Movie.objects.get(tmdb_id=194)
    assert amelie.original_title == AMELIE_TITLE
    assert "amelie poulain" in amelie.search_title
    assert amelie.keywords.filter(name=AMELIE_KEYWORD).exists()
    assert not Person.objects.filter(name__contains="Ã").exists()
    assert "Repaired garbled text (mojibake)" in output


def test_reimport_repairs_rows_an_earlier_import_stored_garbled(catalogue, tmp_path, monkeypatch):
    path = _udacity_file(tmp_path / "tmdb-movies.csv", garbled=True)
    with monkeypatch.context() as patch:
        # The import as it was before the repair existed: the file's text stored as it is.
        patch.setattr(
            "movies.importers.text.Repairs.fix_row", lambda self, row, **kw: row, raising=False
        )
        _import("import_tmdb", path)
    assert Person.objects.filter(name=garble(SHAWSHANK_DIRECTOR)).exists()
    assert Keyword.objects.filter(name="Â").exists()
    people_before = Person.objects.count()
    # Someone had already entered one of the people under the right name, with another film.
    skarsgard = Person.objects.create(name="Stellan Skarsgård")
    Credit.objects.create(movie=Movie.objects.get(tmdb_id=862), person=skarsgard, role="cast")

    output = _import("import_tmdb", path)

    shawshank = Movie.objects.get(tmdb_id=278)
    assert _people_of(shawshank, Credit.Role.CAST) == SHAWSHANK_CAST
    assert _people_of(shawshank, Credit.Role.DIRECTOR) == [SHAWSHANK_DIRECTOR]
    assert shawshank.overview == SHAWSHANK_OVERVIEW
    assert Movie.objects.get(tmdb_id=194).original_title == AMELIE_TITLE
    # Repaired in place: no garbled row left, none added beside it, Skarsgård merged into one.
    assert Person.objects.count() == people_before
    assert not Person.objects.filter(name__contains="Ã").exists()
    assert set(skarsgard.credits.values_list("movie__tmdb_id", flat=True)) == {862, 278}
    assert not Keyword.objects.filter(name=garble(AMELIE_KEYWORD)).exists()
    assert not Keyword.objects.filter(name="Â").exists()  # a no-break space, garbled
    assert Movie.objects.get(tmdb_id=194).keywords.filter(name=AMELIE_KEYWORD).exists()
    assert "Repaired the names of 6 people and 2 keywords" in output

    assert "Updated 0 movies" in _import("import_tmdb", path)


def test_sound_non_ascii_text_is_left_alone(catalogue, tmp_path):
    # Korean, Japanese, fullwidth letters, accents and curly quotes, in a TMDB 5000 file and in
    # a tmdb-movies.csv that someone saved without the published file's mojibake.
    overview = "「千と千尋の神隠し」と 기생충, Ｔｏｋｙｏ — “Amélie’s” naïve Ångström, Smørrebrød."
    tmdb5000 = csv_text(TMDB5000_HEADER, [tmdb5000_row(862, "토이 스토리", "1995-10-30", overview)])
    udacity = tmp_path / "tmdb-movies.csv"
    udacity.write_text(
        csv_text(UDACITY_HEADER, [
            udacity_row(278, "tt0111161", "쇼생크 탈출", "송강호|Zoë Kravitz|Björk|Åsa Larsson",
                        "是枝裕和", 1994, overview),
        ]),
        encoding="utf-8",
    )  # fmt: skip

    output = _import(
        "import_tmdb", zipped(tmp_path / "t.zip", {"tmdb_5000_movies.csv": tmdb5000}), udacity
    )

    toy_story = Movie.objects.get(tmdb_id=862)
    assert (toy_story.original_title, toy_story.overview) == ("토이 스토리", overview)
    shawshank = Movie.objects.get(tmdb_id=278)
    assert (shawshank.original_title, shawshank.overview) == ("쇼생크 탈출", overview)
    assert _people_of(shawshank, Credit.Role.CAST) == [
        "송강호",
        "Zoë Kravitz",
        "Björk",
        "Åsa Larsson",
    ]
    assert _people_of(shawshank, Credit.Role.DIRECTOR) == ["是枝裕和"]
    assert "mojibake" not in output


# --- byte-order marks ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["u.item", "u.user", "u.data"])
def test_ml100k_file_with_a_byte_order_mark_keeps_its_first_row(tmp_path, name):
    files = {"u.item": ML100K_ITEMS, "u.user": ML100K_USERS, "u.data": ML100K_RATINGS}
    arguments = {"u.item": "items", "u.user": "users", "u.data": "ratings"}

    output = _import(
        "import_movielens",
        ml100k(tmp_path / "ml-100k", **{arguments[name]: with_bom(files[name])}),
    )

    assert "Skipped" not in output
    assert Movie.objects.count() == 5
    assert Movie.objects.get(ml100k_id=1).title == "Toy Story"
    assert User.objects.get(username="ml-100k:1").age == 24
    assert Rating.objects.count() == 6


@pytest.mark.parametrize("bom", [True, False])
def test_ml100k_items_saved_as_utf8_keep_their_accents(tmp_path, bom):
    items = ML100K_ITEMS.replace("Kolya (1996)", "Á köldum klaka (Cold Fever) (1994)").encode()

    _import(
        "import_movielens", ml100k(tmp_path / "ml-100k", items=with_bom(items) if bom else items)
    )

    assert Movie.objects.get(ml100k_id=4).title == "Á köldum klaka (Cold Fever)"


def test_ml100k_latin1_items_keep_their_accents(tmp_path):
    items = ML100K_ITEMS.replace("Kolya (1996)", "Á köldum klaka (Cold Fever) (1994)")

    _import("import_movielens", ml100k(tmp_path / "ml-100k", items=items.encode("latin-1")))

    assert Movie.objects.get(ml100k_id=4).title == "Á köldum klaka (Cold Fever)"


@pytest.mark.parametrize("name", ["movies", "links", "ratings", "tags"])
def test_csv_file_with_a_byte_order_mark_keeps_its_first_row(tmp_path, name):
    files = {"movies": MOVIES, "links": LINKS, "ratings": RATINGS, "tags": TAGS}

    output = _import(
        "import_movielens", csv_family(tmp_path / "ml", **{name: with_bom(files[name])})
    )

    assert "Skipped" not in output
    assert Movie.objects.count() == 4
    assert Movie.objects.get(movielens_id=1).tmdb_id == 862
    assert Rating.objects.count() == 6
    assert Tag.objects.count() == 2


@pytest.mark.parametrize("zip_it", [False, True])
def test_tmdb_files_with_a_byte_order_mark_keep_their_first_row(catalogue, tmp_path, zip_it):
    tmdb5000 = with_bom(
        csv_text(TMDB5000_HEADER, [tmdb5000_row(862, "Toy Story", "1995-10-30", "Woody and Buzz.")])
    )
    udacity = with_bom(_udacity_file(tmp_path / "u.csv", garbled=True).read_bytes())
    if zip_it:
        paths = [
            zipped(tmp_path / "a.zip", {"tmdb_5000_movies.csv": tmdb5000}),
            zipped(tmp_path / "b.zip", {"tmdb-movies.csv": udacity}),
        ]
    else:
        (tmp_path / "tmdb_5000_movies.csv").write_bytes(tmdb5000)
        (tmp_path / "tmdb-movies.csv").write_bytes(udacity)
        paths = [tmp_path / "tmdb_5000_movies.csv", tmp_path / "tmdb-movies.csv"]

    output = _import("import_tmdb", *paths)

    assert "Skipped" not in output
    assert Movie.objects.get(tmdb_id=862).overview == "Woody and Buzz."
    assert Movie.objects.get(tmdb_id=278).overview == SHAWSHANK_OVERVIEW
