"""Years, decades and runtimes in English and Korean (no Django imports).

Each finder reads `Tokens.joined` (the normalised words, one space apart: "90년대" is "90 년대",
"mid-90s" is "mid - 90 s") and returns `Bound`s over token ranges. A negated bound is turned
around by the caller: "nothing before 1980" is "from 1980 on", "not over 2 hours" is "at most
120 minutes", "no 80s" is a range to avoid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import Tokens
from .vocabulary import (
    DECADE_WORDS,
    LONG_MIN,
    LONG_TERMS,
    NOT_LONG_MAX,
    NOT_SHORT_MIN,
    NUMBER_WORDS,
    OLD_BEFORE,
    OLD_TERMS,
    PART_OF_DECADE,
    RECENT_TERMS,
    RECENT_YEARS,
    SHORT_MAX,
    SHORT_TERMS,
)


@dataclass(frozen=True)
class Bound:
    kind: str  # "years" or "runtime"
    low: int | None
    high: int | None
    i: int  # token range [i, j)
    j: int
    # what the words mean when negated: ("low"/"high", value) for a bound turned around, or
    # ("avoid", None) for a range to avoid
    negated: tuple[str, int | None] = ("avoid", None)


_FILM_WORDS = {"movie", "movies", "film", "films", "ones", "releases", "stuff"}
_PART = r"(?:(?P<part>early|mid|late) (?:- )?)?"
_DEC_NUM = r"(?:' )?(?P<num>\d{4}|\d{2}) (?:' )?s(?= |$)"
_DEC_WORD = r"(?P<word>" + "|".join(sorted(DECADE_WORDS, key=len, reverse=True)) + ")"
_DECADE_EN = re.compile(rf"(?:(?<= )|^){_PART}(?:the )?(?:{_DEC_NUM}|{_DEC_WORD})")
_DECADE_KO = re.compile(
    r"(?:(?<= )|^)(?:(?P<a>\d{2}|\d{4}) [~\-] )?(?P<num>\d{2}|\d{4}) 년대"
    r"(?: (?P<part>초반|중반|후반|초|말)| 이후| 이전)?"
)
_YEAR_OP_EN = re.compile(
    r"(?:(?<= )|^)(?P<op>after|since|post|from|later than|newer than|before|until|till|pre"
    r"|prior to|earlier than|older than|up to|in|of) (?:- )?(?:the )?(?:year )?"
    r"(?P<y>1[89]\d\d|20\d\d)(?: s(?= |$))?"
)
_YEAR_RANGE = re.compile(
    r"(?:(?<= )|^)(?:between |from )?(?P<a>1[89]\d\d|20\d\d) (?:and|to|-|~|until|through) "
    r"(?P<b>1[89]\d\d|20\d\d)(?: 년)?"
)
_YEAR_KO = re.compile(
    r"(?:(?<= )|^)(?P<y>1[89]\d\d|20\d\d) 년(?P<dae> 대)? ?(?P<op>이후|이전|전|후|부터|까지|이상"
    r"|이하|넘어서)?"
)
_YEAR_BARE = re.compile(r"(?:(?<= )|^)(?P<y>1[89]\d\d|20\d\d)(?= |$)")

_NUM = r"(?P<num>\d+(?: \. \d+)?|" + "|".join(k for k in NUMBER_WORDS if not k.isdigit()) + ")"
_MAX_EN = "under|less than|shorter than|at most|no more than|max|maximum|within|below|up to"
_MIN_EN = "over|more than|longer than|at least|above|minimum|min"
_RUNTIME_EN = re.compile(
    rf"(?:(?<= )|^)(?:(?P<op>{_MAX_EN}|{_MIN_EN}|around|about|roughly|approximately) )?"
    rf"{_NUM} (?:- )?(?P<half>and a half )?(?P<unit>minutes|minute|mins|min|m|hours|hour|hrs|hr|h)"
    r"(?= |$)(?P<half2> and a half)?"
    r"(?: (?P<post>or less|or shorter|or under|max|or more|or longer|plus|long))?"
)
_RUNTIME_KO = re.compile(
    rf"(?:(?<= )|^){_NUM} (?P<unit>분|시간)(?: (?P<half>반))?"
    r"(?: ?(?P<op>이하|이내|미만|안쪽|아래|안으로|까지|이상|넘는|넘게|초과|넘|정도|내외|쯤))?"
)
_KO_MAX = ("이하", "이내", "미만", "안쪽", "아래", "안으로", "까지")
_KO_MIN = ("이상", "넘는", "넘게", "초과", "넘")


def _decade(num: str, latest_year: int | None) -> int | None:
    value = int(num)
    if len(num) == 4:
        return value if value % 10 == 0 and 1870 <= value <= 2100 else None
    if value % 10:
        return None
    # "20s": the 1920s unless the catalogue reaches the 2020s
    modern = 2000 + value
    return modern if value <= 10 or (latest_year and modern <= latest_year) else 1900 + value


def _part(decade: int, part: str | None) -> tuple[int, int]:
    first, last = PART_OF_DECADE.get(part or "", (0, 9))
    return decade + first, decade + last


def find_years(tokens: Tokens, *, latest_year: int | None) -> list[Bound]:
    found: list[Bound] = []
    joined = tokens.joined

    def add(m: re.Match, low: int | None, high: int | None, negated=("avoid", None)) -> None:
        i, j = tokens.span_of(m.start(), m.end())
        if tokens.free(i, j):
            found.append(Bound("years", low, high, i, j, negated))
            tokens.use(i, j)

    for m in _YEAR_RANGE.finditer(joined):
        a, b = sorted((int(m["a"]), int(m["b"])))
        add(m, a, b)
    for m in _YEAR_OP_EN.finditer(joined):
        y, op = int(m["y"]), m["op"]
        decade = joined[m.end() - 2 : m.end()] == " s"
        last = y + 9 if decade else y
        if op in ("after", "later than", "newer than", "post"):
            add(m, last + 1, None, ("high", last))
        elif op == "since":
            add(m, y, None, ("high", y - 1))
        elif op in ("in", "of", "from"):
            add(m, y, last)
        elif op in ("until", "till", "up to"):
            add(m, None, last, ("low", last + 1))
        else:
            add(m, None, y - 1, ("low", y))
    for m in _DECADE_KO.finditer(joined):
        decade = _decade(m["num"], latest_year)
        start = _decade(m["a"], latest_year) if m["a"] else decade
        if decade is None or start is None:
            continue
        tail = joined[m.start() : m.end()]
        if tail.endswith("이후"):
            add(m, decade, None, ("high", decade - 1))
        elif tail.endswith("이전"):
            add(m, None, decade - 1, ("low", decade))
        else:
            add(m, _part(start, m["part"])[0], _part(decade, m["part"])[1])
    for m in _DECADE_EN.finditer(joined):
        decade = DECADE_WORDS[m["word"]] if m["word"] else _decade(m["num"], latest_year)
        if decade is not None:
            add(m, *_part(decade, m["part"]))
    for m in _YEAR_KO.finditer(joined):
        y, op = int(m["y"]), m["op"] or ""
        if m["dae"]:
            continue
        if op in ("이후", "후", "부터", "이상", "넘어서"):
            add(m, y, None, ("high", y - 1))
        elif op in ("이전", "전"):
            add(m, None, y - 1, ("low", y))
        elif op in ("까지", "이하"):
            add(m, None, y, ("low", y + 1))
        else:
            add(m, y, y)
    for m in _YEAR_BARE.finditer(joined):
        add(m, int(m["y"]), int(m["y"]))
    found += _relative_years(tokens, latest_year=latest_year)
    return found


def _relative_years(tokens: Tokens, *, latest_year: int | None) -> list[Bound]:
    found = []
    for i, t in enumerate(tokens.items):
        if not tokens.free(i, i + 1):
            continue
        nxt = tokens.items[i + 1].norm if i + 1 < len(tokens) else ""
        if t.norm in ("new", "old") and nxt not in _FILM_WORDS:
            continue  # "something new" asks for novelty, "an old man" is no year
        if t.norm in RECENT_TERMS and latest_year:
            low = latest_year - RECENT_YEARS + 1
            found.append(Bound("years", low, None, i, i + 1, ("high", low - 1)))
        elif t.norm in OLD_TERMS:
            found.append(Bound("years", None, OLD_BEFORE - 1, i, i + 1, ("low", OLD_BEFORE)))
        else:
            continue
        tokens.use(i, i + 1)
    return found


def _minutes(num: str, unit: str, half: bool) -> int | None:
    value = float(num.replace(" ", "")) if num[0].isdigit() else float(NUMBER_WORDS[num])
    hours = unit in ("hours", "hour", "hrs", "hr", "h", "시간")
    minutes = value * 60 + (30 if half else 0) if hours else value
    return round(minutes) if 1 <= minutes <= 1000 else None


def find_runtime(tokens: Tokens) -> list[Bound]:
    found: list[Bound] = []
    for rx, korean in ((_RUNTIME_EN, False), (_RUNTIME_KO, True)):
        for m in rx.finditer(tokens.joined):
            if m["unit"] == "m" and not m["op"]:
                continue  # "3 m" alone is not a runtime
            n = _minutes(m["num"], m["unit"], bool(m["half"] or m.groupdict().get("half2")))
            i, j = tokens.span_of(m.start(), m.end())
            if n is None or not tokens.free(i, j):
                continue
            op, post = m["op"] or "", m.groupdict().get("post") or ""
            if (
                (korean and op in _KO_MAX)
                or op in _MAX_EN.split("|")
                or post.startswith(("or less", "or shorter", "or under", "max"))
            ):
                n = n - 1 if op == "미만" else n
                found.append(Bound("runtime", None, n, i, j, ("low", n)))
            elif (
                (korean and op in _KO_MIN)
                or op in _MIN_EN.split("|")
                or post.startswith(("or more", "or longer", "plus"))
            ):
                n = n + 1 if op == "초과" else n
                found.append(Bound("runtime", n, None, i, j, ("high", n)))
            else:
                found.append(Bound("runtime", max(n - 15, 1), n + 15, i, j))
            tokens.use(i, j)
    for i, t in enumerate(tokens.items):
        if not tokens.free(i, i + 1):
            continue
        short = t.norm in SHORT_TERMS or (t.hangul and t.norm.startswith("짧"))
        if short:
            found.append(Bound("runtime", None, SHORT_MAX, i, i + 1, ("low", NOT_SHORT_MIN)))
        elif t.norm in LONG_TERMS or (t.hangul and t.norm.startswith("장편")):
            found.append(Bound("runtime", LONG_MIN, None, i, i + 1, ("high", NOT_LONG_MAX)))
        else:
            continue
        tokens.use(i, i + 1)
    return found
