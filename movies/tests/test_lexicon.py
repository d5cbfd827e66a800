"""The catalogue lexicon built from the database: what it holds, what it leaves out, and when
the per-process copy is rebuilt."""

from __future__ import annotations

import pytest

from movies import lexicon as lexicon_module
from movies.lexicon import catalogue_lexicon, forget_catalogue_lexicon, lexicon_from_rows
from movies.models import Credit, MovieTranslation, PersonAlias
from movies.tests.factories import (
    CreditFactory,
    GenreFactory,
    KeywordFactory,
    MovieFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_lexicon():
    forget_catalogue_lexicon()
    yield
    forget_catalogue_lexicon()


@pytest.fixture
def catalogue():
    scifi, horror = GenreFactory(name="Sci-Fi"), GenreFactory(name="Horror")
    godfather = MovieFactory(title="The Godfather", year=1972, num_ratings=200,
                             original_language="en",
                             production_countries=["United States of America"])  # fmt: skip
    spirited = MovieFactory(title="Spirited Away (Sen to Chihiro no kamikakushi)",
                            original_title="千と千尋の神隠し", year=2001, original_language="ja",
                            production_countries=["Japan"])  # fmt: skip
    hidden = MovieFactory(title="Secret Horror", year=1990, hidden=True, original_language="fr",
                          production_countries=["France"])  # fmt: skip
    spirited.genres.add(scifi)
    hidden.genres.add(horror)
    spirited.keywords.add(KeywordFactory(name="bathhouse"))
    hidden.keywords.add(KeywordFactory(name="hidden keyword"))
    nolan = PersonFactory(name="Christopher Nolan")
    CreditFactory(movie=godfather, person=nolan, role=Credit.Role.DIRECTOR)
    CreditFactory(movie=spirited, person=nolan, role=Credit.Role.CAST)
    CreditFactory(movie=hidden, person=PersonFactory(name="Only In Hidden"))
    PersonAlias.objects.create(person=nolan, name="Chris Nolan", language="en")
    MovieTranslation.objects.create(movie=spirited, language="ko", title="센과 치히로의 행방불명")
    return {"godfather": godfather, "spirited": spirited, "hidden": hidden, "nolan": nolan}


def test_the_lexicon_holds_the_visible_catalogue(catalogue):
    lex = catalogue_lexicon()
    titles = {t.movie_id: t for t in lex.titles}
    assert set(titles) == {catalogue["godfather"].pk, catalogue["spirited"].pk}
    spirited = titles[catalogue["spirited"].pk]
    assert spirited.title == "Spirited Away"
    assert "Sen to Chihiro no kamikakushi" in spirited.aliases
    assert "千と千尋の神隠し" in spirited.aliases
    assert "센과 치히로의 행방불명" in spirited.aliases  # the translation (and the curated alias)
    assert "대부" in titles[catalogue["godfather"].pk].aliases  # curated Korean title
    assert titles[catalogue["godfather"].pk].popularity == 200
    assert lex.genres == ("Sci-Fi",)
    assert lex.keywords == ("bathhouse",)
    assert lex.languages == ("en", "ja")
    assert lex.countries == ("Japan", "United States of America")


def test_people_carry_their_credits_and_other_names(catalogue):
    (person,) = catalogue_lexicon().people  # nobody with only a hidden movie
    assert (person.name, person.directed, person.acted) == ("Christopher Nolan", 1, 1)
    assert set(person.aliases) == {"크리스토퍼 놀란", "Chris Nolan"}


def test_the_copy_is_kept_until_the_catalogue_changes(catalogue, monkeypatch):
    first = catalogue_lexicon()
    assert catalogue_lexicon() is first
    monkeypatch.setattr(lexicon_module, "CHECK_EVERY_S", 0.0)
    assert catalogue_lexicon() is first  # checked, nothing changed
    MovieFactory(title="Arrival", year=2016)
    fresh = catalogue_lexicon()
    assert fresh is not first
    assert "Arrival" in {t.title for t in fresh.titles}


def test_an_empty_catalogue_gives_an_empty_lexicon():
    lex = catalogue_lexicon()
    assert (lex.titles, lex.people, lex.genres, lex.latest_year) == ((), (), (), None)


def test_plain_rows_need_no_database():
    lex = lexicon_from_rows(
        titles=[(1, "Léon: The Professional (a.k.a. The Professional) (Léon)", "", 1994, 5)],
        people=[(7, "Bong Joon-ho", 3, 0)],
        person_aliases={7: ["Bong Joon Ho", "봉준호"]},
    )
    assert lex.titles[0].title == "Léon: The Professional"
    assert lex.titles[0].aliases == ("The Professional", "Léon", "레옹")
    # each name once: "Bong Joon Ho" is the name itself, spelt without the hyphen
    assert lex.people[0].aliases == ("봉준호",)
