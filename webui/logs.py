"""The server's side of logging (crawler/logs.py is the rest): gunicorn's own lines (its
start-up, worker and error lines, and the access log when one is asked for) in the same
format as the product's, so with LOG_FORMAT = "json" every line of `pprsearch serve` is JSON."""

from __future__ import annotations

from gunicorn.glogging import Logger

from crawler.logs import JsonLines


class GunicornJsonLogger(Logger):
    """gunicorn's logger, writing JSON lines."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonLines())


# LOG_FORMAT -> the gunicorn logger class `serve` uses.
GUNICORN_LOGGERS = {"text": "gunicorn.glogging.Logger", "json": "webui.logs.GunicornJsonLogger"}
