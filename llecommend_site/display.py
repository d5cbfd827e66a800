"""How numbers, times and stored JSON read for people (the admin, object names): rounded, in
local time, and JSON as nested lists rather than raw brackets and quotes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

EMPTY = "—"


def local_minute(value: dt.datetime | None) -> str:
    """'2026-11-30 14:05' in the site's time zone: the same order in Korean and English, and
    precise enough to tell a user's personas or lists apart."""
    if value is None:
        return EMPTY
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def rounded(value: float | None, places: int = 2) -> str:
    """`value` with `places` decimals (4.164133738601824 -> "4.16"), in the active locale."""
    if value is None:
        return EMPTY
    return formats.number_format(round(value, places), places)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        # Metrics and learning rates: four decimals say enough, trailing zeros say nothing.
        return f"{round(value, 4):g}"
    if value is None or value == "":
        return EMPTY
    return str(value)


def json_html(value: Any) -> SafeString | str:
    """A JSON value as HTML: a list as bullets, an object as "key: value" bullets, nested as
    deep as it goes; an empty list or object as "—"."""
    if isinstance(value, dict):
        if not value:
            return EMPTY
        rows = format_html_join(
            "", "<li><strong>{}</strong>: {}</li>", ((k, json_html(v)) for k, v in value.items())
        )
        return format_html('<ul class="json-value">{}</ul>', rows)
    if isinstance(value, list | tuple):
        if not value:
            return EMPTY
        rows = format_html_join("", "<li>{}</li>", ((json_html(v),) for v in value))
        return format_html('<ul class="json-value">{}</ul>', rows)
    return _scalar(value)
