"""The MovieLens import: ml-100k and the CSV family (ml-latest-small, ml-25m, ml-32m), movies,
users, ratings and tags, in one transaction."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from ..importers import movielens as ml
from ..importers.base import Problems, UnusableFile
from ..models import Genre, Movie, Rating, Tag, normalize_title
from . import (
    BATCH,
    MovieIndex,
    _bar,
    _batched,
    _name_map,
    catalogue_counts,
    movie_stats_refresh,
    movies_update,
    title_key,
)

logger = logging.getLogger(__name__)


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


def _movies_upsert(
    rows: list[ml.MovieRow], *, id_field: str, report: MovieLensReport
) -> dict[int, int]:
    """Creates or updates the dataset's movies; returns dataset movie id → movie pk."""
    index = MovieIndex()
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
    index: MovieIndex, id_field: str, value: int | None, pk: int | None, row, report
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


def _new_movie(row: ml.MovieRow, id_field: str, index: MovieIndex, report) -> Movie:
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
