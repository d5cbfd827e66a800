"""Reads of the LLM layer's rows that views and services share."""

from __future__ import annotations

import functools

from django.db import connection

from .models import ChatMessage, Persona

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


def chat_history(*, user, limit: int = CHAT_SHOWN) -> list[ChatMessage]:
    """The user's last `limit` chat turns, oldest first."""
    recent = ChatMessage.objects.filter(user=user).order_by("-created_at", "-pk")[:limit]
    return list(recent)[::-1]


@functools.cache
def _llm_state_sql() -> str:
    personas, chat = Persona._meta.db_table, ChatMessage._meta.db_table
    newest = f"FROM {personas} WHERE user_id = %(u)s ORDER BY created_at DESC, id DESC LIMIT 1"
    return f"""
        SELECT (SELECT id {newest}), (SELECT status {newest}), (SELECT user_correction {newest}),
            (SELECT MAX(id) FROM {chat} WHERE user_id = %(u)s)"""


def llm_state(*, user) -> tuple:
    """What a page built from this layer's rows depends on, in one query: the newest persona's
    id, status and correction, and the last chat turn's id. A page cache keys on it."""
    with connection.cursor() as cursor:
        cursor.execute(_llm_state_sql(), {"u": user.pk})
        return tuple(cursor.fetchone())
