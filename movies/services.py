"""Writes to the catalogue: the MovieLens and TMDb imports and the rating statistics.

Each import reads and checks its files with the plain readers in `movies.importers`, then writes
everything inside one transaction: a file that turns out to be unusable half-way rolls the whole
import back, so the database is either fully imported or exactly as it was. Writes go in batches
(`bulk_create` with `ignore_conflicts`, updates of changed rows only) against id maps
fetched once, so a re-run finds everything in place and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Avg, Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from tqdm import tqdm

from .importers import movielens as ml
from .importers.base import Problems, UnusableFile
from .importers.tmdb import TmdbRecord, read_paths
from .models import Credit, Genre, Keyword, Movie, Person, Rating, Tag, normalize_title

logger = logging.getLogger(__name__)

BATCH = 5_000
# Keeps IN (...) lists under SQLite's bound-parameter limit.
IN_BATCH = 900
# TMDb names a few genres differently from MovieLens; one genre, one name.
TMDB_GENRE_NAMES = {"Science Fiction": "Sci-Fi"}


def catalogue_counts() -> dict[str, int]:
    User = get_user_model()
    return {
        "movies": Movie.objects.count(),
        "dataset users": User.objects.exclude(dataset="").count(),
        "ratings": Rating.objects.count(),
        "tags": Tag.objects.count(),
        "genres": Genre.objects.count(),
        "keywords": Keyword.objects.count(),
        "people": Person.objects.count(),
        "credits": Credit.objects.count(),
    }


def title_key(title: str, year: int | None) -> tuple[str, int | None]:
    """How two datasets' titles meet: the main title (article in front, no alternate title),
    normalised, and the year."""
    return normalize_title(ml.parse_title(title).main_title), year


def _batched(items: list, size: int = IN_BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _name_map(model, names: Iterable[str], max_length: int) -> dict[str, int]:
    """name → pk for `names`, creating the missing ones (the whole table is read once: genres,
    keywords and people are tens of thousands of short rows even at ml-25m scale)."""
    found: dict[str, int] = dict(model.objects.values_list("name", "pk"))
    missing = sorted({n[:max_length] for n in names if n} - found.keys())
    if missing:
        model.objects.bulk_create(
            [model(name=n) for n in missing], batch_size=BATCH, ignore_conflicts=True
        )
        for chunk in _batched(missing):
            found.update(model.objects.filter(name__in=chunk).values_list("name", "pk"))
    return found


def movies_update(movies: list[Movie], fields: list[str]) -> None:
    """Writes `fields` of `movies` with one parameterised UPDATE per row, sent as a batch.
    Django's bulk_update builds a CASE expression per field over the whole batch, which took
    minutes of Python time for the 6,500 movies a TMDb import changes."""
    if not movies:
        return
    quote = connection.ops.quote_name
    columns = [Movie._meta.get_field(name) for name in fields]
    sql = (
        f"UPDATE {quote(Movie._meta.db_table)} SET "
        + ", ".join(f"{quote(c.column)} = %s" for c in columns)
        + f" WHERE {quote(Movie._meta.pk.column)} = %s"
    )
    params = [
        [c.get_db_prep_save(getattr(movie, c.attname), connection) for c in columns] + [movie.pk]
        for movie in movies
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(sql, params[start : start + BATCH])


def _bar(progress: bool, total: int | None, desc: str) -> tqdm:
    return tqdm(
        total=total, desc=desc, unit="B", unit_scale=True, file=sys.stderr,
        disable=None if progress else True, leave=False,
    )  # fmt: skip


def movie_stats_refresh() -> None:
    """Recomputes each movie's number of ratings and mean rating (explicit ratings only; site
    picks are implicit and carry no rating)."""
    rated = Rating.objects.filter(movie=OuterRef("pk"), rating__isnull=False).values("movie")
    Movie.objects.update(
        num_ratings=Coalesce(Subquery(rated.annotate(n=Count("pk")).values("n")), 0),
        mean_rating=Subquery(rated.annotate(m=Avg("rating")).values("m")),
    )


# --- MovieLens -------------------------------------------------------------------------------


@dataclass
class MovieLensReport:
    dataset: str
    layout: str
    before: dict[str, int]
    after: dict[str, int] = field(default_factory=dict)
    movies_created: int = 0
    movies_updated: int = 0
    movies_joined: int = 0  # existing movies of the other MovieLens family, joined by title
    users_created: int = 0
    users_updated: int = 0
    problems: Problems = field(default_factory=Problems)

    def lines(self) -> list[str]:
        added = {k: self.after[k] - self.before[k] for k in self.after}
        return [
            f"Imported {self.dataset} ({'MovieLens 100K' if self.layout == ml.ML100K else 'MovieLens CSV'}).",  # noqa: E501
            f"Movies: {self.movies_created} new, {self.movies_updated} updated, "
            f"{self.movies_joined} joined by title to movies already there.",
            f"Users: {self.users_created} new, {self.users_updated} updated.",
            f"Ratings: {added['ratings']} new; tags: {added['tags']} new.",
            "Catalogue now: " + ", ".join(f"{v:,} {k}" for k, v in self.after.items()) + ".",
            *self.problems.summary(),
        ]


class _MovieIndex:
    """Every movie's ids and title key, fetched once, kept current while importing."""

    def __init__(self) -> None:
        self.rows: dict[int, Movie] = {
            m.pk: m
            for m in Movie.objects.only(
                "pk", "movielens_id", "ml100k_id", "tmdb_id", "imdb_id", "title",
                "original_title", "year", "release_date",
            )
        }  # fmt: skip
        self.by = {name: {} for name in ("movielens_id", "ml100k_id", "tmdb_id", "imdb_id")}
        self.by_key: dict[tuple[str, int | None], list[int]] = defaultdict(list)
        for movie in self.rows.values():
            self._index(movie)

    def _index(self, movie: Movie) -> None:
        for name, mapping in self.by.items():
            value = getattr(movie, name)
            if value is not None:
                mapping[value] = movie.pk
        self.by_key[title_key(movie.title, movie.year)].append(movie.pk)

    def owner(self, id_field: str, value: int | None) -> int | None:
        return None if value is None else self.by[id_field].get(value)

    def claim(self, movie: Movie, id_field: str, value: int) -> None:
        setattr(movie, id_field, value)
        self.by[id_field][value] = movie.pk

    def title_match(self, key: tuple[str, int | None], free_field: str) -> int | None:
        """The one movie with this title key whose `free_field` id is still empty."""
        if not key[0] or key[1] is None:
            return None
        free = [pk for pk in self.by_key.get(key, ()) if getattr(self.rows[pk], free_field) is None]
        return free[0] if len(free) == 1 else None


