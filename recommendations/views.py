"""The recommendations page (persona, cards, "more", "surprise me", like / not interested,
taste chat), its polling partials and the history of past lists."""

from __future__ import annotations

import hashlib

from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from llm_worker.selectors import latest_persona, llm_state
from llm_worker.views import persona_context
from movies.models import Rating
from movies.selectors import hidden_movie_ids

from . import selectors
from .cards import (
    PAGE,
    cards_html,
    csrf_secret_digest,
    has_csrf_cookie,
    list_section_context,
    page_context,
)
from .list_flow import recommendation_list_request
from .models import Feedback, RecommendationItem, RecommendationList
from .services import feedback_set

LIST_SIZE = 10
SURPRISE_NOVELTY = 0.8
HOME_CACHE_SECONDS = 600


def _home_state(user) -> tuple | None:
    """Everything the page depends on (the page is served from the cache while it holds): the
    newest list and its pages' states, the feedback, the newest persona, the last chat turn,
    the movies curators hid. None: the user has no list yet."""
    lists = selectors.list_state(user=user)
    if lists is None:
        return None
    return (*lists, *llm_state(user=user), tuple(sorted(hidden_movie_ids())))


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
    cacheable = state is not None and has_csrf_cookie(request) and not len(get_messages(request))
    key = None
    if cacheable:
        digest = hashlib.sha256(repr((state, request.get_full_path())).encode()).hexdigest()[:24]
        secret = csrf_secret_digest(request)
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
    from .chat_views import ChatForm, chat_context

    user = request.user
    root = RecommendationList.objects.filter(user=user, parent=None).first()
    return {
        **list_section_context(request, root=root),
        **persona_context(latest_persona(user=user)),
        **chat_context(user),
        "form": ChatForm(),
    }


@login_required
@require_POST
def list_new(request: HttpRequest) -> HttpResponse:
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
