"""Korean particles chosen by the final sound of the word before them (no Django imports).

Korean particles come in pairs: one form after a final consonant (batchim), one after a vowel:
을/를, 이/가, 은/는, 과/와, 이나/나, 이라/라, 으로/로 — and 으로/로 takes 로 after ㄹ too
("서울로", "1990년대 영화로", "놀란 감독 작품으로"). Writing "을(를)" leaves the choice to the
reader; this module makes it, so grounded text reads like a person wrote it.

The word's last sound is read from, in order:
- a Hangul syllable: its final consonant (Unicode arithmetic);
- digits: the number read in Sino-Korean ("1990" 구십 → ㅂ, "2000" 이천 → ㄴ, "3" 삼 → ㅁ);
- Latin letters: an all-capital acronym by its last letter's name ("SF" 에스에프 → vowel,
  "HBO" → vowel, "MGM" 엠 → ㅁ); a word by its ending, the way loanwords are written in Hangul
  ("Nolan" 놀란 → ㄴ, "Kubrick" 큐브릭 → ㄱ, "Paul" 폴 → ㄹ, "Spielberg" 스필버그 → vowel);
- anything else (kana, symbols): the vowel form, the common reading.
Closing quotes and brackets are skipped ("「마더」" reads as 마더), and so is a trailing
parenthesis ("Heat (1995)" reads as Heat).

`particle(word, "을/를")` returns the particle; `ko_format` fills "{name:을/를}" templates.
"""

from __future__ import annotations

import re
import string

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # index of ㄹ among the final consonants
_NONE = 0  # no final consonant
_OTHER = 1  # some final consonant other than ㄹ (which one does not matter for the choice)

# The last digit read in Sino-Korean: 영 일 이 삼 사 오 육 칠 팔 구.
_DIGIT = {"0": _OTHER, "1": _RIEUL, "2": _NONE, "3": _OTHER, "4": _NONE,
          "5": _NONE, "6": _OTHER, "7": _RIEUL, "8": _RIEUL, "9": _NONE}  # fmt: skip
# Letter names: 엘 (ㄹ), 엠, 엔 (consonants), 알 (ㄹ); the others end in a vowel (에프, 에스 …).
_LETTER_NAME = {"L": _RIEUL, "M": _OTHER, "N": _OTHER, "R": _RIEUL}
_TRAILING = re.compile(r"(?:\s*\([^()]*\))+\s*$")  # "Heat (1995)" → "Heat"
_CLOSERS = " \t\n'\"”’」』》〉)]}>.,!?…·"
_VOWELS = "aeiou"


def final_sound(word: str) -> int:
    """0 (no final consonant), 8 (ㄹ) or another positive number (some other final consonant)
    for the end of `word` as it is read aloud in Korean."""
    text = _TRAILING.sub("", word or "").rstrip(_CLOSERS)
    if not text:
        return _NONE
    last = text[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return (ord(last) - _HANGUL_FIRST) % 28
    if last.isascii() and last.isdigit():
        digits = re.search(r"[0-9]+$", text).group()
        if digits.strip("0") == "" or digits.endswith("0"):
            return _OTHER  # 영; 십 백 천 만 억 all end in a consonant
        return _DIGIT[last]
    if last.isascii() and last.isalpha():
        return _latin_sound(re.search(r"[A-Za-z]+$", text).group())
    return _NONE


def _latin_sound(word: str) -> int:
    """How a Latin word ends once written in Hangul, by the usual loanword spelling."""
    if word.isupper() and len(word) <= 5:  # an acronym, read letter by letter: SF 에스에프
        return _LETTER_NAME.get(word[-1], _NONE)
    w = word.lower()
    if w.endswith(("ng", "m", "n")):
        return _OTHER  # 킹, 팀, 놀란
    if w.endswith("l"):
        return _RIEUL  # 폴, 마이클
    if len(w) >= 3 and w[-1] == "e" and w[-3] in _VOWELS and w[-2] in "nml":
        return _RIEUL if w[-2] == "l" else _OTHER  # a silent e: 제인 (Jane), 데일 (Dale)
    short = len(w) >= 2 and w[-2] in _VOWELS and (len(w) == 2 or w[-3] not in _VOWELS)
    if w.endswith("ck") or (w[-1] in "kpt" and short):
        return _OTHER  # 큐브릭, 탑, 캣: k, p, t after one short vowel
    return _NONE  # 스필버그, 핀처, 피트 (Pitt), 히트 (Heat), 맥스


def has_final_consonant(word: str) -> bool:
    return final_sound(word) != _NONE


def particle(word: str, pair: str) -> str:
    """The form of `pair` ("을/를", "이/가", "은/는", "과/와", "으로/로", …: after a consonant
    first, after a vowel second) that follows `word`."""
    after_consonant, sep, after_vowel = pair.partition("/")
    if not sep:
        raise ValueError(f"a particle pair looks like '을/를', not {pair!r}")
    sound = final_sound(word)
    if after_consonant == "으로" and sound == _RIEUL:
        return after_vowel  # ㄹ takes 로: "서울로", "1997로" (천구백구십칠)
    return after_consonant if sound != _NONE else after_vowel


def attach(word: str, pair: str) -> str:
    """`word` followed by the right form of `pair`: attach("놀란", "을/를") == "놀란을"."""
    return f"{word}{particle(word, pair)}"


class _ParticleFormatter(string.Formatter):
    """str.format where a format spec holding "/" is a particle pair: "{title:을/를}"."""

    def format_field(self, value, format_spec: str) -> str:
        if "/" in format_spec:
            return attach(str(value), format_spec)
        return super().format_field(value, format_spec)


_FORMATTER = _ParticleFormatter()


def ko_format(template: str, /, **values) -> str:
    """`template.format(**values)`, with "{name:을/를}" attaching the right particle."""
    return _FORMATTER.format(template, **values)
