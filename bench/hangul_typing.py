"""Korean text for the Korean search benchmark (plain Python, no Django): what a Korean keyboard
shows while a title is typed, a seeded generator of Korean-looking titles, and the query sets.

`typing_states("살인의 추억")` is every text the search box holds, keystroke by keystroke, on a
standard two-set (두벌식) keyboard: "ㅅ", "사", "살", "살ㅇ", "살이", "살인", "살인ㅇ", "살인으",
"살인의", "살인의 ", ... A final consonant sits on the syllable until the next vowel takes it
("사랑" passes through "살" and "사라"), a consonant pair may sit there too ("갈비" passes
through "갋"), and compound vowels arrive in two keys ("과" passes through "고").
"""

from __future__ import annotations

import random
import unicodedata

_BASE, _LAST = 0xAC00, 0xD7A3
# Compatibility jamo, as keys and as a lone jamo on screen.
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = ["", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"]
_VOWEL_PAIRS = {
    "ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ",
    "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ",
}  # fmt: skip
_FINAL_PAIRS = {
    "ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ",
    "ㄽ": "ㄹㅅ", "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ",
}  # fmt: skip
_JOIN_VOWEL = {parts: whole for whole, parts in _VOWEL_PAIRS.items()}
_JOIN_FINAL = {parts: whole for whole, parts in _FINAL_PAIRS.items()}


def _syllable(initial: str, vowel: str, final: str = "") -> str:
    code = (INITIALS.index(initial) * 21 + VOWELS.index(vowel)) * 28 + FINALS.index(final)
    return chr(_BASE + code)


def keystrokes(text: str) -> list[str]:
    """The keys typed for `text`: a syllable as its initial, its vowel (a compound one as two
    keys) and its final (a pair as two keys); anything else as itself."""
    keys = []
    for ch in text:
        code = ord(ch) - _BASE
        if not 0 <= code <= _LAST - _BASE:
            keys.append(ch)
            continue
        initial, rest = divmod(code, 21 * 28)
        vowel, final = divmod(rest, 28)
        keys.append(INITIALS[initial])
        keys.extend(_VOWEL_PAIRS.get(VOWELS[vowel], VOWELS[vowel]))
        keys.extend(_FINAL_PAIRS.get(FINALS[final], FINALS[final]))
    return keys


class _Composer:
    """The syllable being composed (initial, vowel, final as compatibility jamo) after the
    text already committed."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.initial = self.vowel = self.final = ""

    def shown(self) -> str:
        if self.initial and self.vowel:
            now = _syllable(self.initial, self.vowel, self.final)
        else:
            now = self.initial or self.vowel
        return "".join(self.done) + now

    def _commit(self) -> None:
        self.done.append(self.shown()[len("".join(self.done)) :])
        self.initial = self.vowel = self.final = ""

    def consonant(self, key: str) -> None:
        if self.initial and self.vowel and not self.final and key in FINALS:
            self.final = key  # "사" + ㄹ -> "살" (ㄸ, ㅃ, ㅉ are never finals)
        elif self.final and self.final + key in _JOIN_FINAL:
            self.final = _JOIN_FINAL[self.final + key]  # "갈" + ㅂ -> "갋"
        else:
            self._commit()
            self.initial = key

    def vowel_key(self, key: str) -> None:
        if self.final:
            # The next vowel takes the final (or the second of a pair) as its initial.
            pair = _FINAL_PAIRS.get(self.final)
            moved = pair[1] if pair else self.final
            self.final = pair[0] if pair else ""
            self._commit()
            self.initial, self.vowel = moved, key
        elif self.vowel and self.vowel + key in _JOIN_VOWEL:
            self.vowel = _JOIN_VOWEL[self.vowel + key]  # "고" + ㅏ -> "과"
        elif self.initial and not self.vowel:
            self.vowel = key
        else:
            self._commit()
            self.vowel = key

    def other(self, key: str) -> None:
        self._commit()
        self.done.append(key)


def typing_states(text: str) -> list[str]:
    """What the search box shows after each keystroke of `text` (the last is `text`)."""
    composer, states = _Composer(), []
    for key in keystrokes(text):
        if key in INITIALS:
            composer.consonant(key)
        elif key in VOWELS:
            composer.vowel_key(key)
        else:
            composer.other(key)
        states.append(composer.shown())
    if states and states[-1] != text:
        raise ValueError(f"typing {text!r} ends as {states[-1]!r}")
    return states


def syllable_prefixes(text: str) -> list[str]:
    """`text` cut after each syllable (or other character): what the box shows once each
    syllable is complete."""
    return [text[:n] for n in range(1, len(text) + 1) if not text[n - 1].isspace()]


def is_hangul(text: str) -> bool:
    return any(_BASE <= ord(ch) <= _LAST for ch in text)


# Syllables of transliterated titles ("인셉션", "매트릭스"); some with a final consonant, a pair
# of finals or a compound vowel, so every way of typing is exercised.
SYLLABLES = "".join(dict.fromkeys(
    "가나다라마바사아자차카타파하고노도로모보소오조토포호구누두루무부수우주추쿠투푸후"
    "그느드르므브스으즈츠크트프흐기니디리미비시이지치키티피히개내대래매배새애재해"
    "게네데레메베세에제케테페헤강경공관광국군권금길김남년단달담당대동들마만명무문"
    "밤별봄빛사산살상새생서선설성세소속손송시신심악안야약양어언여연영오왕외요용우운"
    "원월위유은음의인일자작장전정제조종주중지진집찬천철청초최춘친칼타탈태터통투파판"
    "편평포풍피하학한해행향허현혈형호홍화황회효후흑흥희닭읽젊삶앉많없값넓몫곬"
))  # fmt: skip
# Words of translated titles ("양들의 침묵", "위험한 정사"): shared by many titles, so a word
# typed finds several movies, as "love" or "war" does in English.
# fmt: off
NOUNS = [
    "사랑", "전쟁", "여름", "겨울", "봄", "가을", "밤", "비밀", "마지막", "처음", "그녀", "남자",
    "여자", "소년", "소녀", "아이들", "친구들", "가족", "아버지", "어머니", "형제", "자매",
    "도시", "마을", "바다", "하늘", "별", "달", "태양", "세계", "세상", "왕국", "제국", "전설",
    "영웅", "괴물", "유령", "악마", "천사", "살인", "추억", "기억", "시간", "여행", "모험",
    "탈출", "복수", "정의", "미래", "과거", "꿈", "눈물", "노래", "음악", "거리", "집", "학교",
    "경찰", "범죄", "도둑", "전사", "기사", "왕", "여왕", "공주", "왕자", "황제", "신", "불",
    "바람", "빛", "어둠", "그림자", "숲", "섬", "강", "길", "문", "열쇠", "편지", "약속", "운명",
    "인생", "죽음", "행복", "마법", "우주", "지구", "게임", "결혼", "이야기",
]
ADJECTIVES = [
    "위험한", "아름다운", "위대한", "작은", "검은", "붉은", "푸른", "하얀", "새로운", "잃어버린",
    "숨겨진", "끝없는",
]
# fmt: on


def korean_title(rng: random.Random, *, english: str = "") -> str:
    """A Korean-looking title: 1-4 words (weights like the curated Korean titles: mostly one
    to three); half of them common words (`NOUNS`, `ADJECTIVES`; a noun before another word
    sometimes with "의"), the others 1-5 syllables from `SYLLABLES`, as a transliteration; a
    sequel number of the `english` title (normalised) is kept, as Korean releases do
    ("터미네이터 2")."""
    count = rng.choices([1, 2, 3, 4], weights=[35, 35, 20, 10])[0]
    parts = []
    for n in range(count):
        if rng.random() < 0.5:
            word = rng.choice(NOUNS if n == count - 1 or rng.random() < 0.8 else ADJECTIVES)
            parts.append(
                word + ("의" if n < count - 1 and rng.random() < 0.15 and word in NOUNS else "")
            )
        else:
            k = rng.choices([1, 2, 3, 4, 5], weights=[8, 35, 30, 17, 10])[0]
            parts.append("".join(rng.choices(SYLLABLES, k=k)))
    last = english.split()[-1:] or [""]
    if last[0].isdigit() and 1 < int(last[0]) < 10:
        parts.append(last[0])
    return " ".join(parts)


def query_sets(titles: list[str], *, size: int, seed: int) -> dict[str, list[str]]:
    """Up to `size` distinct queries per way of typing, drawn (seeded) from the Korean
    `titles`: the whole titles; cut after a syllable; every keystroke state (jamo by jamo);
    and titles of several words cut after a syllable past the first word, without spaces."""
    titles = [unicodedata.normalize("NFC", t.strip()) for t in titles if is_hangul(t)]
    whole, by_syllable, by_jamo, no_spaces = set(), set(), set(), set()
    for title in titles:
        whole.add(title)
        by_syllable.update(syllable_prefixes(title))
        by_jamo.update(s.strip() for s in typing_states(title))
        if " " in title:
            # Only the cuts past the first word: before it, nothing differs.
            squeezed, first = title.replace(" ", ""), len(title.split()[0])
            no_spaces.update(syllable_prefixes(squeezed)[first:])
    rng = random.Random(seed)

    def pick(found: set[str]) -> list[str]:
        found = sorted(q for q in found if q)
        return rng.sample(found, min(size, len(found)))

    return {
        "whole titles": pick(whole),
        "typed by syllable": pick(by_syllable),
        "typed by jamo": pick(by_jamo),
        "without spaces": pick(no_spaces),
    }