def _movies_upsert(
    rows: list[ml.MovieRow], *, id_field: str, report: MovieLensReport
) -> dict[int, int]:
    """Creates or updates the dataset's movies; returns dataset movie id → movie pk."""
    index = _MovieIndex()
    genre_ids = _name_map(Genre, (g for r in rows for g in r.genres), 60)
    changed: set[str] = set()
    to_update: list[Movie] = []
    new: list[Movie] = []
    pk_of: dict[int, int] = {}
    new_rows: list[ml.MovieRow] = []
    for row in rows:
        pk = index.owner(id_field, row.movie_id)
        joined = False
        if pk is None:
            # The same film may already be here from the other MovieLens family (ml-100k ids are
            # not MovieLens ids): join by title + year rather than duplicate it.
            pk = index.title_match(title_key(row.main_title, row.year), id_field)
            joined = pk is not None
        if pk is None:
            new.append(_new_movie(row, id_field, index, report))
            new_rows.append(row)
            continue
        movie = index.rows[pk]
        fields = _movie_changes(movie, row, id_field, index, report)
        if joined:
            index.claim(movie, id_field, row.movie_id)
            fields.add(id_field)
            report.movies_joined += 1
        if fields:
            changed |= fields
            to_update.append(movie)
        pk_of[row.movie_id] = pk
    if to_update:
        for movie in to_update:
            movie.search_title = normalize_title(f"{movie.title} {movie.original_title}")
        movies_update(to_update, sorted(changed | {"search_title"}))
        report.movies_updated = len(to_update) - report.movies_joined
    Movie.objects.bulk_create(new, batch_size=BATCH)
    report.movies_created = len(new)
    ids = [r.movie_id for r in new_rows]
    for chunk in _batched(ids):
        pk_of.update(Movie.objects.filter(**{f"{id_field}__in": chunk}).values_list(id_field, "pk"))
    through = Movie.genres.through
    links = [
        through(movie_id=pk_of[r.movie_id], genre_id=genre_ids[g])
        for r in rows
        if r.movie_id in pk_of
        for g in r.genres
    ]
    through.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
    return pk_of


