"""Reasons on the cards, from evidence only: the request constraints a candidate meets, a
director, genres and themes it shares with the user's movies. Never a repeat of the page's
"because" line, liked and watched named truthfully, no two cards in a row with the same frame,
Korean particles chosen by the word before them."""

from __future__ import annotations

import itertools
import re

import pytest

from llm_worker.contracts import KeywordStats, MetConstraint, NearMovie
from llm_worker.grounded.reasons import reasons_for
from llm_worker.phrases import en, ko
from llm_worker.tests.llm_samples import (
    CANDIDATES_EN,
    CANDIDATES_KO,
    WATCHED_EN,
    WATCHED_KO,
    _facts,
    candidate,
)

FAMILIES = (
    "REASON_MET",
    "REASON_DIRECTOR_TITLE",
    "REASON_DIRECTOR_ONE",
    "REASON_DIRECTOR_COUNT",
    "REASON_GENRES",
    "REASON_KEYWORDS",
    "REASON_DEFAULT",
)


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{[^}]*\}", template)
    return re.compile("(?i)^" + "(.+?)".join(re.escape(p) for p in parts) + "$")


def frames_of(reason: str, module) -> list[tuple[str, int]]:
    """The (family, index) of each sentence of a reason, read back with the phrase tables."""
    found = []
    for sentence in re.split(r"(?<=\.) (?=\S)", reason):
        matches = [
            (family, i)
            for family in FAMILIES
            for i, frame in enumerate(getattr(module, family))
            if _pattern(frame).match(sentence)
        ]
        assert matches, f"no frame writes {sentence!r}"
        found.append(matches[0])
    return found


def crime(movie_id: int, title: str, director: str, because=(), **extra):
    facts = _facts(title, 2010, ("Crime", "Drama"), (director,), ("serial killer",))
    return candidate(movie_id, facts, "en", 0.5, because, **extra)


def test_reasons_use_evidence_and_never_repeat_the_because_line():
    thief, toy = reasons_for(CANDIDATES_EN[:2], WATCHED_EN, "en")
    # Thief is nearest to Heat (the page's "because" line): the reason names the other Mann film.
    assert thief.startswith("Directed by Michael Mann, who also made Collateral.")
    assert "Heat" not in thief
    assert toy == "Rated highly by viewers with tastes like yours."
    parasite = reasons_for(CANDIDATES_KO[1:2], WATCHED_KO, "ko")[0]
    assert parasite.startswith("봉준호 감독 작품으로, 이 감독의 영화를 2편 보셨습니다.")
    for title in ("살인의 추억", "마더"):  # both on the "because" line
        assert title not in parasite
    everything = reasons_for(CANDIDATES_EN, WATCHED_EN, "en")
    titles = {m.movie_id: m.title for m in WATCHED_EN}
    for brief, reason in zip(CANDIDATES_EN, everything, strict=True):
        for near in brief.near:
            assert titles[near.movie_id] not in reason


def test_liked_and_watched_are_named_truthfully():
    # Heat is liked, Collateral only watched.
    near_heat = crime(40, "Public Enemies", "Michael Mann", (1,))
    near_collateral = crime(41, "Blackhat", "Michael Mann", (2,))
    first, second = reasons_for([near_heat, near_collateral], WATCHED_EN, "en")
    assert first.startswith("Directed by Michael Mann, who also made Collateral.")
    assert second.startswith("Another film by Michael Mann, after Heat, which you liked.")
    swapped = reasons_for([near_collateral, near_heat], WATCHED_EN, "en")
    assert swapped[1].startswith(
        "Another film by Michael Mann, after Collateral, which you watched."
    )
    # The only Scorsese film is on the "because" line: counted, with the right verb.
    (scorsese,) = reasons_for([crime(42, "Casino", "Martin Scorsese", (5,))], WATCHED_EN, "en")
    assert scorsese.startswith("Directed by Martin Scorsese, like a movie you watched.")
    liked_near = crime(43, "Casino", "Martin Scorsese", near=(NearMovie(5, liked=True),))
    assert reasons_for([liked_near], WATCHED_EN, "en")[0].startswith(
        "Directed by Martin Scorsese, like a movie you liked."
    )


