"""The recommendation cards and list sections as the pages render them: everything a card
shows (the movie, why it was picked, the user's feedback), rendered once per state and served
from the cache."""

from __future__ import annotations

import hashlib
from urllib.parse import quote_plus

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from movies.models import Movie
from movies.selectors import hidden_movie_ids, localized_titles, movie_cards
from movies.selectors import liked_movie_ids as rated_liked

from .models import Feedback, RecommendationItem, RecommendationList
from .selectors import liked_movie_ids

PAGE = "recommendations/home.html"
CARD_CACHE_SECONDS = 600


# -- card data -----------------------------------------------------------------------------------
# The where-to-watch site's regional edition for each site language.
WATCH_REGION = {"ko": "kr", "en": "us"}


def _watch_url(title: str, year: int | None, language: str) -> str:
    """A search for "title year" on a public where-to-watch site."""
    country = WATCH_REGION.get(language, "us")
    query = quote_plus(f"{title} {year}" if year else title)
    return f"https://www.justwatch.com/{country}/search?q={query}"


def _list_pages(root: RecommendationList) -> list[RecommendationList]:
    return [root, *root.pages.order_by("created_at", "pk")]


def item_views(user, items: list[RecommendationItem], *, feedback: dict[int, str]) -> list[dict]:
    """Everything a card template needs, read with a handful of queries for all items."""
    movie_ids = [i.movie_id for i in items]
    because_ids = {m for i in items for m in (i.because_movie_ids or []) if isinstance(m, int)}
    language = translation.get_language()
    cards = movie_cards(movie_ids=movie_ids, language=language) if movie_ids else {}
    because = (
        dict(Movie.objects.filter(pk__in=because_ids).values_list("pk", "title"))
        | localized_titles(movie_ids=because_ids, language=language)
        if because_ids
        else {}
    )
    # "liked" only for what the user liked (a like, or a rating of 4 or more), else "watched".
    liked = (liked_movie_ids(user=user) | rated_liked(user=user)) if because_ids else set()
    out = []
    for item in items:
        card = cards.get(item.movie_id)
        if card is None:
            continue
        nearest = [m for m in item.because_movie_ids or [] if m in because]
        out.append(
            {
                "item": item,
                "reason": item.reason_in(language),
                "card": card,
                "because_liked": [because[m] for m in nearest if m in liked],
                "because_watched": [because[m] for m in nearest if m not in liked],
                "feedback": feedback.get(item.movie_id, ""),
                "watch_url": _watch_url(card.title, card.year, language),
            }
        )
    return out


def _feedback_of(user, items: list[RecommendationItem]) -> dict[int, str]:
    movie_ids = [i.movie_id for i in items]
    rows = Feedback.objects.filter(user=user, movie_id__in=movie_ids)
    return dict(rows.values_list("movie_id", "kind"))


def cards_html(request: HttpRequest, items: list[RecommendationItem]) -> dict[int, str]:
    """item id → its rendered card. A shown item never changes but for the user's feedback, so
    each card is rendered once per (item, feedback, language, CSRF secret) and then served from
    the cache: the page's cost stops growing with the catalogue's credits and the card
    template. The CSRF secret is in the key because the card's forms carry a token for it."""
    if not items:
        return {}
    feedback = _feedback_of(request.user, items)
    secret = csrf_secret_digest(request)
    language = translation.get_language()
    keys = {
        i.pk: f"card:v4:{i.pk}:{feedback.get(i.movie_id, '')}:{language}:{secret}" for i in items
    }
    found = cache.get_many(list(keys.values()))
    missing = [i for i in items if keys[i.pk] not in found]
    fresh = {}
    for view in item_views(request.user, missing, feedback=feedback):
        html = render_to_string(f"{PAGE}#card", {"c": view}, request=request)
        fresh[keys[view["item"].pk]] = html
    if fresh and has_csrf_cookie(request):
        cache.set_many(fresh, CARD_CACHE_SECONDS)
    found.update(fresh)
    # Our own autoescaped template rendered these: safe to insert as they are.
    return {pk: mark_safe(found[key]) for pk, key in keys.items() if key in found}


def _pages_context(request: HttpRequest, pages: list[RecommendationList]) -> list[dict]:
    ready = [p.pk for p in pages if p.status == RecommendationList.Status.READY]
    # A movie hidden since the list was made leaves it at once (curation beats the cache).
    items = list(
        RecommendationItem.objects.filter(recommendation_list_id__in=ready)
        .exclude(movie_id__in=hidden_movie_ids())
        .order_by("recommendation_list_id", "rank")
    )
    html = cards_html(request, items)
    out = []
    for page in pages:
        own = [html[i.pk] for i in items if i.recommendation_list_id == page.pk and i.pk in html]
        # After a language switch the cards show the reasons the grounded engine wrote in the
        # new language: the model's words are only those in the list's own language.
        language = translation.get_language()
        regrounded = page.language != language and any(
            language in (i.reason_translations or {})
            for i in items
            if i.recommendation_list_id == page.pk
        )
        by_llm = page.engine.startswith("llm") and not regrounded
        out.append({"page": page, "cards": own, "by_llm": by_llm})
    return out


def page_context(request: HttpRequest, page: RecommendationList) -> dict:
    (context,) = _pages_context(request, [page])
    return context


def list_section_context(request: HttpRequest, *, root: RecommendationList | None) -> dict:
    if root is None:
        return {"root": None, "pages": []}
    if root.parent_id:
        root = root.parent
    return {"root": root, "pages": _pages_context(request, _list_pages(root))}


# -- cache keys -----------------------------------------------------------------------------------
def has_csrf_cookie(request: HttpRequest) -> bool:
    # A client without the cookie gets a fresh secret on every request: caching what was
    # rendered for it would only fill the cache with entries nobody asks for again.
    return settings.CSRF_COOKIE_NAME in request.COOKIES


def csrf_secret_digest(request: HttpRequest) -> str:
    get_token(request)  # makes sure the request has its CSRF secret before we key on it
    return hashlib.sha256(request.META.get("CSRF_COOKIE", "").encode()).hexdigest()[:16]