def _free_id(
    index: _MovieIndex, id_field: str, value: int | None, pk: int | None, row, report
) -> int | None:
    """`value` when no other movie holds it; otherwise None, and the row is reported."""
    owner = index.owner(id_field, value)
    if value is None or owner is None or owner == pk:
        return value
    holder = index.rows.get(owner, "a movie earlier in this file")
    report.problems.add(
        "movies", row.line, f"{id_field} {value} of movie {row.movie_id} already belongs to "
        f"{holder}; left empty",
    )  # fmt: skip
    return None


def _new_movie(row: ml.MovieRow, id_field: str, index: _MovieIndex, report) -> Movie:
    movie = Movie(
        title=row.title[:300],
        year=row.year,
        release_date=row.release_date,
        imdb_id=_free_id(index, "imdb_id", row.imdb_id, None, row, report),
        tmdb_id=_free_id(index, "tmdb_id", row.tmdb_id, None, row, report),
        search_title=normalize_title(row.title),
    )
    setattr(movie, id_field, row.movie_id)
    for name in ("imdb_id", "tmdb_id"):
        if getattr(movie, name) is not None:
            index.by[name][getattr(movie, name)] = -1  # claimed by a movie not yet saved
    return movie


def _movie_changes(movie: Movie, row: ml.MovieRow, id_field: str, index, report) -> set[str]:
    changes: dict[str, object] = {}
    # The CSV family is the richer source: ml-100k never renames a movie that it also lists.
    if id_field == "movielens_id" or movie.movielens_id is None:
        changes["title"] = row.title[:300]
        if row.year is not None:  # a year TMDb filled in stays when MovieLens has none
            changes["year"] = row.year
    if row.release_date is not None:
        changes["release_date"] = row.release_date
    for name in ("imdb_id", "tmdb_id"):
        value = _free_id(index, name, getattr(row, name), movie.pk, row, report)
        if value is not None:
            changes[name] = value
    changed = set()
    for name, value in changes.items():
        if getattr(movie, name) != value:
            if name in ("imdb_id", "tmdb_id"):
                index.claim(movie, name, value)
            setattr(movie, name, value)
            changed.add(name)
    return changed


class _UserIndex:
    def __init__(self, dataset: str) -> None:
        self.dataset = dataset
        User = get_user_model()
        self.model = User
        self.pk_of: dict[int, int] = dict(
            User.objects.filter(dataset=dataset, dataset_user_id__isnull=False).values_list(
                "dataset_user_id", "pk"
            )
        )

    def new_user(self, row: ml.UserRow):
        # An unusable password: dataset users exist for the recommender and the admin, and can
        # never log in.
        return self.model(
            username=f"{self.dataset}:{row.user_id}"[:150],
            dataset=self.dataset,
            dataset_user_id=row.user_id,
            age=row.age,
            gender=row.gender,
            occupation=row.occupation,
            language="en",
            password=make_password(None),
        )

    def create(self, rows: list[ml.UserRow]) -> int:
        if not rows:
            return 0
        self.model.objects.bulk_create([self.new_user(r) for r in rows], batch_size=BATCH)
        for chunk in _batched([r.user_id for r in rows]):
            self.pk_of.update(
                self.model.objects.filter(
                    dataset=self.dataset, dataset_user_id__in=chunk
                ).values_list("dataset_user_id", "pk")
            )
        return len(rows)


def _users_upsert(rows: list[ml.UserRow], users: _UserIndex, report: MovieLensReport) -> None:
    new = [r for r in rows if r.user_id not in users.pk_of]
    known = {r.user_id: r for r in rows if r.user_id in users.pk_of}
    stale = []
    for user in users.model.objects.filter(dataset=users.dataset, dataset_user_id__in=known):
        row = known[user.dataset_user_id]
        if (user.age, user.gender, user.occupation) != (row.age, row.gender, row.occupation):
            user.age, user.gender, user.occupation = row.age, row.gender, row.occupation
            stale.append(user)
    users.model.objects.bulk_update(stale, ["age", "gender", "occupation"], batch_size=1000)
    report.users_updated = len(stale)
    report.users_created = users.create(new)


