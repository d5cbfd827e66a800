"""What every dataset reader shares: opening plain or zipped CSV files, checking the header,
walking rows with their line numbers, and collecting the rows that had to be skipped.

No Django here: a benchmark or a notebook can read the files with these functions alone.

Two kinds of bad input, and two behaviours (docs/data-import.md):
- a *file* that cannot be used (missing, empty, wrong format, separator or encoding, missing
  columns, a zip without the member) raises `UnusableFile`; the import stops and the database
  stays exactly as it was;
- a *row* that cannot be used (too few fields, a non-numeric or out-of-range value, a duplicate
  or unknown id) is skipped and recorded in `Problems` with its file and line number.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

# Each CSV field can be long (Kaggle credits hold whole cast lists); the default limit is 128 KiB.
csv.field_size_limit(16 * 1024 * 1024)

SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "pipes", ",": "commas"}
# Editors on Windows put it in front of UTF-8 files; CSV files are opened as "utf-8-sig", which
# drops it, and the ml-100k reader drops it by hand.
UTF8_BOM = b"\xef\xbb\xbf"


class UnusableFile(Exception):
    """A file that cannot be imported at all; nothing is written."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class Problems:
    """Skipped rows: the first few in full, a count of all of them per file."""

    keep: int = 10
    first: list[Problem] = field(default_factory=list)
    per_file: Counter = field(default_factory=Counter)

    def add(self, file: str, line: int, reason: str) -> None:
        self.per_file[file] += 1
        if len(self.first) < self.keep:
            self.first.append(Problem(file, line, reason))

    @property
    def count(self) -> int:
        return sum(self.per_file.values())

    def summary(self) -> list[str]:
        if not self.count:
            return []
        files = ", ".join(f"{name}: {n}" for name, n in sorted(self.per_file.items()))
        lines = [f"Skipped {self.count} malformed row(s) ({files}); the first ones:"]
        lines += [f"  {p}" for p in self.first]
        return lines


@dataclass(frozen=True)
class Source:
    """One CSV file to read: a plain file or a member of a zip archive."""

    label: str  # how messages name it: "ratings.csv" or "tmdb-movies.zip:tmdb-movies.csv"
    opener: Callable[[], IO[bytes]]
    size: int | None = None  # bytes, for the progress bar

    def open_text(self, encoding: str = "utf-8-sig") -> io.TextIOWrapper:
        return io.TextIOWrapper(self.opener(), encoding=encoding, errors="strict", newline="")


def utf8_or_latin1(data: bytes) -> str:
    """A line of an ml-100k file: latin-1 as published, but a line that is valid UTF-8 is read as
    UTF-8, since a file re-saved by an editor is UTF-8 (often behind a byte-order mark) and
    latin-1 text with accents is practically never valid UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def is_junk_member(name: str) -> bool:
    # macOS archivers add "__MACOSX/._name" resource forks next to the real files.
    base = name.rsplit("/", 1)[-1]
    return name.startswith("__MACOSX/") or base.startswith("._") or name.endswith("/")


def file_source(path: Path) -> Source:
    if not path.is_file():
        raise UnusableFile(f"{path} does not exist or is not a file")
    size = path.stat().st_size
    if size == 0:
        raise UnusableFile(f"{path.name} is empty")
    return Source(label=path.name, opener=lambda: path.open("rb"), size=size)


def zip_sources(path: Path) -> list[Source]:
    """The CSV members of a zip archive (junk entries ignored)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnusableFile(f"{path.name} is not a readable zip archive ({exc})") from exc
    names = [i for i in archive.infolist() if not is_junk_member(i.filename)]
    csvs = [i for i in names if i.filename.lower().endswith(".csv")]
    if not csvs:
        found = ", ".join(i.filename for i in archive.infolist()) or "nothing"
        raise UnusableFile(f"{path.name} holds no CSV file (found: {found})")
    sources = []
    for info in csvs:
        if info.file_size == 0:
            raise UnusableFile(f"{path.name}:{info.filename} is empty")
        sources.append(
            Source(
                label=f"{path.name}:{info.filename}",
                opener=lambda name=info.filename: archive.open(name),
                size=info.file_size,
            )
        )
    return sources


def sources_for(path: Path) -> list[Source]:
    """A path given by the user: a CSV file, or a zip whose CSV members are read."""
    if not path.exists():
        raise UnusableFile(f"{path} does not exist")
    if path.is_dir():
        raise UnusableFile(f"{path} is a folder; give the CSV or zip files in it")
    if zipfile.is_zipfile(path):
        return zip_sources(path)
    return [file_source(path)]


def guess_separator(line: str) -> str | None:
    counts = {sep: line.count(sep) for sep in SEPARATORS}
    sep, n = max(counts.items(), key=lambda item: item[1])
    return sep if n else None


