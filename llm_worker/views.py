"""The persona page (progress polled by htmx until the task is done), its correction, and the
taste chat. Every object is looked up with `user=request.user`: another user's rows are 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from movies.selectors import movies_by_ids

from .models import ChatMessage, Persona
from .services import CHAT_MAX, CORRECTION_MAX

PAGE = "llm_worker/persona.html"
CHAT_SHOWN = 30


def _free_text_field(label, *, max_length: int, rows: int) -> forms.CharField:
    # The service checks the same limit; the form says it next to the field first.
    return forms.CharField(
        label=label,
        max_length=max_length,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": gettext_lazy("Write a few words first."),
            "max_length": gettext_lazy(
                "Please keep it under %(limit_value)d characters (you wrote %(show_value)d)."
            ),
        },
    )


class ChatForm(forms.Form):
    text = _free_text_field(
        gettext_lazy("Tell us what you feel like watching"), max_length=CHAT_MAX, rows=2
    )


class CorrectionForm(forms.Form):
    text = _free_text_field(
        gettext_lazy("Is something off? Correct it in your own words"),
        max_length=CORRECTION_MAX,
        rows=3,
    )


def persona_context(persona: Persona | None) -> dict:
    """What the persona partial shows: the reasons with the movies they cite."""
    if persona is None:
        return {"persona": None}
    reasons = persona.reasons if isinstance(persona.reasons, list) else []
    cited_ids = {
        int(m)
        for r in reasons
        if isinstance(r, dict)
        for m in (r.get("movie_ids") or [])
        if str(m).isdigit()
    }
    movies = movies_by_ids(cited_ids) if cited_ids else {}
    shown = []
    for r in reasons:
        if not isinstance(r, dict):
            continue
        cited = [movies[int(m)] for m in r.get("movie_ids") or [] if str(m).isdigit()]
        shown.append({"text": r.get("text", ""), "movies": [m for m in cited if m]})
    return {"persona": persona, "reasons": shown}


def chat_context(user) -> dict:
    recent = list(ChatMessage.objects.filter(user=user).order_by("-created_at", "-pk")[:CHAT_SHOWN])
    return {"chat_messages": recent[::-1]}


@login_required
@require_GET
def persona(request: HttpRequest) -> HttpResponse:
    latest = Persona.objects.filter(user=request.user).first()
    if latest is None:
        return redirect("movies:picks")
    context = {**persona_context(latest), "correction_form": CorrectionForm()}
    return render(request, PAGE, context)


@login_required
@require_GET
def persona_poll(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(Persona, pk=pk, user=request.user)
    if row.status == Persona.Status.PENDING:
        return render(request, f"{PAGE}#persona-panel", persona_context(row))
    response = render(request, f"{PAGE}#persona-panel", persona_context(row))
    # 286 tells htmx to stop polling; the body still replaces the progress panel.
    return HttpResponseStopPolling(response.content)


@login_required
@require_POST
def persona_correct(request: HttpRequest) -> HttpResponse:
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        latest = Persona.objects.filter(user=request.user).first()
        context = {**persona_context(latest), "correction_form": form}
        return render(request, PAGE, context, status=400)
    from llm_worker.services import persona_correct as correct

    try:
        correct(user=request.user, text=form.cleaned_data["text"])
    except ValidationError as exc:  # the service's own checks, already in the user's language
        form.add_error("text", exc)
        latest = Persona.objects.filter(user=request.user).first()
        context = {**persona_context(latest), "correction_form": form}
        return render(request, PAGE, context, status=400)
    messages.success(request, _("Thanks, your correction is kept and used from now on."))
    return redirect("llm_worker:persona")


@login_required
@require_http_methods(["GET", "POST"])
def chat(request: HttpRequest) -> HttpResponse:
    """The taste chat. A message re-ranks: its answer carries the new list, swapped into the
    recommendations section out of band."""
    form = ChatForm(request.POST or None)
    if request.method == "GET":
        return render(request, "llm_worker/chat.html", {**chat_context(request.user), "form": form})
    if not form.is_valid():
        context = {**chat_context(request.user), "form": form}
        template = "llm_worker/chat.html#chat-panel" if request.htmx else "llm_worker/chat.html"
        return render(request, template, context, status=400)
    from llm_worker.services import chat_post

    try:
        _message, new_list = chat_post(user=request.user, text=form.cleaned_data["text"])
    except ValidationError as exc:  # the service's own checks, already in the user's language
        form.add_error("text", exc)
        context = {**chat_context(request.user), "form": form}
        template = "llm_worker/chat.html#chat-panel" if request.htmx else "llm_worker/chat.html"
        return render(request, template, context, status=400)
    if not request.htmx:
        return redirect("recommendations:home")
    from recommendations.views import list_section_context

    context = {
        **chat_context(request.user),
        "form": ChatForm(),
        **list_section_context(request, root=new_list),
        "oob": True,
    }
    return render(request, "llm_worker/chat.html#chat-answer", context)
