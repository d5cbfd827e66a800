"""Reads the recommender needs from the catalogue: the training data (every rating and pick,
user demographics, item metadata) in the plain engine's types, and the active model row."""

from __future__ import annotations

import functools
from collections import defaultdict

import numpy as np
from django.db import connection

from movies.models import Credit, Movie, Rating

from .engine.data import Interactions, ItemInfo, UserInfo
from .models import Feedback, ModelVersion, RecommendationList


def training_interactions() -> Interactions:
    """Every interaction in the catalogue (dataset ratings and site picks), ids = primary
    keys, timestamps in seconds."""
    rows = Rating.objects.values_list("user_id", "movie_id", "rating", "timestamp").iterator(
        chunk_size=20_000
    )
    users, items, ratings, stamps = [], [], [], []
    for user_id, movie_id, rating, ts in rows:
        users.append(user_id)
        items.append(movie_id)
        ratings.append(rating if rating is not None else 0.0)
        stamps.append(int(ts.timestamp()))
    return Interactions(
        np.asarray(users, dtype=np.int64),
        np.asarray(items, dtype=np.int64),
        np.asarray(ratings, dtype=np.float32),
        np.asarray(stamps, dtype=np.int64),
    )


def training_users(user_ids) -> dict[int, UserInfo]:
    from django.contrib.auth import get_user_model

    rows = get_user_model().objects.filter(pk__in=list(user_ids))
    return {
        pk: UserInfo(age, gender, occupation)
        for pk, age, gender, occupation in rows.values_list("pk", "age", "gender", "occupation")
    }


def user_info(user) -> UserInfo:
    return UserInfo(user.age, user.gender or "", user.occupation or "")


def training_items(*, movie_ids=None) -> dict[int, ItemInfo]:
    """Side features of every catalogue movie (or of `movie_ids`, at most a few hundred):
    genres, year, director(s), top cast, keywords, original language."""
    some = {} if movie_ids is None else {"movie_id__in": list(movie_ids)}
    genres, keywords = defaultdict(list), defaultdict(list)
    links = Movie.genres.through.objects.filter(**some)
    for movie_id, name in links.values_list("movie_id", "genre__name"):
        genres[movie_id].append(name)
    links = Movie.keywords.through.objects.filter(**some)
    for movie_id, name in links.values_list("movie_id", "keyword__name"):
        keywords[movie_id].append(name)
    directors, cast = defaultdict(list), defaultdict(list)
    credits = Credit.objects.filter(**some).order_by("movie_id", "order")
    for movie_id, role, name in credits.values_list("movie_id", "role", "person__name"):
        (directors if role == Credit.Role.DIRECTOR else cast)[movie_id].append(name)
    movies = Movie.objects.filter(**({"pk__in": some["movie_id__in"]} if some else {}))
    items = {}
    for pk, title, year, lang in movies.values_list("pk", "title", "year", "original_language"):
        items[pk] = ItemInfo(
            title=title,
            year=year,
            genres=sorted(genres[pk]),
            directors=directors[pk],
            cast=cast[pk],
            keywords=sorted(keywords[pk]),
            language=lang or "",
        )
    return items


def active_model_version() -> tuple[int, str] | None:
    """(id, artifact path) of the active, ready version, or None."""
    return (
        ModelVersion.objects.filter(is_active=True, status=ModelVersion.Status.READY)
        .values_list("pk", "artifact_path")
        .first()
    )


@functools.cache
def _list_state_sql() -> str:
    lists, feedback = RecommendationList._meta.db_table, Feedback._meta.db_table
    per_status = ", ".join(
        f"SUM(CASE WHEN status = '{s}' THEN 1 ELSE 0 END)" for s in RecommendationList.Status.values
    )
    return f"""
        WITH root AS (
            SELECT id FROM {lists} WHERE user_id = %(u)s AND parent_id IS NULL
            ORDER BY created_at DESC, id DESC LIMIT 1),
        pages AS (
            SELECT COUNT(*) AS n, MAX(id) AS last, {per_status}
            FROM {lists} WHERE id IN (SELECT id FROM root) OR parent_id IN (SELECT id FROM root))
        SELECT (SELECT id FROM root), pages.*,
            (SELECT COUNT(*) FROM {feedback} WHERE user_id = %(u)s),
            (SELECT MAX(created_at) FROM {feedback} WHERE user_id = %(u)s)
        FROM pages"""


def list_state(*, user) -> tuple | None:
    """The user's newest list and how many of its pages are in each state, and their feedback,
    in one query (a page cache keys on it). None: the user has no list yet."""
    with connection.cursor() as cursor:
        cursor.execute(_list_state_sql(), {"u": user.pk})
        row = cursor.fetchone()
    return None if row is None or row[0] is None else tuple(row)


def liked_movie_ids(*, user) -> set[int]:
    """Movies the user marked "like" on a card."""
    return set(
        Feedback.objects.filter(user=user, kind=Feedback.Kind.LIKE).values_list(
            "movie_id", flat=True
        )
    )
