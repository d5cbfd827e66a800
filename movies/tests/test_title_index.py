from __future__ import annotations

import pytest

from movies.models import normalize_title
from movies.selectors import TITLE_INDEX, movie_search
from movies.tests.factories import MovieFactory
from movies.title_index import RefreshingIndex, TitleIndex

ROWS = [
    (1, normalize_title("Star Wars")),
    (2, normalize_title("The Lion King")),
    (3, normalize_title("Lone Star")),
    (4, normalize_title("Amélie Le Fabuleux destin d Amélie Poulain")),
    (5, normalize_title("Star Trek Into Darkness")),
]


def test_every_word_must_match_in_popularity_order_up_to_the_limit():
    index = TitleIndex(ROWS)
    assert index.find(["star"], 10) == [1, 3, 5]
    assert index.find(["star"], 2) == [1, 3]
    assert index.find(["dark", "star"], 10) == [5]
    assert index.find(["amelie"], 10) == [4]
    assert index.find(["fabul", "poulain"], 10) == [4]
    assert index.find(["zzz"], 10) == []
    assert index.find([], 10) == []


def test_the_refreshing_index_rebuilds_after_forget_or_when_too_old():
    calls = []

    def load():
        calls.append(1)
        return ROWS[: len(calls)]

    refreshing = RefreshingIndex(load, max_age_s=3600)
    assert len(refreshing.get()) == 1
    assert len(refreshing.get()) == 1  # still fresh: not reloaded
    refreshing.forget()
    assert len(refreshing.get()) == 2
    stale = RefreshingIndex(load, max_age_s=0)
    assert len(stale.get()) == 3
    assert len(stale.get()) == 4


@pytest.mark.django_db
def test_search_sees_a_saved_movie_at_once_and_never_a_hidden_one():
    MovieFactory(title="Oldboy", num_ratings=10)
    assert [m.title for m in movie_search(query="oldb")] == ["Oldboy"]
    TITLE_INDEX.get()  # built
    newer = MovieFactory(title="Oldboy Returns", num_ratings=50)
    assert [m.title for m in movie_search(query="oldb")] == ["Oldboy Returns", "Oldboy"]
    # Hidden by a bulk update (no signal, the index still lists it): still never shown.
    type(newer).objects.filter(pk=newer.pk).update(hidden=True)
    assert [m.title for m in movie_search(query="oldb")] == ["Oldboy"]


SEQUELS = [
    (10, normalize_title("The Godfather")),
    (11, normalize_title("The Godfather: Part II")),
    (12, normalize_title("The Godfather: Part III")),
    (13, normalize_title("Toy Story 3")),
    (14, normalize_title("Star Wars: Episode IV - A New Hope")),
    (15, normalize_title("I Am Legend")),
    (16, normalize_title("Mission: Impossible III")),
    (17, normalize_title("Harry Potter and the Deathly Hallows: Part 1")),
]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("godfather part 2", [11]),
        # Words match as prefixes are typed: "part ii" may be on its way to "part iii".
        ("godfather part ii", [11, 12]),
        ("Godfather: Part II", [11, 12]),
        ("godfather 2", [11]),
        ("godfather part 3", [12]),
        ("godfather iii", [12]),
        ("toy story iii", [13]),
        ("star wars episode 4", [14]),
        ("star wars 4", [14]),
        # A lone "I" is the pronoun, not a number; typing a prefix still finds the title.
        ("1 am legend", []),
        ("deathly hallows part i", [17]),
        ("mi", [16]),
        ("mission impossible 3", [16]),
    ],
)
def test_sequel_numbers_match_as_digits_or_roman_numerals(query, found):
    index = TitleIndex(SEQUELS)
    assert index.find(normalize_title(query).split(), 10) == found


@pytest.mark.django_db
def test_search_finds_the_godfather_part_ii_however_it_is_typed():
    MovieFactory(title="The Godfather", num_ratings=192)
    MovieFactory(title="The Godfather: Part II", num_ratings=129)
    MovieFactory(title="The Godfather: Part III", num_ratings=45)
    for query in ("godfather part ii", "Godfather: Part II", "godfather part 2", "GODFATHER 2"):
        titles = [m.title for m in movie_search(query=query)]
        assert titles[0] == "The Godfather: Part II"
        assert "The Godfather" not in titles
