"""Reads of the catalogue that several parts of the site share."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import Movie, Rating, normalize_title


def visible_movies() -> QuerySet[Movie]:
    return Movie.objects.filter(hidden=False)


def movie_search(*, query: str, limit: int = 20) -> list[Movie]:
    """Visible movies whose title or original title contains every word of `query`
    (accents, case and punctuation ignored), most-rated first."""
    words = normalize_title(query).split()
    if not words:
        return []
    qs = visible_movies()
    for word in words:
        qs = qs.filter(search_title__contains=word)
    return list(qs.order_by("-num_ratings", "title")[:limit])


def movies_popular(*, limit: int = 48, genre: str | None = None) -> list[Movie]:
    qs = visible_movies()
    if genre:
        qs = qs.filter(genres__name=genre)
    return list(qs.order_by("-num_ratings", "title")[:limit])


def movies_by_ids(movie_ids: Iterable[int]) -> dict[int, Movie]:
    return {m.pk: m for m in Movie.objects.filter(pk__in=list(movie_ids))}


def watched_movie_ids(*, user) -> list[int]:
    """The user's interactions (dataset ratings or site picks), oldest first."""
    return list(
        Rating.objects.filter(user=user)
        .order_by("timestamp", "pk")
        .values_list("movie_id", flat=True)
    )