class CsvReader:
    """A csv.reader over a text stream that knows where each record started and turns decoding
    errors and bad headers into `UnusableFile`."""

    def __init__(self, source: Source, *, encoding: str = "utf-8-sig") -> None:
        self.source = source
        self.encoding = encoding
        self.stream = source.open_text(encoding)
        self.reader = csv.reader(self.stream)
        self.header: list[str] = []

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> CsvReader:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def bytes_read(self) -> int:
        # Position of the underlying binary stream: how far the progress bar has got.
        try:
            return self.stream.buffer.tell()
        except (OSError, ValueError, AttributeError):
            return 0

    def _next(self, line: int) -> list[str]:
        try:
            return next(self.reader)
        except UnicodeDecodeError as exc:
            raise UnusableFile(
                f"{self.source.label} is not {self.encoding.removesuffix('-sig').upper()} text "
                f"(undecodable byte near line {line}: {exc.reason}); re-save it as UTF-8"
            ) from exc

    def read_header(self, required: set[str]) -> dict[str, int]:
        """Reads the header and returns column name → position; stops on missing columns."""
        try:
            header = self._next(1)
        except StopIteration:
            raise UnusableFile(f"{self.source.label} is empty") from None
        except csv.Error as exc:
            raise UnusableFile(f"{self.source.label}: unreadable header ({exc})") from exc
        self.header = [h.strip() for h in header]
        check_header(self.source.label, self.header, required)
        return {name: i for i, name in enumerate(self.header)}

    def rows(self, problems: Problems) -> Iterator[tuple[int, list[str]]]:
        """(line number, fields) of each record with as many fields as the header; other
        records are reported and skipped."""
        width = len(self.header)
        while True:
            line = self.reader.line_num + 1
            try:
                row = self._next(line)
            except StopIteration:
                return
            except csv.Error as exc:
                problems.add(self.source.label, line, f"unreadable CSV record ({exc})")
                continue
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if len(row) != width:
                problems.add(self.source.label, line, f"expected {width} fields, found {len(row)}")
                continue
            yield line, row


def check_header(label: str, header: list[str], required: set[str]) -> None:
    missing = required - set(header)
    if not missing:
        return
    if len(header) == 1:
        sep = guess_separator(header[0])
        if sep and sep != ",":
            raise UnusableFile(
                f"{label} is separated by {SEPARATORS[sep]}, not commas "
                f"(header: {header[0][:120]!r})"
            )
    raise UnusableFile(
        f"{label} lacks the column(s) {', '.join(sorted(missing))} "
        f"(found: {', '.join(header[:30]) or 'none'})"
    )


class RowError(ValueError):
    """A value in a row that cannot be used; the row is skipped."""


def to_int(text: str, what: str, *, required: bool = True) -> int | None:
    text = text.strip()
    if not text:
        if required:
            raise RowError(f"{what} is empty")
        return None
    try:
        return int(text)
    except ValueError:
        try:
            value = float(text)  # "81.0" in Kaggle runtime columns
        except ValueError:
            raise RowError(f"{what} {text[:40]!r} is not a number") from None
        if value != value or not value.is_integer():
            raise RowError(f"{what} {text[:40]!r} is not a whole number") from None
        return int(value)


def to_float(text: str, what: str, *, required: bool = True) -> float | None:
    text = text.strip()
    if not text:
        if required:
            raise RowError(f"{what} is empty")
        return None
    try:
        value = float(text)
    except ValueError:
        raise RowError(f"{what} {text[:40]!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise RowError(f"{what} {text[:40]!r} is not a number")
    return value


def literal_list(text: str, what: str) -> list:
    """A list written as a Python literal (Kaggle "The Movies Dataset") or as JSON (TMDB 5000).
    Never `eval`: `ast.literal_eval` only accepts literals."""
    text = text.strip()
    if not text:
        return []
    value = None
    if text.startswith(('[{"', "[]")):
        try:
            value = json.loads(text)  # TMDB 5000 writes JSON; parsing it as JSON is 5x faster
        except ValueError:
            value = None
    if value is None:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
            raise RowError(f"{what} is neither a Python literal nor JSON") from None
    if not isinstance(value, list):
        raise RowError(f"{what} is not a list")
    return value


def names_of(items: list, what: str, key: str = "name") -> list[str]:
    names = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get(key), str):
            raise RowError(f"{what} holds an entry without a {key}")
        name = item[key].strip()
        if name and name not in names:
            names.append(name)
    return names


def pipe_list(text: str) -> list[str]:
    names = []
    for part in text.split("|"):
        part = part.strip()
        if part and part not in names:
            names.append(part)
    return names
