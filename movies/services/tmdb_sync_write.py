"""Writes one TMDb movie (or one person's names) into the catalogue, idempotently: rows are
found by TMDb id (then IMDb id, for dataset movies that do not know their TMDb id yet), and only
what differs is written, so a movie that did not change on TMDb writes nothing but its sync time.

Two kinds of movies, two rules:
- a movie the sync created (`source="tmdb"`) mirrors TMDb: an emptied tagline is emptied here;
- a dataset movie (MovieLens, ml-100k) keeps its own title and year (the dataset's ratings and
  title joins are keyed on them), gains TMDb's values where TMDb has one, and keeps its MovieLens
  genres (TMDb's are added): an empty TMDb value never blanks what a dataset gave.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..models import (
    Credit,
    Genre,
    Keyword,
    Movie,
    MovieTranslation,
    Person,
    PersonAlias,
)
from ..tmdb_api import MovieRecord, PersonRecord
from ..tmdb_api.payload import CastMember

# Copied from the record as they are (lengths were cut by the payload reader).
_FIELDS = (
    "original_title", "overview", "tagline", "runtime", "original_language", "spoken_languages",
    "production_countries", "production_companies", "vote_average", "vote_count", "popularity",
    "poster_path",
)  # fmt: skip


@dataclass
class Written:
    outcome: str  # "new", "updated" or "unchanged"
    movie_id: int
    notes: list[str] = field(default_factory=list)


def _empty(value) -> bool:
    return value in (None, "", [])


def _find(record: MovieRecord, notes: list[str]) -> tuple[Movie | None, bool]:
    """The catalogue movie this record is about, and whether its IMDb id is free to take."""
    movie = Movie.objects.filter(tmdb_id=record.tmdb_id).first()
    if record.imdb_id is None:
        return movie, False
    owner = Movie.objects.filter(imdb_id=record.imdb_id).only("pk", "tmdb_id", "title").first()
    if owner is None:
        return movie, True
    if movie is None and owner.tmdb_id is None:
        return Movie.objects.get(pk=owner.pk), True  # a dataset movie that lacked its TMDb id
    if movie is None or owner.pk != movie.pk:
        notes.append(
            f"IMDb tt{record.imdb_id:07d} is already {owner.title!r} (TMDb {owner.tmdb_id}); "
            "kept there"
        )
    return movie, False


def _fields_apply(movie: Movie, record: MovieRecord, *, mirror: bool, imdb_free: bool) -> bool:
    before = {name: getattr(movie, name) for name in (*_FIELDS, "title", "release_date", "year")}
    before["ids"] = (movie.tmdb_id, movie.imdb_id)
    movie.tmdb_id = record.tmdb_id
    if imdb_free and (movie.imdb_id is None or mirror):
        movie.imdb_id = record.imdb_id
    for name in _FIELDS:
        value = getattr(record, name)
        if mirror or not _empty(value):
            setattr(movie, name, value)
    if mirror or not movie.title:
        movie.title = record.title
    if mirror or movie.release_date is None:
        movie.release_date = record.release_date or movie.release_date
    if mirror or movie.year is None:
        movie.year = record.year or movie.year
    after = {name: getattr(movie, name) for name in before if name != "ids"}
    after["ids"] = (movie.tmdb_id, movie.imdb_id)
    return before != after


def _named(model, names: list[str]) -> dict[str, int]:
    found = dict(model.objects.filter(name__in=names).values_list("name", "pk"))
    for name in names:
        if name not in found:
            found[name] = model.objects.get_or_create(name=name)[0].pk
    return found


def _links_set(movie: Movie, relation: str, model, names: list[str], *, exact: bool) -> bool:
    """Genres / keywords of `movie` become `names` (exact) or gain them (not exact)."""
    manager = getattr(movie, relation)
    current = set(manager.values_list("pk", flat=True))
    wanted = set(_named(model, names).values())
    extra = current - wanted if exact else set()
    missing = wanted - current
    if extra:
        manager.remove(*extra)
    if missing:
        manager.add(*missing)
    return bool(extra or missing)


def people_resolve(members: list[CastMember]) -> dict[int, int]:
    """TMDb person id → Person pk, creating or linking people. A dataset person of the same name
    without a TMDb id is taken to be the same person (as the CSV import joins by name); a name
    already held by another TMDb person gets the id appended, and the plain name as an alias."""
    ids = [m.tmdb_id for m in members]
    found = dict(Person.objects.filter(tmdb_id__in=ids).values_list("tmdb_id", "pk"))
    for member in members:
        if member.tmdb_id in found:
            continue
        namesake = Person.objects.filter(name=member.name).first()
        if namesake is not None and namesake.tmdb_id is None:
            namesake.tmdb_id = member.tmdb_id
            namesake.save(update_fields=["tmdb_id"])
            found[member.tmdb_id] = namesake.pk
            continue
        name = member.name
        if namesake is not None:
            suffix = f" ({member.tmdb_id})"
            name = member.name[: 200 - len(suffix)] + suffix
        person = Person.objects.create(name=name, tmdb_id=member.tmdb_id)
        if name != member.name:
            PersonAlias.objects.create(person=person, name=member.name)
        found[member.tmdb_id] = person.pk
    return found


def _credits_set(movie: Movie, record: MovieRecord, *, mirror: bool) -> bool:
    if not mirror and not (record.cast or record.directors):
        return False
    members = [*record.cast, *record.directors]
    person_ids = people_resolve(members)
    wanted = {}
    for role, group in ((Credit.Role.CAST, record.cast), (Credit.Role.DIRECTOR, record.directors)):
        for member in group:
            wanted[(person_ids[member.tmdb_id], role)] = (member.order, member.character)
    current = {(c.person_id, c.role): c for c in movie.credits.all()}
    changed = False
    for key, credit in current.items():
        if key not in wanted:
            credit.delete()
            changed = True
        elif (credit.order, credit.character) != wanted[key]:
            credit.order, credit.character = wanted[key]
            credit.save(update_fields=["order", "character"])
            changed = True
    for (person_id, role), (order, character) in wanted.items():
        if (person_id, role) not in current:
            Credit.objects.create(
                movie=movie, person_id=person_id, role=role, order=order, character=character
            )
            changed = True
    return changed


def _translations_set(movie: Movie, record: MovieRecord) -> bool:
    current = {t.language: t for t in movie.translations.all()}
    changed = False
    for language, entry in record.translations.items():
        row = current.get(language)
        values = {"title": entry.title, "overview": entry.overview, "tagline": entry.tagline}
        if row is None:
            MovieTranslation.objects.create(movie=movie, language=language, **values)
            changed = True
        elif not row.curated and any(getattr(row, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
            changed = True
    return changed


def movie_write(record: MovieRecord, *, now: dt.datetime) -> Written:
    """Creates or updates the movie of `record` with its genres, keywords, credits and
    translations. Call inside a transaction (the sync deletes the queue row in the same one)."""
    notes: list[str] = []
    movie, imdb_free = _find(record, notes)
    created = movie is None
    if created:
        movie = Movie(source=Movie.Source.TMDB)
    mirror = movie.source == Movie.Source.TMDB
    changed = _fields_apply(movie, record, mirror=mirror, imdb_free=imdb_free)
    movie.synced_at = now
    if changed or created:
        movie.save()
    else:
        Movie.objects.filter(pk=movie.pk).update(synced_at=now)
    related = [
        _links_set(movie, "genres", Genre, record.genres, exact=mirror),
        (mirror or bool(record.keywords))
        and _links_set(movie, "keywords", Keyword, record.keywords, exact=True),
        _credits_set(movie, record, mirror=mirror),
        _translations_set(movie, record),
    ]
    outcome = "new" if created else "updated" if changed or any(related) else "unchanged"
    return Written(outcome, movie.pk, notes)


def person_names_write(person_id: int, record: PersonRecord, *, now: dt.datetime) -> int:
    """Adds the person's other names (aliases) that are not there yet; returns how many."""
    person = Person.objects.get(pk=person_id)
    current = {a.name: a for a in person.aliases.all()}
    added = 0
    for name, language in record.aliases.items():
        if name == person.name:
            continue
        alias = current.get(name)
        if alias is None:
            PersonAlias.objects.create(person=person, name=name, language=language)
            added += 1
        elif language and alias.language != language:
            alias.language = language
            alias.save(update_fields=["language", "search_name"])
    Person.objects.filter(pk=person_id).update(synced_at=now)
    return added
