"""Readers of the MovieLens files: ml-100k (`u.item`, `u.user`, `u.data`; latin-1, pipes and
tabs, no header) and the CSV family (`movies.csv`, `links.csv`, `ratings.csv`, `tags.csv` of
ml-latest-small, ml-25m, ml-32m; UTF-8 with a header). A UTF-8 byte-order mark in front of any
of them is dropped (the CSV files are opened as "utf-8-sig").

Movies and users are small enough to hold in memory; ratings and tags are streamed in chunks of
bounded size so that ml-25m (25 million ratings) never sits in memory whole.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .base import (
    SEPARATORS,
    UTF8_BOM,
    CsvReader,
    Problems,
    RowError,
    UnusableFile,
    file_source,
    guess_separator,
    to_float,
    to_int,
    utf8_or_latin1,
)

ML100K = "ml-100k"
CSV_FAMILY = "csv"

# u.genre, in the order of the 19 flags of u.item. "Children's" is "Children" in the CSV family:
# one genre, one name.
ML100K_GENRES = [
    "",  # "unknown": no genre
    "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama",
    "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller",
    "War", "Western",
]  # fmt: skip
NO_GENRES = "(no genres listed)"
ML100K_OCCUPATIONS = {
    "administrator", "artist", "doctor", "educator", "engineer", "entertainment", "executive",
    "healthcare", "homemaker", "lawyer", "librarian", "marketing", "none", "other", "programmer",
    "retired", "salesman", "scientist", "student", "technician", "writer",
}  # fmt: skip
RATING_MIN, RATING_MAX = 0.5, 5.0

# MovieLens writes "Matrix, The" and "Misérables, Les"; titles read better with the article in
# front, and TMDb titles (which we join on) have it there.
_ARTICLES = (
    "The", "A", "An", "Les", "La", "Le", "L'", "Il", "Lo", "Gli", "Das", "Der", "Die", "Ein",
    "Eine", "El", "Los", "Las", "Un", "Une", "Det", "Het",
)  # fmt: skip
_TRAILING_ARTICLE = re.compile(r"^(?P<rest>.+), (?P<article>" + "|".join(_ARTICLES) + r")$")
_YEAR = re.compile(r"^(?P<title>.*?)\s*\((?P<year>\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\)\s*$")
_ALTERNATE = re.compile(r"^(?P<main>.+?)\s+\((?P<alt>[^()]+)\)$")


def article_first(title: str) -> str:
    match = _TRAILING_ARTICLE.match(title.strip())
    if not match:
        return title.strip()
    article = match["article"]
    sep = "" if article.endswith("'") else " "
    return f"{article}{sep}{match['rest']}"


@dataclass(frozen=True)
class ParsedTitle:
    title: str  # for display: "The City of Lost Children (Cité des enfants perdus, La)"
    main_title: str  # for joining datasets: "The City of Lost Children"
    year: int | None


def parse_title(raw: str) -> ParsedTitle:
    """ "City of Lost Children, The (Cité des enfants perdus, La) (1995)" → its parts."""
    text = raw.strip()
    year = None
    match = _YEAR.match(text)
    if match:
        text, year = match["title"].strip(), int(match["year"])
    alt = _ALTERNATE.match(text)
    main = article_first(alt["main"]) if alt else article_first(text)
    title = f"{main} ({alt['alt']})" if alt else main
    return ParsedTitle(title=title or raw.strip(), main_title=main or raw.strip(), year=year)


@dataclass(frozen=True)
class MovieRow:
    line: int
    movie_id: int  # the dataset's own id (MovieLens movieId, or ml-100k item id)
    title: str
    main_title: str
    year: int | None
    genres: tuple[str, ...]
    release_date: dt.date | None = None
    imdb_id: int | None = None
    tmdb_id: int | None = None


@dataclass(frozen=True)
class UserRow:
    line: int
    user_id: int
    age: int | None = None
    gender: str = ""
    occupation: str = ""


# Ratings and tags are plain tuples: ml-25m makes 25 million of them.
# (line, user_id, movie_id, rating, unix_timestamp)
RatingRow = tuple[int, int, int, float, int]
# (line, user_id, movie_id, tag, unix_timestamp)
TagRow = tuple[int, int, int, str, int]
Progress = Callable[[int], None] | None


def detect_layout(folder: Path) -> str:
    if not folder.is_dir():
        raise UnusableFile(f"{folder} is not a folder")
    if (folder / "u.data").exists() or (folder / "u.item").exists():
        return ML100K
    if (folder / "movies.csv").exists():
        return CSV_FAMILY
    raise UnusableFile(
        f"{folder} holds neither MovieLens 100K files (u.item, u.user, u.data) nor MovieLens "
        f"CSV files (movies.csv, ratings.csv, links.csv, tags.csv)"
    )


def required_files(folder: Path, layout: str) -> dict[str, Path]:
    names = ["u.item", "u.user", "u.data"] if layout == ML100K else ["movies.csv", "ratings.csv"]
    optional = [] if layout == ML100K else ["links.csv", "tags.csv"]
    files = {}
    for name in names:
        files[name] = folder / name
        file_source(files[name])  # raises when missing or empty
    for name in optional:
        if (folder / name).exists():
            file_source(folder / name)
            files[name] = folder / name
    return files


# --- ml-100k ---------------------------------------------------------------------------------


def _ml100k_lines(
    path: Path, sep: str, width: int, problems: Problems, progress: Progress = None
) -> Iterator[tuple[int, list[str]]]:
    label = path.name
    first = True
    with path.open("rb") as raw:
        for lineno, data in enumerate(raw, 1):
            if b"\x00" in data:
                raise UnusableFile(
                    f"{label} holds NUL bytes: it is not a latin-1 text file (UTF-16 or binary?)"
                )
            if lineno == 1 and data.startswith(UTF8_BOM):
                # Read as latin-1, the byte-order mark became "ï»¿" in front of the first id.
                data = data[len(UTF8_BOM) :]
            text = utf8_or_latin1(data).rstrip("\r\n")
            if not text.strip():
                continue
            fields = text.split(sep)
            if len(fields) != width:
                if first:
                    # The first line decides whether the file is in the expected format at all.
                    found = guess_separator(text)
                    how = f"separated by {SEPARATORS[found]}" if found else "one field"
                    raise UnusableFile(
                        f"{label} is not in the MovieLens 100K format: expected {width} fields "
                        f"separated by {SEPARATORS[sep]}, line {lineno} has {len(fields)} ({how})"
                    )
                problems.add(label, lineno, f"expected {width} fields, found {len(fields)}")
                continue
            first = False
            if progress and lineno % 10_000 == 0:
                progress(raw.tell())
            yield lineno, fields
    if first:
        raise UnusableFile(f"{label} has no rows")


def _ml100k_date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%d-%b-%Y").date()
    except ValueError:
        raise RowError(f"release date {text!r} is not like 01-Jan-1995") from None


def read_ml100k_movies(path: Path, problems: Problems) -> list[MovieRow]:
    movies, seen = [], {}
    for line, f in _ml100k_lines(path, "|", 24, problems):
        try:
            movie_id = to_int(f[0], "movie id")
            if movie_id in seen:
                raise RowError(f"duplicate movie id {movie_id} (first on line {seen[movie_id]})")
            flags = f[5:]
            if any(flag not in ("0", "1") for flag in flags):
                raise RowError("genre flags must be 0 or 1")
            release = _ml100k_date(f[2])
        except RowError as exc:
            problems.add(path.name, line, str(exc))
            continue
        seen[movie_id] = line
        parsed = parse_title(f[1])
        genres = tuple(g for g, flag in zip(ML100K_GENRES, flags, strict=True) if flag == "1" and g)
        movies.append(
            MovieRow(
                line=line,
                movie_id=movie_id,
                title=parsed.title,
                main_title=parsed.main_title,
                year=parsed.year or (release.year if release else None),
                genres=genres,
                release_date=release,
            )
        )
    return movies


def read_ml100k_users(path: Path, problems: Problems) -> list[UserRow]:
    users, seen = [], {}
    for line, f in _ml100k_lines(path, "|", 5, problems):
        try:
            user_id = to_int(f[0], "user id")
            if user_id in seen:
                raise RowError(f"duplicate user id {user_id} (first on line {seen[user_id]})")
            age = to_int(f[1], "age")
            if not 1 <= age <= 120:
                raise RowError(f"age {age} is outside 1–120")
            gender = f[2].strip().upper()
            if gender not in ("M", "F"):
                raise RowError(f"gender {f[2]!r} is not M or F")
            occupation = f[3].strip().lower()
            if occupation not in ML100K_OCCUPATIONS:
                raise RowError(f"unknown occupation {f[3]!r}")
        except RowError as exc:
            problems.add(path.name, line, str(exc))
            continue
        seen[user_id] = line
        users.append(UserRow(line, user_id, age, gender, occupation))
    return users


def _rating_value(text: str) -> float:
    value = to_float(text, "rating")
    if not RATING_MIN <= value <= RATING_MAX:
        raise RowError(f"rating {text.strip()} is outside {RATING_MIN}–{RATING_MAX}")
    return value


class _DuplicateGuard:
    """Spots a second rating of the same movie by the same user. MovieLens files are sorted by
    user, so only the current user's movies are remembered while the file stays sorted: memory
    stays bounded on ml-25m. (The database's unique constraint still stops any duplicate this
    misses in an unsorted file.)"""

    def __init__(self) -> None:
        self.seen: dict[tuple[int, int], int] = {}
        self.last_user: int | None = None
        self.sorted = True

    def check(self, user_id: int, movie_id: int, line: int) -> None:
        if self.last_user is not None and user_id != self.last_user:
            if user_id < self.last_user:
                self.sorted = False
            if self.sorted:
                self.seen.clear()
        self.last_user = user_id
        first = self.seen.get((user_id, movie_id))
        if first is not None:
            raise RowError(f"duplicate rating of movie {movie_id} by user {user_id} (line {first})")
        if self.sorted or len(self.seen) < 5_000_000:
            self.seen[(user_id, movie_id)] = line


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def iter_ml100k_ratings(
    path: Path, problems: Problems, *, chunk_size: int = 50_000, progress: Progress = None
) -> Iterator[list[RatingRow]]:
    def rows() -> Iterator[RatingRow]:
        guard = _DuplicateGuard()
        for line, f in _ml100k_lines(path, "\t", 4, problems, progress):
            try:
                user_id = to_int(f[0], "user id")
                movie_id = to_int(f[1], "movie id")
                rating = _rating_value(f[2])
                timestamp = to_int(f[3], "timestamp")
                guard.check(user_id, movie_id, line)
            except RowError as exc:
                problems.add(path.name, line, str(exc))
                continue
            yield (line, user_id, movie_id, rating, timestamp)

    return _chunks(rows(), chunk_size)


# --- CSV family ------------------------------------------------------------------------------


def read_csv_links(path: Path, problems: Problems) -> dict[int, tuple[int | None, int | None]]:
    """movieId → (imdb id, tmdb id). A TMDb or IMDb id that a second movie claims is dropped
    from that second movie (ids are unique in the catalogue) and reported."""
    links: dict[int, tuple[int | None, int | None]] = {}
    imdb_owner: dict[int, int] = {}
    tmdb_owner: dict[int, int] = {}
    with CsvReader(file_source(path)) as reader:
        cols = reader.read_header({"movieId", "imdbId", "tmdbId"})
        mi, ii, ti = cols["movieId"], cols["imdbId"], cols["tmdbId"]
        for line, row in reader.rows(problems):
            try:
                movie_id = to_int(row[mi], "movieId")
                imdb = to_int(row[ii], "imdbId", required=False)
                tmdb = to_int(row[ti], "tmdbId", required=False)
                if movie_id in links:
                    raise RowError(f"duplicate movieId {movie_id}")
            except RowError as exc:
                problems.add(path.name, line, str(exc))
                continue
            if imdb is not None and imdb_owner.setdefault(imdb, movie_id) != movie_id:
                problems.add(
                    path.name, line, f"imdbId {imdb} already belongs to movieId "
                    f"{imdb_owner[imdb]}; left empty for movieId {movie_id}",
                )  # fmt: skip
                imdb = None
            if tmdb is not None and tmdb_owner.setdefault(tmdb, movie_id) != movie_id:
                problems.add(
                    path.name, line, f"tmdbId {tmdb} already belongs to movieId "
                    f"{tmdb_owner[tmdb]}; left empty for movieId {movie_id}",
                )  # fmt: skip
                tmdb = None
            links[movie_id] = (imdb, tmdb)
    return links


def read_csv_movies(
    path: Path, problems: Problems, links: dict[int, tuple[int | None, int | None]]
) -> list[MovieRow]:
    movies, seen = [], {}
    with CsvReader(file_source(path)) as reader:
        cols = reader.read_header({"movieId", "title", "genres"})
        mi, ti, gi = cols["movieId"], cols["title"], cols["genres"]
        for line, row in reader.rows(problems):
            try:
                movie_id = to_int(row[mi], "movieId")
                if movie_id in seen:
                    raise RowError(f"duplicate movieId {movie_id} (first on line {seen[movie_id]})")
                if not row[ti].strip():
                    raise RowError("title is empty")
            except RowError as exc:
                problems.add(path.name, line, str(exc))
                continue
            seen[movie_id] = line
            parsed = parse_title(row[ti])
            genres = tuple(
                g.strip() for g in row[gi].split("|") if g.strip() and g.strip() != NO_GENRES
            )
            imdb, tmdb = links.get(movie_id, (None, None))
            movies.append(
                MovieRow(
                    line=line,
                    movie_id=movie_id,
                    title=parsed.title,
                    main_title=parsed.main_title,
                    year=parsed.year,
                    genres=genres,
                    imdb_id=imdb,
                    tmdb_id=tmdb,
                )
            )
    if not movies:
        raise UnusableFile(f"{path.name} has no usable movie rows")
    return movies


def iter_csv_ratings(
    path: Path, problems: Problems, *, chunk_size: int = 50_000, progress: Progress = None
) -> Iterator[list[RatingRow]]:
    reader = CsvReader(file_source(path))
    cols = reader.read_header({"userId", "movieId", "rating", "timestamp"})

    def rows() -> Iterator[RatingRow]:
        ui, mi, ri, ti = cols["userId"], cols["movieId"], cols["rating"], cols["timestamp"]
        guard = _DuplicateGuard()
        with reader:
            for line, row in reader.rows(problems):
                try:
                    user_id = to_int(row[ui], "userId")
                    movie_id = to_int(row[mi], "movieId")
                    rating = _rating_value(row[ri])
                    timestamp = to_int(row[ti], "timestamp")
                    guard.check(user_id, movie_id, line)
                except RowError as exc:
                    problems.add(path.name, line, str(exc))
                    continue
                if progress and line % 50_000 == 0:
                    progress(reader.bytes_read())
                yield (line, user_id, movie_id, rating, timestamp)

    return _chunks(rows(), chunk_size)


def iter_csv_tags(
    path: Path, problems: Problems, *, chunk_size: int = 50_000
) -> Iterator[list[TagRow]]:
    reader = CsvReader(file_source(path))
    cols = reader.read_header({"userId", "movieId", "tag", "timestamp"})

    def rows() -> Iterator[TagRow]:
        ui, mi, gi, ti = cols["userId"], cols["movieId"], cols["tag"], cols["timestamp"]
        with reader:
            for line, row in reader.rows(problems):
                try:
                    user_id = to_int(row[ui], "userId")
                    movie_id = to_int(row[mi], "movieId")
                    timestamp = to_int(row[ti], "timestamp")
                    tag = row[gi].strip()
                    if not tag:
                        raise RowError("tag is empty")
                except RowError as exc:
                    problems.add(path.name, line, str(exc))
                    continue
                yield (line, user_id, movie_id, tag[:255], timestamp)

    return _chunks(rows(), chunk_size)
