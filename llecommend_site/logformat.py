"""The log line format: every timestamp says its zone.

Django sets the process's local time to settings.TIME_ZONE (Asia/Seoul), so a bare
"%(asctime)s" on a UTC machine printed Seoul wall-clock time that read like UTC. Lines now look
like `2025-03-01 23:00:00.123+0900 INFO name message`: local time, milliseconds, UTC offset.
"""

from __future__ import annotations

import logging
import time

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class ZonedFormatter(logging.Formatter):
    def __init__(self, fmt: str = FORMAT, datefmt: str | None = None, **kwargs) -> None:
        super().__init__(fmt, datefmt, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = self.converter(record.created)
        if datefmt:
            return time.strftime(datefmt, moment)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", moment)
        return f"{stamp}.{int(record.msecs):03d}{time.strftime('%z', moment)}"
