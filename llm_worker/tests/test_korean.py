"""Korean particles follow the final sound of the word before them: Hangul, numbers read in
Korean, Latin names and acronyms; never a "(를)" placeholder."""

from __future__ import annotations

import pytest

from llm_worker.korean import attach, ko_format, particle


@pytest.mark.parametrize(
    ("word", "pair", "expected"),
    [
        ("영화", "을/를", "를"),
        ("봉준호", "을/를", "를"),
        ("작품", "을/를", "을"),
        ("마더", "이/가", "가"),
        ("살인의 추억", "이/가", "이"),
        ("범죄 장르", "은/는", "는"),
        ("감독", "은/는", "은"),
        ("드라마", "과/와", "와"),
        ("공포", "으로/로", "로"),
        ("작품", "으로/로", "으로"),
        ("서울", "으로/로", "로"),  # ㄹ takes 로, not 으로
        ("1990년대 영화", "으로/로", "로"),
        ("100분 이하", "으로/로", "로"),
        ("요소", "으로/로", "로"),  # "요소으로" must never appear
        ("장르", "을/를", "를"),  # "장르을(를)" must never appear
    ],
)
def test_hangul_words(word, pair, expected):
    assert particle(word, pair) == expected


@pytest.mark.parametrize(
    ("word", "pair", "expected"),
    [
        ("3", "을/를", "을"),  # 삼
        ("2", "을/를", "를"),  # 이
        ("1997", "으로/로", "로"),  # 칠: ㄹ
        ("1997", "이/가", "이"),
        ("1990", "을/를", "을"),  # 구십
        ("2000", "은/는", "은"),  # 이천
        ("100", "이/가", "이"),  # 백
        ("0", "이/가", "이"),  # 영
        ("5", "과/와", "와"),  # 오
        ("8", "으로/로", "로"),  # 팔
        ("16", "으로/로", "으로"),  # 육
    ],
)
def test_numbers_are_read_in_korean(word, pair, expected):
    assert particle(word, pair) == expected


@pytest.mark.parametrize(
    ("word", "pair", "expected"),
    [
        ("Christopher Nolan", "을/를", "을"),  # 놀란
        ("Michael Mann", "이/가", "이"),  # 만
        ("David Fincher", "을/를", "를"),  # 핀처
        ("Stanley Kubrick", "과/와", "과"),  # 큐브릭
        ("Steven Spielberg", "이/가", "가"),  # 스필버그
        ("Paul", "으로/로", "로"),  # 폴: ㄹ
        ("Jane", "은/는", "은"),  # 제인 (silent e)
        ("Bong Joon-ho", "을/를", "를"),
        ("SF", "을/를", "를"),  # 에스에프
        ("MGM", "이/가", "이"),  # 엠
        ("IMAX", "으로/로", "로"),
        ("time travel", "을/를", "을"),  # 트래블
    ],
)
def test_latin_names_and_acronyms(word, pair, expected):
    assert particle(word, pair) == expected


def test_quotes_brackets_and_a_trailing_year_are_skipped():
    assert attach("「마더」", "을/를") == "「마더」를"
    assert attach("「살인의 추억」", "과/와") == "「살인의 추억」과"
    assert attach("'heist'", "을/를") == "'heist'를"
    assert attach("Heat (1995)", "을/를") == "Heat (1995)를"  # 히트
    assert attach("Kubrick", "이/가") == "Kubrick이"
    assert attach("Brad Pitt", "이/가") == "Brad Pitt가"  # 피트
    assert particle("", "을/를") == "를"


def test_templates_attach_particles_and_never_leave_placeholders():
    template = "{what:을/를} 즐겨 보십니다. {met:으로/로} 골랐어요."
    text = ko_format(template, what="범죄 장르", met="SF 영화")
    assert text == "범죄 장르를 즐겨 보십니다. SF 영화로 골랐어요."
    assert "(를)" not in text
    assert "으로" not in text
    assert ko_format("{n}편", n=3) == "3편"
    with pytest.raises(ValueError, match="을/를"):
        particle("영화", "을를")
