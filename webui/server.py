"""Serving the app with gunicorn: worker processes, each with threads, over one data folder."""

from __future__ import annotations

from pathlib import Path

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    """gunicorn configured from code rather than a config file."""

    def __init__(self, data_folder: Path, options: dict):
        self.data_folder = data_folder
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        return create_app({"DATA_DIR": str(self.data_folder)})


def serve(data_folder: Path, host: str, port: int, workers: int, threads: int,
          keep_alive: int = 0, access_log: str | None = None, log_format: str = "text") -> None:
    """Run until interrupted; each worker builds its own app and search service."""
    from .logs import GUNICORN_LOGGERS

    _Server(data_folder, {
        "logger_class": GUNICORN_LOGGERS[log_format],  # LOG_FORMAT: gunicorn's lines too
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": access_log,
        "timeout": 60,
        # A kept-alive connection is served by the worker that accepted it, and one worker can
        # accept a whole burst of them while the others sleep: half the machine idle under load
        # (seen in the benchmark). Closing after each response spreads requests over workers;
        # a reverse proxy in front keeps browsers' connections alive either way.
        "keepalive": keep_alive,
        "graceful_timeout": 10,
        # gunicorn's control socket sits at one path per user: two servers would share it.
        "control_socket_disable": True,
    }).run()
