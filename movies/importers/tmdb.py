"""Readers of TMDb metadata files, recognised by their columns (not their names):

- Kaggle "The Movies Dataset": `movies_metadata.csv`, `credits.csv`, `keywords.csv`, `links.csv`
  (lists are Python literals: `ast.literal_eval`, never `json.loads` alone);
- Kaggle "TMDB 5000": `tmdb_5000_movies.csv` (+ `tmdb_5000_credits.csv`), lists in JSON;
- Udacity "TMDb movie data": `tmdb-movies.csv`, cast / director / keywords / genres pipe-separated.

Each file yields `TmdbRecord`s keyed by TMDb id; `merge_records` combines the files (first
non-empty value wins, in the fixed order of `FORMATS`, so the result does not depend on the order
of the command-line arguments). Preprocessing follows the seed report: cast = names in billing
order, director = crew member whose job is Director, genres and keywords = names, IMDb id without
"tt", year from the release date, runtime as int, spoken languages = names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path

from .base import (
    CsvReader,
    Problems,
    RowError,
    Source,
    UnusableFile,
    check_header,
    literal_list,
    names_of,
    pipe_list,
    sources_for,
    to_float,
    to_int,
)
from .text import Repairs, repair_record

MAX_CAST = 20


@dataclass
class TmdbRecord:
    tmdb_id: int
    imdb_id: int | None = None
    movielens_id: int | None = None
    title: str = ""
    original_title: str = ""
    year: int | None = None
    release_date: dt.date | None = None
    overview: str = ""
    tagline: str = ""
    runtime: int | None = None
    original_language: str = ""
    spoken_languages: list[str] = field(default_factory=list)
    production_countries: list[str] = field(default_factory=list)
    production_companies: list[str] = field(default_factory=list)
    vote_average: float | None = None
    vote_count: int | None = None
    popularity: float | None = None
    poster_path: str = ""
    genres: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    cast: list[tuple[str, str]] = field(default_factory=list)  # (name, character), in order
    directors: list[str] = field(default_factory=list)

    def fill_from(self, other: TmdbRecord) -> None:
        """Fills this record's empty fields from `other` (same TMDb id)."""
        for f in fields(self):
            if f.name == "tmdb_id":
                continue
            mine = getattr(self, f.name)
            if mine in (None, "", []):
                setattr(self, f.name, getattr(other, f.name))


# --- field parsers ---------------------------------------------------------------------------