def _ratings_write(rows: list[tuple], *, source: str) -> None:
    """Inserts (user pk, movie pk, rating, time) rows that are not there yet. On PostgreSQL
    the rows are COPYed into a temporary table and inserted from there with ON CONFLICT DO
    NOTHING: several times faster than building a model instance per row, which matters at
    25 million ratings."""
    if connection.vendor != "postgresql":
        Rating.objects.bulk_create(
            [Rating(user_id=u, movie_id=m, rating=r, timestamp=t, source=source)
             for u, m, r, t in rows],
            batch_size=BATCH,
            ignore_conflicts=True,
        )  # fmt: skip
        return
    table = Rating._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS rating_load (user_id bigint, movie_id bigint, "
            "rating double precision, ts timestamptz) ON COMMIT DROP"
        )
        with cursor.copy("COPY rating_load (user_id, movie_id, rating, ts) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f'INSERT INTO {table} (user_id, movie_id, rating, "timestamp", source) '
            "SELECT user_id, movie_id, rating, ts, %s FROM rating_load "
            "ON CONFLICT DO NOTHING",
            [source],
        )
        cursor.execute("TRUNCATE rating_load")


def _timestamp(unix: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(unix, tz=dt.UTC)


def _interactions_import(
    chunks: Iterable[list[tuple]],
    *,
    label: str,
    users: _UserIndex,
    movie_pk: dict[int, int],
    create_users: bool,
    write: Callable[[list[tuple]], None],
    report: MovieLensReport,
) -> int:
    """Writes ratings or tags chunk by chunk; rows naming an unknown user or movie are
    reported. Returns how many rows were usable."""
    usable = 0
    for chunk in chunks:
        if create_users:
            # The CSV family has no users file: a user exists from their first rating or tag.
            missing = sorted({row[1] for row in chunk} - users.pk_of.keys())
            report.users_created += users.create([ml.UserRow(0, uid) for uid in missing])
        objs = []
        for row in chunk:
            line, user_id, movie_id = row[0], row[1], row[2]
            user_pk = users.pk_of.get(user_id)
            if user_pk is None:
                report.problems.add(label, line, f"user {user_id} is not in the users file")
                continue
            pk = movie_pk.get(movie_id)
            if pk is None:
                report.problems.add(label, line, f"movie {movie_id} is not in the movies file")
                continue
            try:
                when = _timestamp(row[4])
            except (OverflowError, OSError, ValueError):
                report.problems.add(label, line, f"timestamp {row[4]} is out of range")
                continue
            objs.append((user_pk, pk, row[3], when))
        write(objs)
        usable += len(objs)
    return usable


@transaction.atomic
def movielens_import(
    *,
    path: Path,
    dataset: str | None = None,
    chunk_size: int = 50_000,
    progress: bool = False,
) -> MovieLensReport:
    """Imports a MovieLens folder (ml-100k or the CSV family). Promises: idempotent (a re-run
    adds nothing); malformed rows skipped and reported with file and line; an unusable file
    raises `UnusableFile` and leaves the database as it was."""
    layout = ml.detect_layout(path)
    files = ml.required_files(path, layout)
    dataset = (dataset or path.resolve().name).strip()
    report = MovieLensReport(dataset=dataset, layout=layout, before=catalogue_counts())
    problems = report.problems
    users = _UserIndex(dataset)
    if layout == ml.ML100K:
        movie_rows = ml.read_ml100k_movies(files["u.item"], problems)
        user_rows = ml.read_ml100k_users(files["u.user"], problems)
        if not movie_rows or not user_rows:
            raise UnusableFile(f"{path.name}: u.item or u.user has no usable rows")
        movie_pk = _movies_upsert(movie_rows, id_field="ml100k_id", report=report)
        _users_upsert(user_rows, users, report)
        ratings_file, source = files["u.data"], Rating.Source.ML100K
    else:
        links = ml.read_csv_links(files["links.csv"], problems) if "links.csv" in files else {}
        movie_rows = ml.read_csv_movies(files["movies.csv"], problems, links)
        movie_pk = _movies_upsert(movie_rows, id_field="movielens_id", report=report)
        ratings_file, source = files["ratings.csv"], Rating.Source.MOVIELENS

    size = ratings_file.stat().st_size
    with _bar(progress, size, f"{dataset} ratings") as bar:

        def advance(position: int) -> None:
            bar.update(max(0, position - bar.n))

        reader = ml.iter_ml100k_ratings if layout == ml.ML100K else ml.iter_csv_ratings
        chunks = reader(ratings_file, problems, chunk_size=chunk_size, progress=advance)
        usable = _interactions_import(
            chunks,
            label=ratings_file.name,
            users=users,
            movie_pk=movie_pk,
            create_users=layout != ml.ML100K,
            write=lambda rows: _ratings_write(rows, source=source),
            report=report,
        )
        bar.update(max(0, size - bar.n))
    if not usable:
        raise UnusableFile(f"{ratings_file.name} has no usable rating rows")
    if "tags.csv" in files:
        _interactions_import(
            ml.iter_csv_tags(files["tags.csv"], problems, chunk_size=chunk_size),
            label="tags.csv",
            users=users,
            movie_pk=movie_pk,
            create_users=True,
            write=lambda rows: Tag.objects.bulk_create(
                [Tag(user_id=u, movie_id=m, tag=text, timestamp=when) for u, m, text, when in rows],
                batch_size=BATCH,
                ignore_conflicts=True,
            ),
            report=report,
        )
    movie_stats_refresh()
    report.after = catalogue_counts()
    logger.info("MovieLens import of %s: %s", dataset, report.after)
    return report


# --- TMDb ------------------------------------------------------------------------------------


@dataclass
class TmdbReport:
    files: list
    before: dict[str, int]
    after: dict[str, int] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=lambda: {"tmdb": 0, "imdb": 0, "title": 0})
    unmatched: int = 0
    conflicting: int = 0
    conflicts: list[str] = field(default_factory=list)
    movies_updated: int = 0
    with_overview: int = 0
    problems: Problems = field(default_factory=Problems)

    def conflict(self, text: str) -> None:
        self.conflicting += 1
        if len(self.conflicts) < 10:
            self.conflicts.append(text)

    def lines(self) -> list[str]:
        files = [
            f"  {f.label}: {f.format}, {f.records:,} of {f.rows:,} rows"
            + (f" ({f.passed_over:,} about movies not in the catalogue)" if f.passed_over else "")
            for f in self.files
        ]
        matched = sum(self.matched.values())
        added = {k: self.after[k] - self.before[k] for k in ("keywords", "people", "credits")}
        lines = [
            "Read:",
            *files,
            f"Matched {matched:,} TMDb movies to the catalogue "
            f"(by TMDb id {self.matched['tmdb']:,}, "
            f"by IMDb id {self.matched['imdb']:,}, by title + year {self.matched['title']:,}); "
            f"unmatched {self.unmatched:,}; conflicting {self.conflicting:,}.",
            f"Updated {self.movies_updated:,} movies; {self.with_overview:,} movies now have an "
            f"overview. New: {added['keywords']:,} keywords, {added['people']:,} people, "
            f"{added['credits']:,} credits.",
        ]
        if self.conflicts:
            lines += ["Conflicts (first ones):", *(f"  {c}" for c in self.conflicts)]
        return lines + self.problems.summary()


