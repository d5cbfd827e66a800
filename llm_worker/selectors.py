"""Reads of the LLM layer's rows that views and services share."""

from __future__ import annotations

from .models import ChatMessage, ChatSummary, Persona

CHAT_SHOWN = 50


def current_persona(*, user) -> Persona | None:
    """The user's newest ready persona (a pending regeneration does not hide the last one)."""
    return Persona.objects.filter(user=user, status=Persona.Status.READY).first()


def latest_persona(*, user) -> Persona | None:
    """The user's newest persona in any state (what a progress page polls)."""
    return Persona.objects.filter(user=user).first()


def latest_correction(*, user) -> str:
    """The user's most recent own correction of a persona, or ""."""
    row = (
        Persona.objects.filter(user=user)
        .exclude(user_correction="")
        .values_list("user_correction", flat=True)
        .first()
    )
    return row or ""


def latest_list(*, user):
    """The user's newest recommendation list that is not a "more" page of another, or None."""
    from recommendations.models import RecommendationList

    return RecommendationList.objects.filter(user=user, parent__isnull=True).first()


def chat_history(*, user, limit: int = CHAT_SHOWN) -> list[ChatMessage]:
    """The user's last `limit` chat turns, oldest first."""
    recent = ChatMessage.objects.filter(user=user).order_by("-created_at", "-pk")[:limit]
    return list(recent)[::-1]


def chat_summary_of(*, user) -> ChatSummary | None:
    return ChatSummary.objects.filter(user=user).first()