def imdb_number(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    digits = text.removeprefix("tt")
    if not digits.isdigit():
        raise RowError(f"IMDb id {text[:20]!r} is not like tt0114709")
    return int(digits)


def iso_date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RowError(f"release date {text[:20]!r} is not YYYY-MM-DD") from None


def us_date(text: str, year: int | None) -> dt.date | None:
    """Udacity's "6/9/15": month/day with a two-digit year; `release_year` gives the century."""
    text = text.strip()
    if not text or year is None:
        return None
    try:
        month, day, _ = (int(p) for p in text.split("/"))
        return dt.date(year, month, day)
    except ValueError:
        raise RowError(f"release date {text[:20]!r} is not like 6/9/15") from None


def runtime_minutes(text: str) -> int | None:
    minutes = to_int(text, "runtime", required=False)
    if minutes is None or minutes <= 0:
        return None  # TMDb writes 0 when it does not know
    if minutes > 32_000:
        raise RowError(f"runtime {minutes} is not a plausible number of minutes")
    return minutes


def tmdb_id_of(text: str) -> int:
    tmdb_id = to_int(text, "TMDb id")
    if tmdb_id <= 0:
        raise RowError(f"TMDb id {tmdb_id} is not positive")
    return tmdb_id


def _nonneg(value, what: str):
    if value is not None and value < 0:
        raise RowError(f"{what} {value} is negative")
    return value


# --- formats ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    name: str
    required: frozenset[str]
    # Columns that set this format apart from one with overlapping columns.
    distinctive: frozenset[str] = frozenset()
    # The narrow files (keywords, credits, links) have nothing else; a wide file that happens
    # to hold "id" and "keywords" is not a keywords file.
    narrow: bool = False
    # Text that needs its mojibake undone whole (not only what ftfy's heuristics spot).
    double_encoded: bool = False


def _columns(names: str) -> frozenset[str]:
    return frozenset(names.split())


METADATA = Format(
    "Kaggle movies_metadata.csv",
    _columns(
        "id imdb_id title original_title overview genres runtime release_date spoken_languages "
        "production_countries production_companies vote_average vote_count popularity "
        "poster_path original_language tagline"
    ),
    frozenset({"poster_path"}),
)
TMDB5000 = Format(
    "TMDB 5000 tmdb_5000_movies.csv",
    _columns(
        "id title original_title overview genres keywords runtime release_date spoken_languages "
        "production_countries production_companies vote_average vote_count popularity "
        "original_language tagline"
    ),
)
UDACITY = Format(
    "TMDb movie data tmdb-movies.csv",
    _columns(
        "id imdb_id original_title cast director tagline keywords overview runtime genres "
        "production_companies release_date vote_count vote_average release_year popularity"
    ),
    # As published, the file is UTF-8 text that was read as Windows-1252 and written out again
    # ("MiloÅ¡ Forman"); see movies/importers/text.py.
    double_encoded=True,
)
TMDB5000_CREDITS = Format(
    "TMDB 5000 tmdb_5000_credits.csv", frozenset({"movie_id", "cast", "crew"}), narrow=True
)
CREDITS = Format("Kaggle credits.csv", frozenset({"id", "cast", "crew"}), narrow=True)
KEYWORDS = Format("Kaggle keywords.csv", frozenset({"id", "keywords"}), narrow=True)
LINKS = Format(
    "MovieLens/Kaggle links.csv", frozenset({"movieId", "imdbId", "tmdbId"}), narrow=True
)

# The columns of tmdb-movies.csv that hold names of rows of their own (Person, Keyword).
_NAMED_COLUMNS = {"cast": "people", "director": "people", "keywords": "keywords"}

# Most specific first; also the precedence when two files describe the same movie. The files
# that describe movies by TMDb id alone (credits, keywords) come last, so that by the time they
# are read every TMDb id of interest is known and the other rows can be passed over unparsed.
FORMATS = [METADATA, TMDB5000, UDACITY, LINKS, TMDB5000_CREDITS, CREDITS, KEYWORDS]
ID_ONLY = {TMDB5000_CREDITS: "movie_id", CREDITS: "id", KEYWORDS: "id"}


def detect_format(label: str, header: list[str]) -> Format:
    columns = set(header)
    for fmt in FORMATS:
        fits = fmt.required <= columns and fmt.distinctive <= columns
        if fits and (not fmt.narrow or columns <= fmt.required | {"title"}):
            return fmt
    # Name the closest format in the message so a missing column is easy to spot.
    partial = [f for f in FORMATS if not f.required <= columns] or FORMATS
    best = max(partial, key=lambda f: len(f.required & columns) / len(f.required))
    if len(best.required & columns) >= max(2, len(best.required) // 2):
        check_header(label, header, set(best.required))
    check_header(label, header, {"id"})  # says "separated by ..." when that is the problem
    known = "; ".join(f.name for f in FORMATS)
    raise UnusableFile(
        f"{label} is not a known TMDb file (columns: {', '.join(header[:12])}…). Known: {known}"
    )


def _record_metadata(row: dict[str, str], fmt: Format) -> TmdbRecord:
    imdb = imdb_number(row["imdb_id"]) if "imdb_id" in row else None
    release = iso_date(row["release_date"])
    record = TmdbRecord(
        tmdb_id=tmdb_id_of(row["id"]),
        imdb_id=imdb,
        title=row["title"].strip(),
        original_title=row["original_title"].strip(),
        release_date=release,
        year=release.year if release else None,
        overview=row["overview"].strip(),
        tagline=row["tagline"].strip(),
        runtime=runtime_minutes(row["runtime"]),
        original_language=row["original_language"].strip()[:12],
        spoken_languages=names_of(literal_list(row["spoken_languages"], "spoken_languages"),
                                  "spoken_languages"),
        production_countries=names_of(
            literal_list(row["production_countries"], "production_countries"),
            "production_countries",
        ),
        production_companies=names_of(
            literal_list(row["production_companies"], "production_companies"),
            "production_companies",
        ),
        vote_average=_nonneg(to_float(row["vote_average"], "vote_average", required=False),
                             "vote_average"),
        vote_count=_nonneg(to_int(row["vote_count"], "vote_count", required=False), "vote_count"),
        popularity=_nonneg(to_float(row["popularity"], "popularity", required=False),
                           "popularity"),
        genres=names_of(literal_list(row["genres"], "genres"), "genres"),
    )  # fmt: skip
    if fmt is METADATA:
        record.poster_path = row["poster_path"].strip()[:300]
    if "keywords" in row:
        record.keywords = names_of(literal_list(row["keywords"], "keywords"), "keywords")
    return record


def _record_udacity(row: dict[str, str]) -> TmdbRecord:
    year = to_int(row["release_year"], "release_year", required=False)
    return TmdbRecord(
        tmdb_id=tmdb_id_of(row["id"]),
        imdb_id=imdb_number(row["imdb_id"]),
        title=row["original_title"].strip(),
        original_title=row["original_title"].strip(),
        year=year,
        release_date=us_date(row["release_date"], year),
        overview=row["overview"].strip(),
        tagline=row["tagline"].strip(),
        runtime=runtime_minutes(row["runtime"]),
        production_companies=pipe_list(row["production_companies"]),
        vote_average=_nonneg(to_float(row["vote_average"], "vote_average", required=False),
                             "vote_average"),
        vote_count=_nonneg(to_int(row["vote_count"], "vote_count", required=False), "vote_count"),
        popularity=_nonneg(to_float(row["popularity"], "popularity", required=False),
                           "popularity"),
        genres=pipe_list(row["genres"]),
        keywords=pipe_list(row["keywords"]),
        cast=[(name, "") for name in pipe_list(row["cast"])][:MAX_CAST],
        directors=pipe_list(row["director"]),
    )  # fmt: skip


def _record_credits(row: dict[str, str], id_column: str) -> TmdbRecord:
    cast_items = literal_list(row["cast"], "cast")
    crew_items = literal_list(row["crew"], "crew")
    cast: list[tuple[str, str]] = []
    seen = set()
    for item in sorted(
        (i for i in cast_items if isinstance(i, dict)), key=lambda i: i.get("order", 0)
    ):
        name = str(item.get("name") or "").strip()
        if name and name not in seen:
            seen.add(name)
            cast.append((name, str(item.get("character") or "").strip()[:300]))
    directors = []
    for item in crew_items:
        if isinstance(item, dict) and item.get("job") == "Director":
            name = str(item.get("name") or "").strip()
            if name and name not in directors:
                directors.append(name)
    return TmdbRecord(tmdb_id=tmdb_id_of(row[id_column]), cast=cast[:MAX_CAST], directors=directors)


def _record_keywords(row: dict[str, str]) -> TmdbRecord:
    keywords = names_of(literal_list(row["keywords"], "keywords"), "keywords")
    return TmdbRecord(tmdb_id=tmdb_id_of(row["id"]), keywords=keywords)


def _record_links(row: dict[str, str]) -> TmdbRecord | None:
    tmdb = to_int(row["tmdbId"], "tmdbId", required=False)
    if tmdb is None:
        return None
    return TmdbRecord(
        tmdb_id=tmdb,
        movielens_id=to_int(row["movieId"], "movieId"),
        imdb_id=to_int(row["imdbId"], "imdbId", required=False),
    )


def _parse(fmt: Format, row: dict[str, str]) -> TmdbRecord | None:
    if fmt in (METADATA, TMDB5000):
        return _record_metadata(row, fmt)
    if fmt is UDACITY:
        return _record_udacity(row)
    if fmt is TMDB5000_CREDITS:
        return _record_credits(row, "movie_id")
    if fmt is CREDITS:
        return _record_credits(row, "id")
    if fmt is KEYWORDS:
        return _record_keywords(row)
    return _record_links(row)


@dataclass
class FileReport:
    label: str
    format: str
    rows: int = 0
    records: int = 0
    passed_over: int = 0  # rows about movies that are not in the catalogue


def read_source(
    source: Source,
    problems: Problems,
    wanted: Callable[[int], bool] | None = None,
    repairs: Repairs | None = None,
) -> tuple[Format, FileReport, Iterator[TmdbRecord]]:
    """Checks the header now (so a bad file stops the import before anything is written) and
    returns the records as a lazy iterator. In files that only add to a TMDb id (credits,
    keywords), rows whose id `wanted` refuses are passed over without parsing their lists:
    Kaggle's keywords.csv describes 45,000 movies, a catalogue a fraction of them. Mojibake in
    the records' text is repaired (movies/importers/text.py) and counted in `repairs`."""
    repairs = repairs if repairs is not None else Repairs()
    reader = CsvReader(source)
    try:
        reader.read_header(set())
        fmt = detect_format(source.label, reader.header)
    except BaseException:
        reader.close()
        raise
    report = FileReport(label=source.label, format=fmt.name)
    id_column = reader.header.index(ID_ONLY[fmt]) if fmt in ID_ONLY and wanted else None

    def records() -> Iterator[TmdbRecord]:
        seen: dict[int, int] = {}
        with reader:
            for line, values in reader.rows(problems):
                report.rows += 1
                if id_column is not None:
                    head = values[id_column].strip()
                    if head.isdigit() and not wanted(int(head)):
                        report.passed_over += 1
                        continue
                row = dict(zip(reader.header, values, strict=True))
                if fmt.double_encoded:
                    row = repairs.fix_row(row, label=source.label, named=_NAMED_COLUMNS)
                try:
                    record = _parse(fmt, row)
                    if record is None:
                        continue
                    if not fmt.double_encoded:
                        repair_record(record, label=source.label, repairs=repairs)
                    if record.tmdb_id in seen:
                        # Udacity's file repeats id 42194 as an exact duplicate row.
                        raise RowError(
                            f"duplicate TMDb id {record.tmdb_id} (first on line "
                            f"{seen[record.tmdb_id]})"
                        )
                except RowError as exc:
                    problems.add(source.label, line, str(exc))
                    continue
                seen[record.tmdb_id] = line
                report.records += 1
                yield record
        if not report.rows:
            raise UnusableFile(f"{source.label} has a header but no rows")
        if not report.records and not report.passed_over and fmt is not LINKS:
            raise UnusableFile(f"{source.label} has no usable rows (all {report.rows} malformed)")

    return fmt, report, records()


def read_paths(
    paths: list[Path],
    problems: Problems,
    *,
    known_ids: set[int] | None = None,
    repairs: Repairs | None = None,
) -> tuple[dict[int, TmdbRecord], list[FileReport]]:
    """All records of all files, merged by TMDb id. Every header is checked before any row is
    read, so a wrong file stops the import before work is done. With `known_ids` (the TMDb ids
    already in the catalogue), credits and keywords rows are only parsed for those ids and the
    ids the other files bring."""
    merged: dict[int, TmdbRecord] = {}

    def wanted(tmdb_id: int) -> bool:
        return tmdb_id in merged or (known_ids is not None and tmdb_id in known_ids)

    opened = []
    for path in paths:
        for source in sources_for(path):
            chosen = wanted if known_ids is not None else None
            opened.append(read_source(source, problems, chosen, repairs))
    opened.sort(key=lambda item: FORMATS.index(item[0]))
    for _fmt, _report, records in opened:
        for record in records:
            current = merged.get(record.tmdb_id)
            if current is None:
                merged[record.tmdb_id] = record
            else:
                current.fill_from(record)
    return merged, [report for _fmt, report, _records in opened]