_TMDB_FIELDS = (
    "original_title", "overview", "tagline", "runtime", "original_language", "spoken_languages",
    "production_countries", "production_companies", "vote_average", "vote_count", "popularity",
    "poster_path",
)  # fmt: skip
_MAX_LENGTH = {"original_title": 300, "tagline": 500, "poster_path": 300, "original_language": 12}


def _has_metadata(record: TmdbRecord) -> bool:
    return bool(
        record.title or record.overview or record.cast or record.directors or record.keywords
    )


def _tmdb_match(
    records: list[TmdbRecord], index: _MovieIndex, report: TmdbReport
) -> list[tuple[Movie, TmdbRecord]]:
    """Pairs records with movies: by TMDb id, then IMDb id, then normalised title + year — each
    pass over all records before the next, so an exact id always wins over a title."""
    pairs: list[tuple[Movie, TmdbRecord]] = []
    rest = []
    for record in records:
        pk = index.owner("tmdb_id", record.tmdb_id)
        if pk is None:
            rest.append(record)
            continue
        imdb_owner = index.owner("imdb_id", record.imdb_id)
        if imdb_owner not in (None, pk):
            report.conflict(
                f"TMDb {record.tmdb_id} is {index.rows[pk]} but IMDb {record.imdb_id} is "
                f"{index.rows[imdb_owner]}; kept the TMDb match"
            )
        report.matched["tmdb"] += 1
        pairs.append((index.rows[pk], record))
    by_title = []
    for record in rest:
        pk = index.owner("imdb_id", record.imdb_id)
        if pk is None:
            by_title.append(record)
            continue
        movie = index.rows[pk]
        if movie.tmdb_id is not None:
            report.conflict(
                f"IMDb {record.imdb_id} is {movie}, which already has TMDb id {movie.tmdb_id}, "
                f"not {record.tmdb_id}"
            )
            continue
        index.claim(movie, "tmdb_id", record.tmdb_id)
        report.matched["imdb"] += 1
        pairs.append((movie, record))
    for record in by_title:
        if not (record.title or record.original_title):
            report.unmatched += 1
            continue
        keys = {title_key(t, record.year) for t in (record.title, record.original_title) if t}
        candidates = {
            pk for key in keys for pk in index.by_key.get(key, ()) if index.rows[pk].tmdb_id is None
        }
        if len(candidates) > 1:
            report.conflict(
                f"TMDb {record.tmdb_id} {record.title!r} ({record.year}) matches "
                f"{len(candidates)} movies by title; not joined"
            )
            continue
        if not candidates:
            report.unmatched += 1
            continue
        movie = index.rows[candidates.pop()]
        index.claim(movie, "tmdb_id", record.tmdb_id)
        free_imdb = record.imdb_id is not None and movie.imdb_id is None
        if free_imdb and index.owner("imdb_id", record.imdb_id) is None:
            index.claim(movie, "imdb_id", record.imdb_id)
        report.matched["title"] += 1
        pairs.append((movie, record))
    return pairs


