"""Repairing mojibake in imported text ("MiloÅ¡ Forman" for "Miloš Forman").

Where it comes from (docs/data-import.md): the Udacity `tmdb-movies.csv` as published was
written from UTF-8 text that some tool had read as Windows-1252, so the file is valid UTF-8 whose
accented letters are pairs of wrong ones, and the bytes Windows-1252 does not define (0x81,
0x8D, 0x8F, 0x90, 0x9D) were dropped on the way. Reading the file as UTF-8 is right; the text
itself needs repair. The other TMDb files are sound, bar one stray "Â®" in TMDB 5000.

Two steps, both built on the maintained `ftfy` library:
- in a file known to be double-encoded, every run of Windows-1252 characters is turned back into
  the bytes it came from and decoded as UTF-8. ftfy's heuristics alone leave some of these, e.g.
  "Ã…" (Å, as in "Malin Åkerman") and curly quotes whose last byte was lost; a run that is no
  UTF-8 (a sound "é" in such a file) stays as it is;
- then `ftfy.fix_encoding` on every value of every TMDb file: it repairs what plainly is
  mojibake and leaves sound text alone (Korean, Japanese, accented Latin, curly quotes).

No Django here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, fields

import ftfy
import ftfy.bad_codecs  # registers the "sloppy-windows-1252" codec

SLOPPY = "sloppy-windows-1252"  # Windows-1252 with the five undefined bytes passed through
_HIGH = "".join(bytes([b]).decode(SLOPPY) for b in range(0x80, 0x100))
_RUN = re.compile(f"[{re.escape(_HIGH)}]+")
# A three-byte sequence whose last byte was dropped with the undefined ones. Only these two have
# one reading that occurs in prose: E2 80 9D is ” (the others are spacing and format marks) and
# EF AC 81 is the "ﬁ" ligature of text copied from PDFs (the others are unassigned or Hebrew).
_LOST_LAST_BYTE = {b"\xe2\x80": b"\x9d", b"\xef\xac": b"\x81"}
_LOST = re.compile(rb"(\xe2\x80|\xef\xac)(?![\x80-\xbf])")


def _undecodable(ch: str) -> bool:
    return "\udc80" <= ch <= "\udcff"


def undo_double_encoding(text: str) -> tuple[str, bool]:
    """`text` with each run of Windows-1252 characters decoded as the UTF-8 bytes they were;
    the flag is False when some run held a byte that no UTF-8 sequence explains (a lost byte, as
    in "Ãngel" for "Ángel", or a sound character): those characters are kept as they are."""
    complete = True

    def decode(match: re.Match[str]) -> str:
        nonlocal complete
        data = match.group().encode(SLOPPY)
        data = _LOST.sub(lambda m: m.group() + _LOST_LAST_BYTE[m.group()], data)
        decoded = data.decode("utf-8", "surrogateescape")
        if not any(_undecodable(ch) for ch in decoded):
            return decoded
        complete = False
        return "".join(
            bytes([ord(ch) - 0xDC00]).decode(SLOPPY) if _undecodable(ch) else ch for ch in decoded
        )

    return _RUN.sub(decode, text), complete


def repair_text(text: str, *, double_encoded: bool = False) -> tuple[str, bool]:
    """The repaired text, and False when bytes lost in the source left it partly garbled."""
    if text.isascii():
        return text, True
    complete = True
    if double_encoded:
        text, complete = undo_double_encoding(text)
    return ftfy.fix_encoding(text), complete


@dataclass
class Repairs:
    """What the repair changed, per file, and the garbled names it found, so that the rows an
    earlier import stored under them can be renamed."""

    repaired: Counter = field(default_factory=Counter)  # values changed, per file
    lost: Counter = field(default_factory=Counter)  # values with bytes lost, per file
    renamed: dict[str, dict[str, str]] = field(
        default_factory=lambda: {"people": {}, "keywords": {}}
    )
    examples: list[str] = field(default_factory=list)

    def fix(self, text: str, *, label: str, double_encoded: bool, kind: str = "") -> str:
        fixed, complete = repair_text(text, double_encoded=double_encoded)
        if not complete:
            self.lost[label] += 1
        if fixed != text:
            self.repaired[label] += 1
            if kind:
                self._rename(kind, text, fixed)
            if len(self.examples) < 5:
                self.examples.append(_example(text, fixed))
        return fixed

    def _rename(self, kind: str, text: str, fixed: str) -> None:
        # Names are stored stripped and cut to the column's 200 characters. A name that the
        # repair leaves empty ("Â" + a no-break space) maps to "": the row goes.
        raw, new = text.strip()[:200], fixed.strip()[:200]
        if raw and raw != new:
            self.renamed[kind][raw] = new

    def fix_row(self, row: dict[str, str], *, label: str, named: dict[str, str]) -> dict[str, str]:
        """A double-encoded file's row, repaired before it is parsed: splitting and stripping
        first would lose what the mojibake needs ("Mollà" is "MollÃ" + a no-break space).
        `named` maps the columns that hold `|`-separated names to their kind."""
        fixed_row = {}
        for column, value in row.items():
            fixed = value if value.isascii() else self.fix(value, label=label, double_encoded=True)
            kind = named.get(column)
            if kind and fixed != value:
                parts, fixed_parts = value.split("|"), fixed.split("|")
                if len(parts) == len(fixed_parts):  # "|" is ASCII: the repair keeps it
                    for part, fixed_part in zip(parts, fixed_parts, strict=True):
                        self._rename(kind, part, fixed_part)
            fixed_row[column] = fixed
        return fixed_row

    def summary(self) -> list[str]:
        if not self.repaired:
            return []
        files = ", ".join(f"{name}: {n:,}" for name, n in sorted(self.repaired.items()))
        lines = [f"Repaired garbled text (mojibake) in {self.repaired.total():,} values ({files})"]
        lines += [f"  {example}" for example in self.examples]
        for name, n in sorted(self.lost.items()):
            if self.repaired[name]:
                lines.append(
                    f"  {n:,} values of {name} keep characters that could not be repaired "
                    f"(bytes lost in the file itself)"
                )
        return lines


def _example(text: str, fixed: str) -> str:
    """Where the repair changed `text` first, with a little context on either side."""
    start = next((i for i, (a, b) in enumerate(zip(text, fixed, strict=False)) if a != b), 0)
    start = max(0, start - 20)
    return f"{text[start : start + 50]!r} → {fixed[start : start + 40]!r}"


# Which fields of a record hold names that are rows of their own (Person, Keyword).
NAMED_FIELDS = {"cast": "people", "directors": "people", "keywords": "keywords"}


def repair_record(record, *, label: str, repairs: Repairs) -> None:
    """Repairs with ftfy every text of a record (a dataclass of str, list[str] and, for the
    cast, list[(name, character)]) in place."""

    def fix(text: str, kind: str = "") -> str:
        if text.isascii():
            return text  # the common case, and no work
        return repairs.fix(text, label=label, double_encoded=False, kind=kind)

    for f in fields(record):
        value = getattr(record, f.name)
        kind = NAMED_FIELDS.get(f.name, "")
        if isinstance(value, str):
            setattr(record, f.name, fix(value))
        elif isinstance(value, list) and value:
            setattr(
                record,
                f.name,
                [
                    (fix(v[0], kind), fix(v[1])) if isinstance(v, tuple) else fix(v, kind)
                    for v in value
                ],
            )
