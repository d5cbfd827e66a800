"""Log lines say which zone their time is in (the machine runs on UTC, the site on Seoul time)."""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from llecommend_site.logformat import ZonedFormatter

# 2025-03-01 14:00:00.123 UTC
MOMENT = datetime(2025, 3, 1, 14, 0, 0, 123000, tzinfo=UTC).timestamp()


def record(message: str = "index built") -> logging.LogRecord:
    rec = logging.LogRecord("llm_worker.embeddings", logging.INFO, __file__, 1, message, (), None)
    rec.created, rec.msecs = MOMENT, 123.0
    return rec


def test_a_log_line_carries_the_local_time_and_its_offset():
    line = ZonedFormatter().format(record())

    local = datetime.fromtimestamp(MOMENT, ZoneInfo(settings.TIME_ZONE))
    assert settings.TIME_ZONE == "Asia/Seoul"
    assert time.strftime("%z") == "+0900"  # Django set the process's zone from TIME_ZONE
    assert line == f"{local:%Y-%m-%d %H:%M:%S}.123+0900 INFO llm_worker.embeddings index built"
    assert line.startswith("2025-03-01 23:00:00.123+0900 ")


def test_the_settings_use_it_for_the_console():
    console = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    zoned = [h for h in console if isinstance(h.formatter, ZonedFormatter)]

    assert zoned, [type(h.formatter).__name__ for h in console]
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}[+-]\d{4}"
    assert re.match(stamp + " INFO ", zoned[0].format(record()))
