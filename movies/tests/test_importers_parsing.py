"""The plain readers' small parsers (no database): titles, dates, ids, list literals and the
repair of mojibake."""

from __future__ import annotations

import datetime as dt

import pytest

from movies.importers.base import RowError, literal_list, names_of, to_int
from movies.importers.movielens import parse_title
from movies.importers.text import Repairs, repair_text
from movies.importers.tmdb import detect_format, imdb_number, runtime_minutes, us_date


@pytest.mark.parametrize(
    ("raw", "title", "main", "year"),
    [
        ("Toy Story (1995)", "Toy Story", "Toy Story", 1995),
        ("Shawshank Redemption, The (1994)", "The Shawshank Redemption",
         "The Shawshank Redemption", 1994),
        ("City of Lost Children, The (Cité des enfants perdus, La) (1995)",
         "The City of Lost Children (Cité des enfants perdus, La)", "The City of Lost Children",
         1995),
        ("Avventura, L' (1960)", "L'Avventura", "L'Avventura", 1960),
        ("Death Note: Desu nôto (2006–2007)", "Death Note: Desu nôto", "Death Note: Desu nôto",
         2006),
        ("Babylon 5", "Babylon 5", "Babylon 5", None),
        ("Crouching Tiger, Hidden Dragon (Wo hu cang long) (2000)",
         "Crouching Tiger, Hidden Dragon (Wo hu cang long)", "Crouching Tiger, Hidden Dragon",
         2000),
    ],
)  # fmt: skip
def test_parse_title(raw, title, main, year):
    parsed = parse_title(raw)

    assert (parsed.title, parsed.main_title, parsed.year) == (title, main, year)


def test_lists_as_python_literals_and_as_json():
    python = "[{'id': 1, 'name': \"Schindler's List\"}, {'id': 2, 'name': 'war'}]"
    json_text = '[{"id": 1, "name": "Espa\\u00f1ol"}]'

    assert names_of(literal_list(python, "k"), "k") == ["Schindler's List", "war"]
    assert names_of(literal_list(json_text, "k"), "k") == ["Español"]
    assert literal_list("", "k") == []


@pytest.mark.parametrize("bad", ["[{'id': 1", "__import__('os')", "{'id': 1}"])
def test_anything_but_a_list_literal_is_a_row_error(bad):
    with pytest.raises(RowError):
        literal_list(bad, "keywords")


def test_small_values():
    assert imdb_number("tt0114709") == 114709
    assert imdb_number("") is None
    assert us_date("6/9/15", 2015) == dt.date(2015, 6, 9)
    assert us_date("10/30/95", 1995) == dt.date(1995, 10, 30)
    assert runtime_minutes("81.0") == 81
    assert runtime_minutes("0") is None
    assert to_int("007", "id") == 7
    with pytest.raises(RowError, match="is not a number"):
        to_int("1997-08-20", "TMDb id")


def test_formats_are_told_apart_by_columns():
    assert detect_format("k.csv", ["id", "keywords"]).name == "Kaggle keywords.csv"
    assert detect_format("c.csv", ["cast", "crew", "id"]).name == "Kaggle credits.csv"
    assert detect_format("t.csv", ["movie_id", "title", "cast", "crew"]).name.startswith(
        "TMDB 5000"
    )


@pytest.mark.parametrize(
    ("garbled", "repaired"),
    [
        ("MiloÅ¡ Forman", "Miloš Forman"),
        ("Kristin RudrÃ¼d", "Kristin Rudrüd"),
        ("Stellan SkarsgÃ¥rd", "Stellan Skarsgård"),
        ("Malin Ã…kerman", "Malin Åkerman"),  # ftfy's heuristics alone leave this one
        ("Alejandro GonzÃ¡lez IÃ±Ã¡rritu", "Alejandro González Iñárritu"),
        ("â€œThe Art of FLIGHTâ€, a film", "“The Art of FLIGHT”, a film"),  # last byte lost
        ("í•œêµ\xad", "한국"),  # Korean, when no byte was lost
    ],
)
def test_double_encoded_text_is_repaired(garbled, repaired):
    assert repair_text(garbled, double_encoded=True)[0] == repaired


def test_a_lost_byte_is_not_guessed_and_is_reported():
    # "Ángel": the byte after Ã (0x81) is one of the five Windows-1252 lacks; the file lost it.
    assert repair_text("Miguel Ãngel SuÃ¡rez", double_encoded=True) == (
        "Miguel Ãngel Suárez", False,
    )  # fmt: skip


@pytest.mark.parametrize(
    "sound",
    [
        "기생충", "千と千尋の神隠し", "Ｔｏｋｙｏ", "Amélie", "“Hope” is a good thing",
        "naïve café", "Åsa-nisse", "São Paulo", "Smørrebrød", "Zoë Kravitz", "Björk", "Ångström",
    ],
)  # fmt: skip
def test_sound_text_is_left_alone(sound):
    assert repair_text(sound)[0] == sound
    assert repair_text(sound, double_encoded=True)[0] == sound


def test_ftfy_repairs_plain_mojibake_in_any_file():
    assert repair_text("Academy AwardÂ®-nominee")[0] == "Academy Award®-nominee"


def test_a_double_encoded_row_is_repaired_before_its_names_are_split_and_stripped():
    repairs = Repairs()
    row = {"cast": "Irene MontalÃ\xa0|MiloÅ¡ Forman|Tom Hanks", "overview": "Bondâ€™s past"}

    fixed = repairs.fix_row(row, label="tmdb-movies.csv", named={"cast": "people"})

    assert fixed == {"cast": "Irene Montalà|Miloš Forman|Tom Hanks", "overview": "Bond’s past"}
    # What an earlier import stored (split, stripped) → the repaired name.
    assert repairs.renamed["people"] == {
        "Irene MontalÃ": "Irene Montalà", "MiloÅ¡ Forman": "Miloš Forman",
    }  # fmt: skip
    assert repairs.repaired["tmdb-movies.csv"] == 2
