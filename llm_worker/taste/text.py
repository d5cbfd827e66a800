"""The user's words, made safe and split into tokens for the grounded parser (no Django imports).

`clean` never raises: markup is cut out (and reported), HTML entities decoded, control characters
and symbols (emoji) dropped, and the text capped at MAX_CHARS. `tokenize` splits letters, digits
and punctuation, and Hangul from Latin ("SF영화" -> "SF", "영화"), so a Korean word can be read
with its particles. `Tokens.negated` marks the words a negation covers: English negation covers
what follows it ("no horror"), Korean negation what precedes it ("공포 말고").
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from movies.lexicon import normalize_text

from .vocabulary import CLAUSE_ENDS_KO, NEGATORS_EN, NEGATORS_KO, SCOPE_END_EN

MAX_CHARS = 1000  # a request longer than this is cut (and the cut reported)
MAX_TOKENS = 300
# Fuzzy lookups one parse may make (each scans the catalogue's names, a few milliseconds): long
# hostile text then costs a bounded time, and a real request never needs as many.
FUZZY_BUDGET = 40
_HANGUL = "\uac00-\ud7a3\u3131-\u318e"
_TOKEN = re.compile(
    rf"[{_HANGUL}]+"
    rf"|[^\W\d_{_HANGUL}]+(?:['’\-][^\W\d_{_HANGUL}]+)*"
    r"|\d+"
    r"|[^\w\s]"
)
_BLOCK = re.compile(r"<(script|style|iframe|object)\b[^>]*>.*?(?:</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"</?[A-Za-z!][^<>]{0,300}>|<!--.*?-->", re.S)
_CLAUSE_PUNCT = set(",;.!?…。·|/()[]{}")
# Korean word endings split off so the word and the cue read apart: "인셉션같은" -> 인셉션, 같은
_KO_SUFFIXES = ("말고", "빼고", "제외", "같은", "처럼", "비슷한", "감독", "감독의", "주연",
                "영화", "영화는", "영화를", "영화가", "이후", "이전", "이하", "이상", "이내",
                "미만", "초과", "싫어", "없는")  # fmt: skip
_KO_PREFIXES = ("년대", "년", "분", "시간")  # after a number: "90년대초반" -> 년대, 초반
_PARTICLES = ("이랑", "랑", "하고", "과", "와", "이나", "나", "의", "은", "는", "이", "가", "을",
              "를", "도", "만", "에서", "에", "로", "으로", "이요", "요")  # fmt: skip


@dataclass
class Cleaned:
    text: str
    markup: list[str]  # the tags cut out, shortened
    truncated: bool


def clean(raw: object) -> Cleaned:
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    text = text[: MAX_CHARS * 4]  # bound the work before any regex runs
    markup: list[str] = []
    for _ in range(2):  # entities may hide tags: "&lt;script&gt;"
        for rx in (_BLOCK, _TAG):
            markup += [m.group(0)[:40] for m in rx.finditer(text)]
            text = rx.sub(" ", text)
        text = html.unescape(text)
    kept = []
    for ch in unicodedata.normalize("NFKC", text):
        cat = unicodedata.category(ch)
        if ch.isspace() or cat[0] in "LNPM" or ch in "~&+'":
            kept.append(" " if cat[0] == "C" or ch.isspace() else ch)
        else:
            kept.append(" ")
    text = " ".join("".join(kept).split())
    truncated = len(text) > MAX_CHARS
    return Cleaned(text[:MAX_CHARS], markup[:3], truncated)


@dataclass
class Token:
    text: str  # as written
    norm: str  # case-folded, accent-free ("Amélie" -> "amelie"); Hangul as is
    start: int  # offsets in the cleaned text
    end: int

    @property
    def hangul(self) -> bool:
        return bool(self.text) and "\uac00" <= self.text[0] <= "\ud7a3"

    @property
    def latin(self) -> bool:
        return self.text[:1].isalpha() and not self.hangul

    @property
    def number(self) -> bool:
        return self.text.isdigit()

    @property
    def capitalized(self) -> bool:
        return self.latin and self.text[0].isupper()

    @property
    def clause_end(self) -> bool:
        return self.text in _CLAUSE_PUNCT


def _norm(word: str) -> str:
    folded = normalize_text(word.replace("’", "'").replace("'", "QQ").replace("-", "HH"))
    return folded.replace("qq", "'").replace("hh", "-").replace(" ", "")


def _split_korean(word: str) -> list[str]:
    if word in _KO_PREFIXES or word in _KO_SUFFIXES:
        return [word]
    for prefix in _KO_PREFIXES:
        if word.startswith(prefix):
            return [prefix, *_split_korean(word[len(prefix) :])]
    for suffix in _KO_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return [*_split_korean(word[: -len(suffix)]), suffix]
    return [word]


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for m in _TOKEN.finditer(text):
        word, start = m.group(0), m.start()
        parts = _split_korean(word) if "\uac00" <= word[0] <= "\ud7a3" else [word]
        for part in parts:
            tokens.append(Token(part, _norm(part) or part, start, start + len(part)))
            start += len(part)
        if len(tokens) >= MAX_TOKENS:
            break
    return tokens[:MAX_TOKENS]


def particle_stems(word: str) -> list[str]:
    """A Korean word and the word without a trailing particle: "인셉션이랑" -> [.., "인셉션"]."""
    stems = [word]
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) > len(particle):
            stems.append(word[: -len(particle)])
    return stems


def _phrases(items) -> list[list[str]]:
    return sorted(([_norm(w) for w in p.split()] for p in items), key=len, reverse=True)


_NEG_EN = _phrases(NEGATORS_EN)
_NEG_KO = _phrases(NEGATORS_KO)


class Tokens:
    """The tokens of one request, what each has been used for, and which are negated."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.items = tokenize(text)
        self.used = [False] * len(self.items)
        self.fuzzy_left = FUZZY_BUDGET
        self.markers = [False] * len(self.items)  # negation words themselves
        self.joined = " ".join(t.norm for t in self.items)
        self._starts, pos = [], 0
        for t in self.items:
            self._starts.append(pos)
            pos += len(t.norm) + 1
        self.negated = self._negation()

    def __len__(self) -> int:
        return len(self.items)

    def span_of(self, start: int, end: int) -> tuple[int, int]:
        """Token range [i, j) covering characters [start, end) of `joined`."""
        i = bisect_right(self._starts, start) - 1
        j = bisect_right(self._starts, max(start, end - 1))
        return max(i, 0), j

    def words(self, i: int, j: int) -> str:
        """The original text of tokens [i, j)."""
        if i >= j:
            return ""
        return self.text[self.items[i].start : self.items[j - 1].end]

    def spend_fuzzy(self) -> bool:
        """True while this parse may still make a fuzzy lookup (and counts it)."""
        self.fuzzy_left -= 1
        return self.fuzzy_left >= 0

    def free(self, i: int, j: int) -> bool:
        return 0 <= i < j <= len(self.items) and not any(self.used[i:j])

    def free_run_before(self, c: int, limit: int = 6) -> int:
        """Where the run of free tokens right before `c` starts, within its clause and at most
        `limit` tokens back (the words a Korean cue such as "같은" or "에 대한" follows)."""
        start = c
        while (
            start > 0
            and c - start < limit
            and self.free(start - 1, start)
            and not self.items[start - 1].clause_end
        ):
            start -= 1
        return start

    def use(self, i: int, j: int) -> None:
        for k in range(i, j):
            self.used[k] = True

    def phrase_at(self, i: int, phrases: list[list[str]], *, open_end: bool = False) -> int:
        """Length of the longest phrase starting at token i (0 when none). `open_end`: the
        last word may go on ("안 좋아" matches "안 좋아해요")."""
        for words in phrases:
            n = len(words)
            have = [t.norm for t in self.items[i : i + n]]
            if len(have) < n or have[:-1] != words[:-1]:
                continue
            if have[-1] == words[-1] or (open_end and have[-1].startswith(words[-1])):
                return n
        return 0

    def _negation(self) -> list[bool]:
        items, neg = self.items, [False] * len(self.items)
        i, scope = 0, False
        while i < len(items):  # English: from the negation to a clause end or contrast word
            t = items[i]
            n = 0 if t.hangul else self.phrase_at(i, _NEG_EN)
            if n:
                for k in range(i, i + n):
                    self.markers[k] = True
                i, scope = i + n, True
                if i < len(items) and items[i].norm == "more":  # "no more X"
                    i += 1
                continue
            if t.clause_end or t.norm in SCOPE_END_EN:
                scope = False
            neg[i] = scope and not t.hangul
            i += 1
        start = 0  # Korean: the words since the last clause end, before the negation word
        for i, t in enumerate(items):
            if t.clause_end or (t.hangul and t.norm.endswith(CLAUSE_ENDS_KO)):
                start = i + 1
                continue
            n = self.phrase_at(i, _NEG_KO, open_end=True) if t.hangul else 0
            if n:
                for k in range(start, i):
                    neg[k] = neg[k] or not self.markers[k]
                for k in range(i, i + n):
                    self.markers[k] = True
                start = i + n
        return neg
