"""Logging set up in one place, for `pprsearch serve` and the job processes it spawns.

Every line is one event: a job's (created, started, each log line, done, failed; the `event`,
`job` and `kind` fields) or an error's. With LOG_FORMAT = "json" each line is one JSON object
(time, level, logger, message, and those fields), for a log collector; "text" is for people.
Nothing here logs a request's headers, so the admin token never reaches a log (auth.py logs a
bad token's address, never the token).

It lives in the first layer so the job process (index/jobs.py) and the server (webui) share it.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

FORMATS = ("text", "json")
# Fields a call may pass with `extra=` that belong in the structured line.
FIELDS = ("event", "job", "kind", "path", "status", "code")
_TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonLines(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def formatter(log_format: str) -> logging.Formatter:
    return JsonLines() if log_format == "json" else logging.Formatter(_TEXT)


def setup(log_format: str = "text", level: int = logging.INFO, stream=None) -> logging.Handler:
    """Send the root logger's records (INFO and up) to standard error in `log_format`,
    replacing handlers an earlier setup added."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_pprsearch", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(log_format))
    handler._pprsearch = True
    root.addHandler(handler)
    root.setLevel(level)
    return handler
