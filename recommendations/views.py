"""The recommendations page (persona, cards, "more", "surprise me", like / not interested,
taste chat), its polling partials and the history of past lists."""

from __future__ import annotations

import functools
import hashlib
from urllib.parse import quote_plus

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from movies.models import Movie, Rating
from movies.selectors import movie_cards

from .models import Feedback, RecommendationItem, RecommendationList

PAGE = "recommendations/home.html"
LIST_SIZE = 10
SURPRISE_NOVELTY = 0.8
CARD_CACHE_SECONDS = 600
HOME_CACHE_SECONDS = 600


# -- card data -----------------------------------------------------------------------------------
def _watch_url(title: str, year: int | None, language: str) -> str:
    """A search for "title year" on a public where-to-watch site."""
    country = "kr" if language == "ko" else "us"
    query = quote_plus(f"{title} {year}" if year else title)
    return f"https://www.justwatch.com/{country}/search?q={query}"


def _list_pages(root: RecommendationList) -> list[RecommendationList]:
    return [root, *root.pages.order_by("created_at", "pk")]


def item_views(user, items: list[RecommendationItem], *, feedback: dict[int, str]) -> list[dict]:
    """Everything a card template needs, read with a handful of queries for all items."""
    movie_ids = [i.movie_id for i in items]
    because_ids = {m for i in items for m in (i.because_movie_ids or []) if isinstance(m, int)}
    cards = movie_cards(movie_ids=movie_ids) if movie_ids else {}
    because = (
        dict(Movie.objects.filter(pk__in=because_ids).values_list("pk", "title"))
        if because_ids
        else {}
    )
    language = translation.get_language()
    out = []
    for item in items:
        card = cards.get(item.movie_id)
        if card is None:
            continue
        out.append(
            {
                "item": item,
                "card": card,
                "because": [because[m] for m in item.because_movie_ids or [] if m in because],
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
    secret = _csrf_secret_digest(request)
    language = translation.get_language()
    keys = {
        i.pk: f"card:v1:{i.pk}:{feedback.get(i.movie_id, '')}:{language}:{secret}" for i in items
    }
    found = cache.get_many(list(keys.values()))
    missing = [i for i in items if keys[i.pk] not in found]
    fresh = {}
    for view in item_views(request.user, missing, feedback=feedback):
        html = render_to_string(f"{PAGE}#card", {"c": view}, request=request)
        fresh[keys[view["item"].pk]] = html
    if fresh and _has_csrf_cookie(request):
        cache.set_many(fresh, CARD_CACHE_SECONDS)
    found.update(fresh)
    # Our own autoescaped template rendered these: safe to insert as they are.
    return {pk: mark_safe(found[key]) for pk, key in keys.items() if key in found}


def _pages_context(request: HttpRequest, pages: list[RecommendationList]) -> list[dict]:
    ready = [p.pk for p in pages if p.status == RecommendationList.Status.READY]
    items = list(
        RecommendationItem.objects.filter(recommendation_list_id__in=ready).order_by(
            "recommendation_list_id", "rank"
        )
    )
    html = cards_html(request, items)
    out = []
    for page in pages:
        own = [html[i.pk] for i in items if i.recommendation_list_id == page.pk and i.pk in html]
        out.append({"page": page, "cards": own, "by_llm": page.engine.startswith("llm")})
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


# -- views ---------------------------------------------------------------------------------------
def _has_csrf_cookie(request: HttpRequest) -> bool:
    # A client without the cookie gets a fresh secret on every request: caching what was
    # rendered for it would only fill the cache with entries nobody asks for again.
    return settings.CSRF_COOKIE_NAME in request.COOKIES


def _csrf_secret_digest(request: HttpRequest) -> str:
    get_token(request)  # makes sure the request has its CSRF secret before we key on it
    return hashlib.sha256(request.META.get("CSRF_COOKIE", "").encode()).hexdigest()[:16]


@functools.cache
def _home_state_sql() -> str:
    from llm_worker.models import ChatMessage, Persona

    lists, feedback = RecommendationList._meta.db_table, Feedback._meta.db_table
    personas, chat = Persona._meta.db_table, ChatMessage._meta.db_table
    per_status = ", ".join(
        f"SUM(CASE WHEN status = '{s}' THEN 1 ELSE 0 END)" for s in RecommendationList.Status.values
    )
    newest_persona = (
        f"FROM {personas} WHERE user_id = %(u)s ORDER BY created_at DESC, id DESC LIMIT 1"
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
            (SELECT MAX(created_at) FROM {feedback} WHERE user_id = %(u)s),
            (SELECT id {newest_persona}),
            (SELECT status {newest_persona}),
            (SELECT user_correction {newest_persona}),
            (SELECT MAX(id) FROM {chat} WHERE user_id = %(u)s)
        FROM pages"""


def _home_state(user) -> tuple | None:
    """Everything the page depends on, in one query (the page is served from the cache while
    it holds): the newest list and how many of its pages are in each state, the feedback, the
    newest persona, the last chat turn. None: the user has no list yet."""
    with connection.cursor() as cursor:
        cursor.execute(_home_state_sql(), {"u": user.pk})
        row = cursor.fetchone()
    return None if row is None or row[0] is None else tuple(row)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The newest persona and list, the taste chat. The whole page is rendered once per state
    (see `_home_state`), language and CSRF secret, then served from the cache until something
    changes; a page that carries a one-time message is never cached."""
    if not request.user.is_authenticated:
        return render(request, "recommendations/landing.html")
    user = request.user
    state = _home_state(user)
    if state is None and not Rating.objects.filter(user=user).exists():
        return redirect("movies:picks")
    cacheable = state is not None and _has_csrf_cookie(request) and not len(get_messages(request))
    key = None
    if cacheable:
        digest = hashlib.sha256(repr((state, request.get_full_path())).encode()).hexdigest()[:24]
        secret = _csrf_secret_digest(request)
        key = f"home:v2:{user.pk}:{translation.get_language()}:{secret}:{digest}"
        page = cache.get(key)
        if page is not None:
            return HttpResponse(page)
    body = render_to_string(f"{PAGE}#home-content", _home_context(request), request=request)
    # Our own autoescaped template rendered the body: safe to insert as it is.
    response = render(request, PAGE, {"home_body": mark_safe(body)})
    if key is not None:
        cache.set(key, response.content.decode(), HOME_CACHE_SECONDS)
    return response


def _home_context(request: HttpRequest) -> dict:
    from llm_worker.models import Persona
    from llm_worker.views import ChatForm, chat_context, persona_context

    user = request.user
    root = RecommendationList.objects.filter(user=user, parent=None).first()
    return {
        **list_section_context(request, root=root),
        **persona_context(Persona.objects.filter(user=user).first()),
        **chat_context(user),
        "form": ChatForm(),
    }


@login_required
@require_POST
def list_new(request: HttpRequest) -> HttpResponse:
    from .services import recommendation_list_request

    novelty = SURPRISE_NOVELTY if request.POST.get("surprise") else 0.0
    root = recommendation_list_request(user=request.user, k=LIST_SIZE, novelty=novelty)
    if request.htmx:
        root.refresh_from_db()
        context = list_section_context(request, root=root)
        return render(request, f"{PAGE}#list-section", context)
    return redirect("recommendations:home")


@login_required
@require_POST
def list_more(request: HttpRequest, pk: int) -> HttpResponse:
    root = get_object_or_404(RecommendationList, pk=pk, user=request.user, parent=None)
    from .services import recommendation_list_request

    # Shown movies are excluded by the recommender, so the next page never repeats one.
    page = recommendation_list_request(
        user=request.user, k=LIST_SIZE, novelty=root.novelty, parent=root
    )
    if request.htmx:
        page.refresh_from_db()
        return render(request, f"{PAGE}#list-page", page_context(request, page))
    return redirect("recommendations:home")


@login_required
@require_GET
def list_poll(request: HttpRequest, pk: int) -> HttpResponse:
    page = get_object_or_404(RecommendationList, pk=pk, user=request.user)
    response = render(request, f"{PAGE}#list-page", page_context(request, page))
    if page.status == RecommendationList.Status.PENDING:
        return response
    return HttpResponseStopPolling(response.content)


@login_required
@require_POST
def item_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        RecommendationItem.objects.select_related("recommendation_list"),
        pk=pk,
        recommendation_list__user=request.user,
    )
    kind = request.POST.get("kind", "")
    if kind not in Feedback.Kind.values:
        raise Http404("unknown feedback kind")
    from .services import feedback_set

    feedback_set(user=request.user, movie_id=item.movie_id, kind=kind)
    if request.htmx:
        card = cards_html(request, [item]).get(item.pk, "")
        return HttpResponse(card)
    return redirect("recommendations:home")


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    lists = RecommendationList.objects.filter(user=request.user).prefetch_related("items__movie")
    page = Paginator(lists, 10).get_page(request.GET.get("page"))
    movie_ids = {i.movie_id for lst in page for i in lst.items.all()}
    feedback = dict(
        Feedback.objects.filter(user=request.user, movie_id__in=movie_ids).values_list(
            "movie_id", "kind"
        )
    )
    rows = [
        {
            "list": lst,
            "items": [
                {"item": i, "feedback": feedback.get(i.movie_id, "")} for i in lst.items.all()
            ],
        }
        for lst in page
    ]
    return render(request, "recommendations/history.html", {"page_obj": page, "rows": rows})
