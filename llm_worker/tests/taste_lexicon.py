"""A small hand-built catalogue lexicon for the taste-request parser tests (no database).
Ids are the catalogue's; the Korean names come from `movies.lexicon_aliases`, as in production."""

from __future__ import annotations

from movies.lexicon import Lexicon, lexicon_from_rows

GODFATHER, SPIRITED_AWAY, ARRIVAL, HEAT, INCEPTION, ALIEN = 1, 2, 3, 4, 5, 6
DARK_KNIGHT, SOMETHING_NEW, SNOWPIERCER, HEAT_1972, BLADE_RUNNER, AMELIE, UP = range(7, 14)
STAR_WARS, RECENT, HARRY_POTTER, HIGH_SCHOOL = 14, 15, 16, 17

NOLAN, BONG, RIDLEY_SCOTT, TONY_SCOTT, HANKS, DICAPRIO, EASTWOOD, JONATHAN_NOLAN = range(1, 9)
SCORSESE, ELIZABETH_MARVEL = 9, 10
MARK_STRONG = 11

GENRES = (
    "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama",
    "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller",
    "War", "Western",
)  # fmt: skip


def small_lexicon() -> Lexicon:
    return lexicon_from_rows(
        titles=[
            (GODFATHER, "The Godfather", "", 1972, 200),
            (SPIRITED_AWAY, "Spirited Away (Sen to Chihiro no kamikakushi)", "", 2001, 150),
            (ARRIVAL, "Arrival", "", 2016, 100),
            (HEAT, "Heat", "", 1995, 90),
            (INCEPTION, "Inception", "", 2010, 180),
            (ALIEN, "Alien", "", 1979, 120),
            (DARK_KNIGHT, "The Dark Knight", "", 2008, 190),
            (SOMETHING_NEW, "Something New", "", 2006, 3),
            (SNOWPIERCER, "Snowpiercer", "", 2013, 50),
            (HEAT_1972, "Heat", "", 1972, 2),
            (BLADE_RUNNER, "Blade Runner", "", 1982, 130),
            (AMELIE, "Amélie (Fabuleux destin d'Amélie Poulain, Le)", "", 2001, 110),
            (UP, "Up", "", 2009, 100),
            (STAR_WARS, "Star Wars: Episode IV - A New Hope", "", 1977, 250),
            (RECENT, "Game Night", "", 2018, 5),
            (HARRY_POTTER, "Harry Potter and the Sorcerer's Stone", "", 2001, 140),
            (HIGH_SCHOOL, "High School", "", 2010, 1),
        ],
        people=[
            (NOLAN, "Christopher Nolan", 8, 0),
            (BONG, "Bong Joon-ho", 3, 0),
            (RIDLEY_SCOTT, "Ridley Scott", 10, 0),
            (TONY_SCOTT, "Tony Scott", 8, 0),
            (HANKS, "Tom Hanks", 0, 30),
            (DICAPRIO, "Leonardo DiCaprio", 0, 20),
            (EASTWOOD, "Clint Eastwood", 10, 15),
            (JONATHAN_NOLAN, "Jonathan Nolan", 0, 1),
            (SCORSESE, "Martin Scorsese", 12, 1),
            (ELIZABETH_MARVEL, "Elizabeth Marvel", 0, 1),
            (MARK_STRONG, "Mark Strong", 0, 25),
        ],
        genres=GENRES,
        # "nothing", "hate" and "scorsese" are real TMDb keywords that everyday words collide with
        keywords=[
            "time travel",
            "zombie",
            "dystopia",
            "love",
            "heist",
            "female protagonist",
            "nothing",
            "hate",
            "scorsese",
            "high school",
            "date",
        ],
        languages=["en", "ko", "ja", "fr"],
        countries=["United States of America", "South Korea", "Japan", "France", "United Kingdom"],
    )
