"""An in-memory index of normalised titles for search as you type (no Django imports).

The titles are held most-popular first, so a query scans them in that order and stops at the
`limit`-th title that contains every word: a common prefix ("sta") answers after a few
hundred comparisons, a rare one after one pass over the catalogue (about a millisecond for
ten thousand titles), with no database round trip and no query planning.

Sequel numbers are written both ways in the index: "the godfather part ii" is held as
"the godfather part ii 2", and "toy story 3" as "toy story 3 iii", so "godfather part 2",
"godfather 2" and "toy story iii" find them. Only the title side gets the other spelling (a
query is matched as typed), so typing "mi" still finds "mission" and nothing is lost.

Korean: `normalize_title` (NFKD) already writes Hangul syllables as jamo, so a query matches
inside a syllable ("기생ㅊ" is a prefix of "기생충"). Both sides are then folded (`fold_hangul`)
so that what a Korean keyboard shows while a word is being typed still matches: a final
consonant is written as the initial it becomes when the next vowel arrives ("기생" mid-typing
of "기새우"), and a compound vowel as its two keystrokes ("고" before "과"). Titles with Hangul
are also held without their spaces, so "기생충" finds "기생 충"; "기 생 충" finds "기생충"
because every word of a query is matched on its own."""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Callable, Iterable

# Sequels rarely pass 39; beyond that a number is a year or a count ("1941", "101").
NUMERAL_MAX = 39
# A lone "i" is mostly the pronoun ("i am legend", "honey i shrunk the kids"); it is a
# numeral after these words ("star wars episode i", "nymphomaniac volume i").
_BEFORE_I = frozenset({"part", "episode", "chapter", "vol", "volume", "book"})


def _roman(number: int) -> str:
    tens, units = divmod(number, 10)
    return "x" * tens + ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"][units]


# "2" -> "ii" and "ii" -> "2", for 1 to NUMERAL_MAX.
_OTHER_SPELLING = {str(n): _roman(n) for n in range(1, NUMERAL_MAX + 1)} | {
    _roman(n): str(n) for n in range(1, NUMERAL_MAX + 1)
}


def numeral_aliases(title: str) -> str:
    """`title` (normalised) followed by the other spelling of each sequel number in it."""
    words = title.split()
    if _OTHER_SPELLING.keys().isdisjoint(words):
        return title  # most titles
    extra = [
        _OTHER_SPELLING[word]
        for n, word in enumerate(words)
        if word in _OTHER_SPELLING and (word != "i" or (n > 0 and words[n - 1] in _BEFORE_I))
    ]
    return f"{title} {' '.join(extra)}" if extra else title


def _hangul_folds() -> dict[int, str]:
    # Final consonants (jongseong U+11A8-U+11C2) as initials (choseong), the double ones split:
    # "HANGUL JONGSEONG RIEUL-KIYEOK" -> choseong RIEUL + choseong KIYEOK.
    table = {}
    for code in range(0x11A8, 0x11C3):
        parts = unicodedata.name(chr(code)).rsplit(" ", 1)[1].split("-")
        table[code] = "".join(unicodedata.lookup(f"HANGUL CHOSEONG {p}") for p in parts)
    # Compound vowels (jungseong) as the two vowels typed for them: ㅘ = ㅗ + ㅏ, and so on.
    for compound, simple in {
        "\u116a": "\u1169\u1161", "\u116b": "\u1169\u1162", "\u116c": "\u1169\u1175",
        "\u116f": "\u116e\u1165", "\u1170": "\u116e\u1166", "\u1171": "\u116e\u1175",
        "\u1174": "\u1173\u1175",
    }.items():  # fmt: skip
        table[ord(compound)] = simple
    return table


_HANGUL_FOLDS = _hangul_folds()
_JAMO_FIRST, _JAMO_LAST = "\u1100", "\u11ff"


def _has_jamo(text: str) -> bool:
    return any(_JAMO_FIRST <= ch <= _JAMO_LAST for ch in text)


def fold_hangul(text: str) -> str:
    """`text` (normalised: Hangul as jamo) with final consonants written as initials and
    compound vowels as their parts; text without Hangul is returned as it is."""
    return text.translate(_HANGUL_FOLDS) if _has_jamo(text) else text


def index_text(title: str) -> str:
    """What the index holds for one normalised title: sequel numbers both ways, Hangul folded,
    and a Hangul title once more without its spaces."""
    text = fold_hangul(numeral_aliases(title))
    if " " in title and _has_jamo(title):
        text = f"{text} {fold_hangul(title).replace(' ', '')}"
    return text


class TitleIndex:
    def __init__(self, rows: Iterable[tuple[int, str]]) -> None:
        """`rows`: (movie id, normalised title) pairs, most popular first."""
        pairs = list(rows)
        self.ids = [movie_id for movie_id, _title in pairs]
        self.titles = [index_text(title) for _movie_id, title in pairs]

    def __len__(self) -> int:
        return len(self.ids)

    def find(self, words: list[str], limit: int) -> list[int]:
        """Ids of the first `limit` titles (in popularity order) containing every word."""
        if not words or limit <= 0:
            return []
        words = [fold_hangul(w) for w in words]
        # The longest word is the most selective: test it first.
        first, *rest = sorted(words, key=len, reverse=True)
        found = []
        for movie_id, title in zip(self.ids, self.titles, strict=True):
            if first in title and all(w in title for w in rest):
                found.append(movie_id)
                if len(found) == limit:
                    break
        return found

    def where(self, test: Callable[[str], object], *, limit: int) -> list[int]:
        """Ids of the first `limit` titles (in popularity order) for which `test` is true."""
        found = []
        for movie_id, title in zip(self.ids, self.titles, strict=True):
            if test(title):
                found.append(movie_id)
                if len(found) == limit:
                    break
        return found


class RefreshingIndex:
    """A `TitleIndex` rebuilt by `load` when older than `max_age_s` or after `forget()`.
    Thread-safe: readers always see a whole index; one thread rebuilds at a time."""

    def __init__(
        self, load: Callable[[], Iterable[tuple[int, str]]], *, max_age_s: float = 60.0
    ) -> None:
        self._load = load
        self._max_age_s = max_age_s
        self._lock = threading.Lock()
        self._index: TitleIndex | None = None
        self._built_at = 0.0

    def get(self) -> TitleIndex:
        index = self._index
        if index is not None and time.monotonic() - self._built_at < self._max_age_s:
            return index
        with self._lock:
            if self._index is None or time.monotonic() - self._built_at >= self._max_age_s:
                self._index = TitleIndex(self._load())
                self._built_at = time.monotonic()
            return self._index

    def forget(self) -> None:
        with self._lock:
            self._index = None