@pytest.mark.parametrize(("language", "module"), [("en", en), ("ko", ko)])
def test_no_two_cards_in_a_row_share_a_sentence_frame(language, module):
    watched = WATCHED_EN if language == "en" else WATCHED_KO
    directors = ["Michael Mann", "David Fincher", "Nobody Known", "봉준호", "나홍진"]
    cards = [
        crime(100 + i, f"Film {i}", directors[i % 5], (watched[0].movie_id,)) for i in range(12)
    ]
    cards += [
        candidate(200 + i, _facts(f"Cartoon {i}", 2001, ("Animation",), ("X",)), language, 0.1)
        for i in range(4)
    ]
    cards.insert(5, crime(300, "Asked", "Someone", met=(MetConstraint("director", "Someone"),)))
    cards.insert(
        6, crime(301, "Asked too", "Someone", met=(MetConstraint("years", low=1990, high=1999),))
    )
    reasons = reasons_for(cards, watched, language)
    frames = [frames_of(reason, module) for reason in reasons]
    for before, after in itertools.pairwise(frames):
        assert before[0] != after[0]  # the lead sentence's frame
        assert not set(before) & set(after)  # nor any sentence's
    assert all(a != b for a, b in itertools.pairwise(reasons))


def test_met_constraints_come_first_in_the_users_words():
    nolan = candidate(
        50, _facts("Memento", 2000, ("Mystery", "Thriller"), ("Christopher Nolan",)), "en", 0.9,
        met=(MetConstraint("director", "Christopher Nolan"), MetConstraint("runtime", high=120)),
    )  # fmt: skip
    nineties = candidate(
        51, _facts("Fargo", 1996, ("Crime",), ("Joel Coen",)), "en", 0.8,
        met=(MetConstraint("years", low=1990, high=1999), MetConstraint("genre", "Crime")),
    )  # fmt: skip
    first, second = reasons_for([nolan, nineties], WATCHED_EN, "en")
    assert first.startswith("Directed by Christopher Nolan, 120 minutes or shorter, as you asked.")
    assert second.startswith("Just what you asked for: from the 1990s, in the Crime genre.")


def test_korean_reasons_choose_particles_and_show_genres_in_korean():
    def asked(movie_id, *met):
        facts = _facts(f"영화 {movie_id}", 2000, ("Sci-Fi",), ("Christopher Nolan",))
        return candidate(movie_id, facts, "ko", 0.5, met=met)

    cards = [
        asked(60, MetConstraint("runtime", high=100)),
        asked(61, MetConstraint("genre", "Sci-Fi")),
        asked(62, MetConstraint("years", low=1990, high=1999)),  # third frame: "{met:으로/로}"
        asked(63, MetConstraint("director", "Christopher Nolan")),
        asked(64, MetConstraint("like", "Arrival")),
        asked(65, MetConstraint("language", "ko")),
        asked(66, MetConstraint("like", "")),  # close to a movie the user named, unnamed here
    ]
    reasons = reasons_for(cards, WATCHED_KO, "ko")
    assert reasons[0] == "요청하신 대로 100분 이하입니다."
    assert reasons[1] == "찾으시던 SF 영화입니다."  # the genre's Korean name
    assert reasons[2] == "1990년대 영화로, 말씀하신 조건에 맞습니다."  # not "영화으로"
    assert reasons[3] == "요청하신 대로 Christopher Nolan 감독 작품입니다."
    assert reasons[4] == "찾으시던 「Arrival」과 비슷한 영화입니다."  # 어라이벌: ㄹ final
    assert reasons[5] == "한국어 영화로, 말씀하신 조건에 맞습니다."
    assert reasons[6] == "요청하신 대로 말씀하신 영화와 비슷한 영화입니다."
    everything = " ".join(reasons + reasons_for(CANDIDATES_KO, WATCHED_KO, "ko"))
    for wrong in ("(를)", "을(를)", "요소으로", "로으로", "Sci-Fi", "Crime"):
        assert wrong not in everything


def test_shared_themes_are_the_distinctive_ones():
    stats = KeywordStats(movies=1000, document_frequency={"los angeles": 300, "serial killer": 40})
    both = candidate(
        70,
        _facts("Crawler", 2014, ("Documentary",), ("Nobody",), ("los angeles", "serial killer")),
        "en", 0.5,
    )  # fmt: skip
    (reason,) = reasons_for([both], WATCHED_EN, "en", stats=stats)
    assert reason == "It shares themes you return to: “serial killer”."
    (plain,) = reasons_for([both], WATCHED_EN, "en")  # without the catalogue: counts alone
    assert "“los angeles”" in plain