def _links_apply(records: Iterable[TmdbRecord], index: _MovieIndex) -> None:
    """A links.csv (movieId → tmdbId, imdbId) fills the ids of MovieLens movies that lack them."""
    for record in records:
        pk = index.owner("movielens_id", record.movielens_id)
        if pk is None:
            continue
        movie = index.rows[pk]
        if movie.tmdb_id is None and index.owner("tmdb_id", record.tmdb_id) is None:
            index.claim(movie, "tmdb_id", record.tmdb_id)
        free_imdb = record.imdb_id is not None and movie.imdb_id is None
        if free_imdb and index.owner("imdb_id", record.imdb_id) is None:
            index.claim(movie, "imdb_id", record.imdb_id)


def _tmdb_movie_fields(movie: Movie, record: TmdbRecord) -> None:
    for name in _TMDB_FIELDS:
        value = getattr(record, name)
        if value in (None, "", []):
            continue  # never blank out what another file gave
        if name in _MAX_LENGTH:
            value = value[: _MAX_LENGTH[name]]
        setattr(movie, name, value)
    if movie.release_date is None and record.release_date is not None:
        movie.release_date = record.release_date
    if movie.year is None and record.year is not None:
        movie.year = record.year
    movie.search_title = normalize_title(f"{movie.title} {movie.original_title}")


