"""The persona page (progress polled by htmx until the task is done) and its correction. Every
object is looked up with `user=request.user`: another user's rows are 404. The taste chat, which
produces lists, is a page of the recommendations app."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from movies.selectors import movies_by_ids

from .forms import CorrectionForm
from .models import Persona
from .selectors import latest_persona
from .services import persona_correct as correct

PAGE = "llm_worker/persona.html"


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


@login_required
@require_GET
def persona(request: HttpRequest) -> HttpResponse:
    latest = latest_persona(user=request.user)
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
        latest = latest_persona(user=request.user)
        context = {**persona_context(latest), "correction_form": form}
        return render(request, PAGE, context, status=400)
    try:
        correct(user=request.user, text=form.cleaned_data["text"])
    except ValidationError as exc:  # the service's own checks, already in the user's language
        form.add_error("text", exc)
        latest = latest_persona(user=request.user)
        context = {**persona_context(latest), "correction_form": form}
        return render(request, PAGE, context, status=400)
    messages.success(request, _("Thanks, your correction is kept and used from now on."))
    return redirect("llm_worker:persona")
