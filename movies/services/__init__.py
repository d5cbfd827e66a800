"""Writes to the catalogue: the MovieLens import (`movies.services.movielens`), the TMDb import
(`movies.services.tmdb`), and what both share here (id maps, batched writes, rating statistics).

Each import reads and checks its files with the plain readers in `movies.importers`, then writes
everything inside one transaction: a file that turns out to be unusable half-way rolls the whole
import back, so the database is either fully imported or exactly as it was. Writes go in batches
(`bulk_create` with `ignore_conflicts`, updates of changed rows only) against id maps
fetched once, so a re-run finds everything in place and changes nothing.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Avg, Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from tqdm import tqdm

from ..importers import movielens as ml
from ..models import Credit, Genre, Keyword, Movie, Person, Rating, Tag, normalize_title

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


class MovieIndex:
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
