"""Picking watched movies: search as you type, a popular grid grouped by genre, chips.

Picks are `Rating(source="pick", rating=None)` rows, saved as soon as they are added so a
reload or another device loses nothing. With htmx the search, add and remove answer with
partials; without JavaScript the same URLs answer with the whole page or a redirect."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import selectors
from .describe import genre_name
from .models import Movie, Rating, normalize_title

SEARCH_LIMIT = 12
GRID_GENRES = 6
GRID_PER_GENRE = 8
QUERY_MAX = 100
SEARCH_CACHE_SECONDS = 60
PAGE = "movies/picks.html"


def _picks_of(user) -> list[Rating]:
    picks = list(
        Rating.objects.filter(user=user, source=Rating.Source.PICK)
        .select_related("movie")
        .order_by("timestamp", "pk")
    )
    # Chips show each movie's title in the user's language (`display_title`).
    selectors.with_display_titles([p.movie for p in picks], language=translation.get_language())
    return picks


def _popular_by_genre() -> list[tuple[str, list[Movie]]]:
    groups = selectors.movies_popular_by_genre(genres=GRID_GENRES, per_genre=GRID_PER_GENRE)
    if not groups:
        groups = [(_("Popular"), selectors.movies_popular(limit=GRID_PER_GENRE * 2))]
    language = translation.get_language()
    movies = [m for _name, group in groups for m in group]
    selectors.with_display_titles(movies, language=language)
    return [(genre_name(name, language), group) for name, group in groups]


def _search(query: str) -> list[Movie]:
    """Search-as-you-type sends the same few prefixes from every user: their results are
    cached briefly (a newly hidden movie can linger for at most SEARCH_CACHE_SECONDS), per
    language because each result carries its title in the user's language."""
    words = normalize_title(query[:QUERY_MAX])
    if not words:
        return []
    language = translation.get_language()
    key = f"movie-search:v3:{language}:" + hashlib.sha256(words.encode()).hexdigest()[:24]
    found = cache.get(key)
    if found is None:
        found = selectors.movie_search(query=words, limit=SEARCH_LIMIT, language=language)
        cache.set(key, found, SEARCH_CACHE_SECONDS)
    return found


def picks_page(request: HttpRequest, *, query: str = "", error: str = "", status: int = 200):
    """The picks page: the user's picks, a search, popular movies by genre, and `error`."""
    picks = _picks_of(request.user)
    context = {
        "picks": picks,
        "picked_ids": {p.movie_id for p in picks},
        "query": query,
        "results": _search(query) if query else [],
        "groups": _popular_by_genre(),
        "search_example": selectors.movie_search_example(
            language=translation.get_language(), limit=SEARCH_LIMIT
        ),
        "error": error,
        "add_url": reverse("movies:pick_add"),
    }
    return render(request, PAGE, context, status=status)


def _chips(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    picks = _picks_of(request.user)
    context = {"picks": picks, "picked_ids": {p.movie_id for p in picks}, "error": error}
    return render(request, f"{PAGE}#chips", context, status=status)


@login_required
@require_GET
def picks(request: HttpRequest) -> HttpResponse:
    return picks_page(request, query=request.GET.get("q", "").strip())


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    if not request.htmx:
        return picks_page(request, query=query)
    results = _search(query) if query else []
    picked = selectors.picked_among(user=request.user, movie_ids=[m.pk for m in results])
    # The partial depends on the query, which results are picked, the language and the CSRF
    # secret its forms carry: rendered once per combination, then served from the cache.
    get_token(request)
    state = (query, sorted(picked), translation.get_language(), request.META.get("CSRF_COOKIE"))
    key = "search-html:v1:" + hashlib.sha256(repr(state).encode()).hexdigest()[:32]
    html = cache.get(key)
    if html is None:
        context = {
            "query": query,
            "results": results,
            "picked_ids": picked,
            "add_url": reverse("movies:pick_add"),
        }
        html = render_to_string(f"{PAGE}#results", context, request=request)
        # Without the CSRF cookie the secret is new on every request: nothing to reuse.
        if settings.CSRF_COOKIE_NAME in request.COOKIES:
            cache.set(key, html, SEARCH_CACHE_SECONDS)
    return HttpResponse(html)


def _pick_error(raw: str) -> tuple[Movie | None, str]:
    try:
        movie_id = int(raw)
    except (TypeError, ValueError):
        return None, _("That is not a movie of our catalogue.")
    movie = Movie.objects.filter(pk=movie_id).first()
    if movie is None:
        return None, _("That is not a movie of our catalogue.")
    if movie.hidden:
        return None, _("“%(title)s” cannot be picked.") % {"title": movie.title}
    return movie, ""


@login_required
@require_POST
def pick_add(request: HttpRequest) -> HttpResponse:
    movie, error = _pick_error(request.POST.get("movie_id", ""))
    if movie is not None:
        # A dataset rating of the same movie stays as it is: the unique (user, movie) pair.
        Rating.objects.get_or_create(
            user=request.user,
            movie=movie,
            defaults={"source": Rating.Source.PICK, "rating": None, "timestamp": timezone.now()},
        )
    if request.htmx:
        return _chips(request, error=error, status=400 if error else 200)
    if error:
        messages.error(request, error)
    # Without JavaScript the page comes back with the same search, so the next pick is a click.
    query = request.POST.get("q", "").strip()[:QUERY_MAX]
    return redirect(
        f"{reverse('movies:picks')}?{urlencode({'q': query})}" if query else "movies:picks"
    )


@login_required
@require_POST
def pick_remove(request: HttpRequest, movie_id: int) -> HttpResponse:
    pick = get_object_or_404(
        Rating, user=request.user, movie_id=movie_id, source=Rating.Source.PICK
    )
    pick.delete()
    if request.htmx:
        return _chips(request)
    return redirect("movies:picks")
