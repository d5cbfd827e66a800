"""The grounded taste-request parser, in English and Korean, on a small hand-built lexicon.

Each case states the whole request the words must give (anything more is a wrong guess) and
what must be reported as not understood (anything unreported would be silently dropped)."""

from __future__ import annotations

import time

import pytest

from llm_worker.taste.grounded_parser import parse_request
from llm_worker.taste.request import PersonRef, TasteRequest
from llm_worker.tests.taste_lexicon import (
    ALIEN,
    ARRIVAL,
    BONG,
    DARK_KNIGHT,
    DICAPRIO,
    EASTWOOD,
    GODFATHER,
    HANKS,
    HARRY_POTTER,
    HEAT,
    HEAT_1972,
    INCEPTION,
    NOLAN,
    RIDLEY_SCOTT,
    SCORSESE,
    SPIRITED_AWAY,
    STAR_WARS,
    UP,
    small_lexicon,
)

LEX = small_lexicon()
NOLAN_DIR = PersonRef(NOLAN, "Christopher Nolan", "director")
HANKS_CAST = PersonRef(HANKS, "Tom Hanks", "cast")
SCORSESE_DIR = PersonRef(SCORSESE, "Martin Scorsese", "")
R = TasteRequest

CASES = [
    # genres and their common names
    ("sci-fi from the 90s", R(genres_in=("Sci-Fi",), year_min=1990, year_max=1999), ()),
    ("science fiction", R(genres_in=("Sci-Fi",)), ()),
    ("SF please", R(genres_in=("Sci-Fi",)), ()),
    ("a rom-com", R(genres_in=("Romance", "Comedy")), ()),
    ("romantic comedies", R(genres_in=("Romance", "Comedy")), ()),
    ("animated movies", R(genres_in=("Animation",)), ()),
    ("film noir", R(genres_in=("Film-Noir",)), ()),
    ("a history film", R(), ("not_in_catalogue",)),  # the catalogue has no History genre
    # decades and years
    ("1990s thrillers", R(genres_in=("Thriller",), year_min=1990, year_max=1999), ()),
    ("nineties comedies", R(genres_in=("Comedy",), year_min=1990, year_max=1999), ()),
    ("late 80s action", R(genres_in=("Action",), year_min=1986, year_max=1989), ()),
    ("anything after 2010", R(year_min=2011), ()),
    ("westerns before 1980", R(genres_in=("Western",), year_max=1979), ()),
    ("between 1990 and 1995", R(year_min=1990, year_max=1995), ()),
    ("recent movies", R(year_min=2014), ()),  # the catalogue's latest five years
    ("something new", R(), ("nothing_understood",)),  # novelty, not a year
    # runtime
    ("under 100 minutes", R(runtime_max=100), ()),
    ("less than 2 hours", R(runtime_max=120), ()),
    ("at least 150 minutes", R(runtime_min=150), ()),
    ("something short", R(runtime_max=100), ()),
    ("a long epic", R(runtime_min=140, mood=("epic",)), ()),
    ("not too long", R(runtime_max=120), ()),
    ("up to 2 hours", R(runtime_max=120), ()),  # not the movie "Up"
    # original language and country
    ("Korean", R(languages_in=("ko",)), ()),
    ("French dramas", R(languages_in=("fr",), genres_in=("Drama",)), ()),
    ("Japanese anime", R(languages_in=("ja",), genres_in=("Animation",)), ()),
    ("British comedies", R(countries_in=("United Kingdom",), genres_in=("Comedy",)), ()),
    ("foreign films", R(languages_out=("en",)), ()),
    ("German films", R(), ("not_in_catalogue",)),
    # negation
    ("no horror", R(genres_out=("Horror",)), ()),
    ("without romance", R(genres_out=("Romance",)), ()),
    ("nothing with Tom Hanks", R(people_out=(HANKS_CAST,)), ()),
    ("no more Nolan", R(people_out=(NOLAN_DIR,)), ()),
    ("comedy but no romance", R(genres_in=("Comedy",), genres_out=("Romance",)), ()),
    ("no movies from the 80s", R(years_out=((1980, 1989),)), ()),
    ("nothing before 1980", R(year_min=1980), ()),
    ("nothing over 2 hours", R(runtime_max=120), ()),
    ("not Korean", R(languages_out=("ko",)), ()),
    ("I don't like Heat", R(avoid_movie_ids=(HEAT,)), ()),
    # like X, titles exact and misspelt
    ("like Arrival", R(seed_movie_ids=(ARRIVAL,)), ()),
    ("similar to The Dark Knight", R(seed_movie_ids=(DARK_KNIGHT,)), ()),
    ("movies like Heat (1972)", R(seed_movie_ids=(HEAT_1972,)), ()),
    ("like Heat", R(seed_movie_ids=(HEAT,)), ()),  # the better-known one
    ("like godfater", R(seed_movie_ids=(GODFATHER,)), ()),
    ("Spirited Awya", R(seed_movie_ids=(SPIRITED_AWAY,)), ()),
    ("godfater", R(seed_movie_ids=(GODFATHER,)), ()),
    ("something like Star Wars", R(seed_movie_ids=(STAR_WARS,)), ()),
    ("more like Up", R(seed_movie_ids=(UP,)), ()),
    ("something like Inception but shorter", R(seed_movie_ids=(INCEPTION,), runtime_max=100), ()),
    ("Something New", R(), ("nothing_understood",)),  # common words are no bare title
    # people
    ("directed by Christopher Nolan", R(people_in=(NOLAN_DIR,)), ()),
    ("Nolan films", R(people_in=(NOLAN_DIR,)), ()),
    ("starring Tom Hanks", R(people_in=(HANKS_CAST,)), ()),
    ("Christopher Nolen thrillers", R(people_in=(NOLAN_DIR,), genres_in=("Thriller",)), ()),
    ("with Tom Hanks and Leonardo DiCaprio",
     R(people_in=(HANKS_CAST, PersonRef(DICAPRIO, "Leonardo DiCaprio", "cast"))), ()),
    ("Clint Eastwood westerns",
     R(people_in=(PersonRef(EASTWOOD, "Clint Eastwood", ""),), genres_in=("Western",)), ()),
    ("starring Clint Eastwood", R(people_in=(PersonRef(EASTWOOD, "Clint Eastwood", "cast"),)), ()),
    # unknown and ambiguous names are reported, never invented
    ("Scott movies", R(), ("ambiguous_person",)),
    ("films by Quentin Tarantino", R(), ("unknown_person",)),
    ("movies like Zorblax Quest", R(), ("unknown_title",)),
    ("movie id 999999999", R(), ("unknown_movie_id",)),
    ("movie id 3", R(seed_movie_ids=(ARRIVAL,)), ()),
    ("Tarantino movies", R(), ("unknown_name",)),
    # moods, themes, keywords, mixed
    ("slow-burn sci-fi with strong female leads, like Arrival",
     R(genres_in=("Sci-Fi",), seed_movie_ids=(ARRIVAL,), mood=("slow-burn", "strong female lead")),
     ()),
    ("something lighter now", R(mood=("light-hearted",)), ()),
    ("I don't like action movies; I prefer quiet character dramas",
     R(genres_out=("Action",), genres_in=("Drama",), mood=("quiet", "character-driven")), ()),
    ("zombies or time travel", R(keywords_in=("zombie", "time travel")), ()),
    ("movies about grief and loss", R(themes=("grief and loss",)), ()),
    ("start over: French dramas", R(reset=True, languages_in=("fr",), genres_in=("Drama",)), ()),
    ("nothing too dark", R(mood_out=("dark",)), ()),
    # Korean
    ("공상과학 영화", R(genres_in=("Sci-Fi",)), ()),
    ("SF영화 추천해줘", R(genres_in=("Sci-Fi",)), ()),
    ("스릴러", R(genres_in=("Thriller",)), ()),
    ("로맨틱 코미디", R(genres_in=("Romance", "Comedy")), ()),
    ("로코 보고 싶어", R(genres_in=("Romance", "Comedy")), ()),
    ("애니메이션", R(genres_in=("Animation",)), ()),
    ("공포영화", R(genres_in=("Horror",)), ()),
    ("90년대 영화", R(year_min=1990, year_max=1999), ()),
    ("2000년대 초반 스릴러", R(genres_in=("Thriller",), year_min=2000, year_max=2003), ()),
    ("2010년 이후", R(year_min=2010), ()),
    ("1980년 이전 영화", R(year_max=1979), ()),
    ("100분 이하", R(runtime_max=100), ()),
    ("두 시간 이상", R(runtime_min=120), ()),
    ("짧은 영화", R(runtime_max=100), ()),
    ("한국 영화", R(languages_in=("ko",)), ()),
    ("일본 애니", R(languages_in=("ja",), genres_in=("Animation",)), ()),
    ("공포 말고 코미디", R(genres_out=("Horror",), genres_in=("Comedy",)), ()),
    ("액션은 빼고", R(genres_out=("Action",)), ()),
    ("로맨스 제외", R(genres_out=("Romance",)), ()),
    ("공포는 싫어요", R(genres_out=("Horror",)), ()),
    ("액션은 별로고 잔잔한 드라마",
     R(genres_out=("Action",), genres_in=("Drama",), mood=("quiet",)), ()),
    ("2시간 넘는 영화는 싫어", R(runtime_max=120), ()),
    ("인셉션 같은 영화", R(seed_movie_ids=(INCEPTION,)), ()),
    ("센과 치히로의 행방불명처럼 따뜻한 영화",
     R(seed_movie_ids=(SPIRITED_AWAY,), mood=("feel-good",)), ()),
    ("Arrival 같은 잔잔한 SF", R(seed_movie_ids=(ARRIVAL,), mood=("quiet",), genres_in=("Sci-Fi",)),
     ()),
    ("에이리언 말고", R(avoid_movie_ids=(ALIEN,)), ()),
    ("봉준호 감독 영화 좋아해요", R(people_in=(PersonRef(BONG, "Bong Joon-ho", "director"),)), ()),
    ("크리스토퍼 놀란 영화", R(people_in=(NOLAN_DIR,)), ()),
    ("놀란 감독 말고", R(people_out=(NOLAN_DIR,)), ()),
    ("톰 행크스 나오는 영화", R(people_in=(HANKS_CAST,)), ()),
    ("김철수 감독 영화", R(), ("unknown_person",)),
    ("좀비 영화", R(keywords_in=("zombie",)), ()),
    ("전쟁에 관한 이야기", R(genres_in=("War",)), ()),
    ("2시간 넘지 않는 코미디", R(runtime_max=120, genres_in=("Comedy",)), ()),
    ("너무 길지 않은 영화", R(runtime_max=120), ()),
    ("해리 포터 같은 판타지", R(seed_movie_ids=(HARRY_POTTER,), genres_in=("Fantasy",)), ()),
    # words the real catalogue made trouble with
    ("I hate zombies", R(keywords_out=("zombie",)), ()),  # "hate" is a keyword too
    ("nothing by Ridley Scott",
     R(people_out=(PersonRef(RIDLEY_SCOTT, "Ridley Scott", "director"),)), ()),
    ("I don't want anything scary", R(mood_out=("scary",)), ()),
    ("a movie to make me think", R(mood=("thought-provoking",)), ()),
    ("a Scorsese gangster movie", R(people_in=(SCORSESE_DIR,), genres_in=("Crime",)), ()),
    ("Nolan-esque thrillers", R(people_in=(NOLAN_DIR,), genres_in=("Thriller",)), ()),
    ("Harry Potter", R(seed_movie_ids=(HARRY_POTTER,)), ()),
    ("high school comedies", R(keywords_in=("high school",), genres_in=("Comedy",)), ()),
    ("Marvel movies", R(), ("unknown_name",)),  # an actress with one film is no bare surname
    ("romantic movies for date night", R(genres_in=("Romance",)), ()),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected", "missed"), CASES, ids=[c[0][:40] for c in CASES])
def test_parse(text, expected, missed):
    result = parse_request(text, lexicon=LEX)
    assert result.request == expected
    assert tuple(n.reason for n in result.not_understood) == missed
    assert result.engine == "grounded"


def test_there_are_at_least_sixty_cases_in_both_languages():
    korean = [c for c in CASES if any("\uac00" <= ch <= "\ud7a3" for ch in c[0])]
    assert len(CASES) >= 60
    assert len(korean) >= 25


def test_understood_pieces_quote_the_users_words():
    result = parse_request("no horror, like godfater from the 90s", lexicon=LEX)
    pieces = {(u.kind, u.polarity, u.value, u.text) for u in result.understood}
    assert ("genre", "out", "Horror", "horror") in pieces
    assert ("seed", "in", "The Godfather (1972)", "godfater") in pieces
    assert ("years", "in", "1990-1999", "the 90s") in pieces


def test_ambiguous_surname_names_the_candidates():
    (missed,) = parse_request("something by Scott", lexicon=LEX).not_understood
    assert missed.reason == "ambiguous_person"
    assert set(missed.candidates) == {"Ridley Scott", "Tony Scott"}


def test_a_surname_with_a_clear_leader_is_that_person():
    # Jonathan Nolan acted once; Christopher Nolan directed eight: "Nolan" is Christopher
    assert parse_request("Nolan", lexicon=LEX).request.people_in == (NOLAN_DIR,)


@pytest.mark.parametrize(
    "text",
    [
        None, 12345, "", "   ", "\x00\x01\x02", "<script>alert(1)</script>",
        "&lt;script&gt;alert(1)&lt;/script&gt; sci-fi", "<<<>>>", "😀🔥🚀" * 300, "a" * 5000,
        "공포" * 2000, "\u202eevil\u202c", '"unterminated', "「", "((((((((((",
        "movie id " + "9" * 40,
        "like like like like", "no no no no no", "1990 1990 1990s 90년대 90년대", "-" * 999,
    ],
)  # fmt: skip
def test_hostile_input_never_raises(text):
    result = parse_request(text, lexicon=LEX)
    assert isinstance(result.request, TasteRequest)


def test_hostile_text_costs_a_bounded_time_and_a_bounded_report():
    words = ["Zorblax", "Quuxfilm", "Blorptastic", "Grindlewick", "Frobnicator"] * 40
    for text in (" ".join(words), " ".join(f"like {w}" for w in words), "1990 " * 200):
        start = time.perf_counter()
        result = parse_request(text, lexicon=LEX)
        assert time.perf_counter() - start < 1.0
        assert len(result.not_understood) <= 12


def test_markup_is_reported_and_its_words_are_not_read():
    result = parse_request("<script>alert('horror')</script> comedies", lexicon=LEX)
    assert result.request == R(genres_in=("Comedy",))
    assert [n.reason for n in result.not_understood] == ["markup"]


def test_emoji_are_ignored():
    assert parse_request("😀🔥 sci-fi 🚀", lexicon=LEX).request == R(genres_in=("Sci-Fi",))


def test_long_text_is_cut_and_the_cut_reported():
    result = parse_request("horror " + "blah " * 400 + "comedy", lexicon=LEX)
    assert result.request.genres_in == ("Horror",)
    assert "too_long" in {n.reason for n in result.not_understood}


def test_a_request_said_both_ways_keeps_the_exclusion():
    result = parse_request("comedy, actually no comedy", lexicon=LEX)
    assert result.request.genres_out == ("Comedy",)
    assert result.request.genres_in == ()


def test_parsing_is_fast_enough_for_a_chat_turn():
    text = "slow-burn sci-fi from the 90s like Arrival, no horror, under 2 hours, Korean or French"
    parse_request(text, lexicon=LEX)
    start = time.perf_counter()
    for _ in range(20):
        parse_request(text, lexicon=LEX)
    assert (time.perf_counter() - start) / 20 < 0.05


def test_an_adjective_after_with_is_no_actor():
    """ "with strong female leads" read as "starring Mark Strong" put Green Lantern first."""
    from .taste_lexicon import MARK_STRONG

    read = parse_request("slow-burn sci-fi with strong female leads, like Arrival", lexicon=LEX)
    assert read.request.people_in == ()
    assert "Sci-Fi" in read.request.genres_in
    assert read.request.seed_movie_ids == (ARRIVAL,)
    strong = PersonRef(MARK_STRONG, "Mark Strong", "cast")
    assert parse_request("a thriller with Strong", lexicon=LEX).request.people_in == (strong,)
    assert parse_request("movies with tom hanks", lexicon=LEX).request.people_in == (HANKS_CAST,)
