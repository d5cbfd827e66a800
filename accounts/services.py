"""Writes on users that more than one view makes."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from .signals import language_changed


def user_language_set(*, user, language: str) -> bool:
    """Make `language` the user's profile language; True when it changed (and announced)."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unsupported language {language!r}")
    previous = user.language
    if previous == language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    language_changed_announce(user=user, previous=previous)
    return True


def language_changed_announce(*, user, previous: str) -> None:
    """Tell the apps above that `user` now reads `user.language` (was `previous`), once the
    transaction commits, so what follows (a persona rewritten in the new language) reads the
    saved row."""
    transaction.on_commit(
        lambda: language_changed.send(sender=type(user), user=user, previous=previous)
    )
