"""The pages that start a list flow from something the user said or did: the taste chat (each
message re-ranks the list) and the end of onboarding ("picks done": a persona, then a list)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from llm_worker.chat import CHAT_MAX
from llm_worker.forms import free_text_field
from llm_worker.selectors import chat_history
from llm_worker.services import persona_request
from movies.selectors import watched_movie_ids
from movies.views import picks_page

from .cards import list_section_context
from .chat import chat_post
from .list_flow import DEFAULT_K, recommendation_list_request
from .models import RecommendationList

CHAT_PAGE = "recommendations/chat.html"
CHAT_SHOWN = 30


class ChatForm(forms.Form):
    text = free_text_field(
        gettext_lazy("Tell us what you feel like watching"), max_length=CHAT_MAX, rows=2
    )


def chat_context(user) -> dict:
    return {"chat_messages": chat_history(user=user, limit=CHAT_SHOWN)}


def _chat_page(request: HttpRequest, form: ChatForm, *, status: int = 200) -> HttpResponse:
    """The whole chat page (the panel and the list it re-ranks), or only the panel for htmx."""
    context = {**chat_context(request.user), "form": form}
    if request.htmx:
        return render(request, f"{CHAT_PAGE}#chat-panel", context, status=status)
    root = RecommendationList.objects.filter(user=request.user, parent=None).first()
    context.update(list_section_context(request, root=root))
    return render(request, CHAT_PAGE, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def chat(request: HttpRequest) -> HttpResponse:
    """The taste chat. A message re-ranks: its answer carries the new list, swapped into the
    list section out of band (on this page and on the recommendations page alike)."""
    if request.method == "GET":
        return _chat_page(request, ChatForm())
    form = ChatForm(request.POST)
    if not form.is_valid():
        return _chat_page(request, form, status=400)
    try:
        _message, new_list = chat_post(user=request.user, text=form.cleaned_data["text"])
    except ValidationError as exc:  # the service's own checks, already in the user's language
        form.add_error("text", exc)
        return _chat_page(request, form, status=400)
    if not request.htmx:
        return redirect("recommendations:home")
    context = {
        **chat_context(request.user),
        "form": ChatForm(),
        **list_section_context(request, root=new_list),
        "oob": True,
    }
    return render(request, f"{CHAT_PAGE}#chat-answer", context)


@login_required
@require_POST
def picks_done(request: HttpRequest) -> HttpResponse:
    """The end of onboarding: the persona inferred from the picks, then a first list."""
    if not watched_movie_ids(user=request.user):
        return picks_page(request, error=_("Pick at least one movie you have watched."), status=400)
    # The persona first: a worker that takes tasks in order writes it before the list that
    # reads it; both run after this transaction commits.
    with transaction.atomic():
        persona_request(user=request.user)
        recommendation_list_request(user=request.user, k=DEFAULT_K)
    return redirect("llm_worker:persona")