def _links_add(through, left: str, right: str, pairs: set[tuple[int, int]]) -> None:
    """Adds the many-to-many rows that are not there yet (a re-run writes nothing)."""
    existing = set(through.objects.values_list(left, right))
    through.objects.bulk_create(
        [through(**{left: a, right: b}) for a, b in sorted(pairs - existing)],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def _tmdb_relations(pairs: list[tuple[Movie, TmdbRecord]]) -> None:
    genre_names = {
        (movie.pk, TMDB_GENRE_NAMES.get(g, g)[:60]) for movie, r in pairs for g in r.genres
    }
    genre_ids = _name_map(Genre, (g for _, g in genre_names), 60)
    _links_add(
        Movie.genres.through, "movie_id", "genre_id",
        {(pk, genre_ids[g]) for pk, g in genre_names},
    )  # fmt: skip
    keyword_ids = _name_map(Keyword, (k for _, r in pairs for k in r.keywords), 200)
    _links_add(
        Movie.keywords.through, "movie_id", "keyword_id",
        {(movie.pk, keyword_ids[k[:200]]) for movie, r in pairs for k in r.keywords},
    )  # fmt: skip
    names = [n for _, r in pairs for n in (*(c[0] for c in r.cast), *r.directors)]
    person_ids = _name_map(Person, names, 200)
    existing = set(Credit.objects.values_list("movie_id", "person_id", "role"))
    credits = []
    for movie, record in pairs:
        people = [(name, Credit.Role.CAST, character) for name, character in record.cast]
        people += [(name, Credit.Role.DIRECTOR, "") for name in record.directors]
        orders = {Credit.Role.CAST: 0, Credit.Role.DIRECTOR: 0}
        for name, role, character in people:
            key = (movie.pk, person_ids[name[:200]], role)
            order = orders[role]
            orders[role] += 1
            if key in existing:
                continue
            existing.add(key)
            credits.append(
                Credit(movie_id=key[0], person_id=key[1], role=role, order=order,
                       character=character)
            )  # fmt: skip
    Credit.objects.bulk_create(credits, batch_size=BATCH, ignore_conflicts=True)


@transaction.atomic
def tmdb_import(*, paths: list[Path], progress: bool = False) -> TmdbReport:
    """Adds TMDb metadata (overview, runtime, languages, votes, genres, keywords, cast and
    director) to the movies already in the catalogue. Every file is read and checked before
    anything is written; unmatched TMDb movies are counted, not created."""
    problems = Problems()
    known = set(Movie.objects.exclude(tmdb_id=None).values_list("tmdb_id", flat=True))
    records, files = read_paths(paths, problems, known_ids=known)
    report = TmdbReport(files=files, before=catalogue_counts(), problems=problems)
    index = _MovieIndex()
    ids_before = {pk: (m.tmdb_id, m.imdb_id) for pk, m in index.rows.items()}
    _links_apply((r for r in records.values() if r.movielens_id is not None), index)
    ordered = [records[k] for k in sorted(records) if _has_metadata(records[k])]
    pairs = _tmdb_match(ordered, index, report)

    full = Movie.objects.in_bulk()
    changed: dict[int, Movie] = {}
    loaded_pairs = []
    for movie, record in tqdm(
        pairs, desc="TMDb", file=sys.stderr, disable=None if progress else True
    ):
        current = full[movie.pk]
        before = [getattr(current, f) for f in (*_TMDB_FIELDS, "release_date", "year")]
        current.tmdb_id, current.imdb_id = movie.tmdb_id, movie.imdb_id
        _tmdb_movie_fields(current, record)
        after = [getattr(current, f) for f in (*_TMDB_FIELDS, "release_date", "year")]
        if before != after or ids_before.get(movie.pk) != (current.tmdb_id, current.imdb_id):
            changed[current.pk] = current
        loaded_pairs.append((current, record))
    # Movies that only got ids from links.csv.
    for pk, movie in index.rows.items():
        current = full[pk]
        if (movie.tmdb_id, movie.imdb_id) != ids_before[pk] and pk not in changed:
            current.tmdb_id, current.imdb_id = movie.tmdb_id, movie.imdb_id
            changed[pk] = current
    # Ids are only ever given to movies without one, and only when no movie holds them, so no
    # row's update can trip the unique constraints.
    movies_update(
        list(changed.values()),
        [*_TMDB_FIELDS, "release_date", "year", "tmdb_id", "imdb_id", "search_title"],
    )
    report.movies_updated = len(changed)
    _tmdb_relations(loaded_pairs)
    report.with_overview = Movie.objects.exclude(overview="").count()
    report.after = catalogue_counts()
    logger.info("TMDb import: %s matched, %s unmatched", report.matched, report.unmatched)
    return report
