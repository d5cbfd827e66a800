"""Per-user rate limit on the actions that start LLM work (persona, chat, new lists).

A fixed window counter in the cache: one key per (action, user, window), created with the
window as its timeout and incremented atomically. With the Redis cache (`CACHE_URL=redis://…`,
as docker-compose sets it) every web process shares the count; with the laptop default
(local memory) each process counts on its own, which is good enough for one `runserver`.

The limit comes from `settings.LLM_RATE_LIMIT` ("20/h", "5/m", "100/d", "0/h" disables the
actions, "" or "off" turns the limit off). A refusal raises `RateLimited`, a `ValidationError`
whose message is already in the user's language, so a view that shows a service's validation
errors next to the field shows this one too; `llecommend_site.middleware` answers any other
view that lets it escape with a 429 page.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import translation
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
ACTIONS = ("persona", "chat", "list")


@dataclass(frozen=True)
class Rate:
    limit: int  # actions allowed per window
    window_s: int


def rate_parse(text: str) -> Rate | None:
    """'20/h' → Rate(20, 3600); '10/5m' → Rate(10, 300); '' or 'off' → None (no limit)."""
    text = (text or "").strip().lower()
    if text in ("", "off", "none"):
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*(\d*)\s*([smhd])", text)
    if match is None:
        raise ImproperlyConfigured(
            f"LLM_RATE_LIMIT={text!r}: expected a count per period such as '20/h' or '10/5m'"
        )
    count, multiple, unit = match.groups()
    return Rate(limit=int(count), window_s=int(multiple or 1) * PERIODS[unit])


class RateLimited(ValidationError):
    """Too many LLM actions in the window. `message` is translated; `retry_after_s` says when
    the window ends."""

    def __init__(self, message: str, *, retry_after_s: int, action: str):
        super().__init__(message, code="rate_limited")
        self.retry_after_s = retry_after_s
        self.action = action


def _message(user, retry_after_s: int) -> str:
    minutes = max(1, (retry_after_s + 59) // 60)
    language = getattr(user, "language", "")
    if language not in ("ko", "en"):
        language = translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        return ngettext(
            "You have asked for a lot of new recommendations in a short time. "
            "Please try again in %(minutes)d minute.",
            "You have asked for a lot of new recommendations in a short time. "
            "Please try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}


def rate_limit_check(*, user, action: str) -> None:
    """Count one `action` for `user`; raise `RateLimited` when it is over the limit of the
    current window. Each of the three actions has its own budget. Anonymous users are never
    here (every LLM action needs a login)."""
    rate = rate_parse(settings.LLM_RATE_LIMIT)
    if rate is None or user is None or not getattr(user, "pk", None):
        return
    now = time.time()
    window = int(now // rate.window_s)
    key = f"ratelimit:{action}:{user.pk}:{rate.window_s}:{window}"
    # add() is a no-op when the key exists; incr() is atomic on Redis and memcached.
    cache.add(key, 0, timeout=rate.window_s + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add() and incr(): start the window again
        cache.set(key, 1, timeout=rate.window_s + 5)
        count = 1
    if count <= rate.limit:
        return
    retry_after = int((window + 1) * rate.window_s - now) + 1
    logger.warning(
        "rate limit: user %s refused %s (%d in the %ds window, limit %d)",
        user.pk,
        action,
        count,
        rate.window_s,
        rate.limit,
    )
    raise RateLimited(_message(user, retry_after), retry_after_s=retry_after, action=action)
