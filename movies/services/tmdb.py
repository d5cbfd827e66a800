"""The TMDb import: matches TMDb records (Kaggle "The Movies Dataset", TMDB 5000 and similar
CSVs) to catalogue movies and writes their metadata, genres, keywords and credits, in one
transaction."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from tqdm import tqdm

from ..importers.base import Problems
from ..importers.text import Repairs
from ..importers.tmdb import TmdbRecord, read_paths
from ..models import Credit, Genre, Keyword, Movie, Person, normalize_title
from . import (
    BATCH,
    TMDB_GENRE_NAMES,
    MovieIndex,
    _batched,
    _name_map,
    catalogue_counts,
    movies_update,
    title_key,
)

logger = logging.getLogger(__name__)


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
    repairs: Repairs = field(default_factory=Repairs)
    renamed: dict[str, int] = field(default_factory=lambda: {"people": 0, "keywords": 0})

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
        lines += self.repairs.summary()
        if any(self.renamed.values()):
            lines.append(
                f"Repaired the names of {self.renamed['people']:,} people and "
                f"{self.renamed['keywords']:,} keywords an earlier import had stored garbled."
            )
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
    records: list[TmdbRecord], index: MovieIndex, report: TmdbReport
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


def _links_apply(records: Iterable[TmdbRecord], index: MovieIndex) -> None:
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


def _move_credits(garbled: int, keep: int) -> None:
    taken = set(Credit.objects.filter(person_id=keep).values_list("movie_id", "role"))
    for credit in Credit.objects.filter(person_id=garbled):
        if (credit.movie_id, credit.role) not in taken:
            Credit.objects.filter(pk=credit.pk).update(person_id=keep)


def _move_keyword_links(garbled: int, keep: int) -> None:
    through = Movie.keywords.through
    taken = set(through.objects.filter(keyword_id=keep).values_list("movie_id", flat=True))
    through.objects.filter(keyword_id=garbled).exclude(movie_id__in=taken).update(keyword_id=keep)


def _repair_stored_names(model, renamed: dict[str, str], move) -> int:
    """Rows that an earlier import stored under a garbled name (the same file, read before the
    repair) get the repaired name, so a re-import repairs them instead of adding a second person
    or keyword beside them. Where a row with the repaired name exists, the garbled row's links
    move to it (`move`) and the garbled row goes; so does a row whose repaired name is empty."""
    stored: dict[str, int] = {}
    for chunk in _batched(sorted(renamed)):
        stored.update(model.objects.filter(name__in=chunk).values_list("name", "pk"))
    targets: dict[str, int] = {}
    for chunk in _batched(sorted({renamed[name] for name in stored} - {""})):
        targets.update(model.objects.filter(name__in=chunk).values_list("name", "pk"))
    for name, pk in sorted(stored.items()):
        fixed = renamed[name]
        keep = targets.get(fixed)
        if not fixed:
            model.objects.filter(pk=pk).delete()
        elif keep is None:
            model.objects.filter(pk=pk).update(name=fixed)
            targets[fixed] = pk
        else:
            move(pk, keep)
            model.objects.filter(pk=pk).delete()
    if stored:
        logger.info("Repaired %s %s names stored garbled", len(stored), model.__name__)
    return len(stored)


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
    problems, repairs = Problems(), Repairs()
    known = set(Movie.objects.exclude(tmdb_id=None).values_list("tmdb_id", flat=True))
    records, files = read_paths(paths, problems, known_ids=known, repairs=repairs)
    report = TmdbReport(files=files, before=catalogue_counts(), problems=problems, repairs=repairs)
    index = MovieIndex()
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
    report.renamed["people"] = _repair_stored_names(
        Person, repairs.renamed["people"], _move_credits
    )
    report.renamed["keywords"] = _repair_stored_names(
        Keyword, repairs.renamed["keywords"], _move_keyword_links
    )
    _tmdb_relations(loaded_pairs)
    report.with_overview = Movie.objects.exclude(overview="").count()
    report.after = catalogue_counts()
    logger.info("TMDb import: %s matched, %s unmatched", report.matched, report.unmatched)
    if repairs.repaired:
        logger.warning("TMDb import: %s", "; ".join(repairs.summary()))
    return report
