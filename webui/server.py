"""Serving the app with gunicorn: worker processes, each with threads, over one data folder."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from pathlib import Path

from gunicorn.app.base import BaseApplication

from . import config as settings
from .watchdog import Watchdog

# Seconds a request may run before its worker is ended (the search deadline comes first).
REQUEST_TIMEOUT = 30
# prometheus_client's multiprocess mode reads this variable when it is imported.
_MULTIPROC = "PROMETHEUS_MULTIPROC_DIR"


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


def _hooks(timeout: float) -> dict:
    """gunicorn hooks that give each worker a Watchdog over its request threads."""

    def post_worker_init(worker) -> None:
        worker.watchdog = Watchdog(timeout)
        worker.watchdog.watch()
        # The app, its modules and settings, loaded by now, live as long as the worker: moved
        # out of the cyclic collector's reach, a full collection walks only what requests
        # made since (the index generation, its caches): ~3-5 ms instead of ~30-40 ms at 10k,
        # a pause that otherwise lands on one request every couple of thousand. The index
        # is opened later (first request), so a generation swapped out is still collected.
        gc.freeze()

    def pre_request(worker, req) -> None:
        worker.watchdog.begin()

    def post_request(worker, req, environ, resp) -> None:
        worker.watchdog.end()

    return {"post_worker_init": post_worker_init, "pre_request": pre_request,
            "post_request": post_request}


def _worker_exited(server, worker) -> None:
    """gunicorn's child_exit hook: a dead worker's live gauges leave the metrics."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def serve(data_folder: Path, host: str, port: int, workers: int, threads: int,
          keep_alive: int = 0, access_log: str | None = None,
          request_timeout: float = REQUEST_TIMEOUT, log_format: str = "text") -> None:
    """Run until interrupted; each worker builds its own app and search service.

    With METRICS configured, the workers share a fresh folder for prometheus_client's
    multiprocess files (set here, before any worker imports it), removed when the server stops.
    """
    from .logs import GUNICORN_LOGGERS

    options = {**_hooks(request_timeout),
               "logger_class": GUNICORN_LOGGERS[log_format]}  # LOG_FORMAT: gunicorn's lines too
    own_folder = None
    if settings.load(data_folder)["METRICS"]:
        if not os.environ.get(_MULTIPROC):
            own_folder = tempfile.mkdtemp(prefix="pprsearch-metrics-")
            os.environ[_MULTIPROC] = own_folder
        options["child_exit"] = _worker_exited
    try:
        _run(data_folder, host, port, workers, threads, keep_alive, access_log, options)
    finally:
        if own_folder:
            shutil.rmtree(own_folder, ignore_errors=True)


def _run(data_folder, host, port, workers, threads, keep_alive, access_log, options) -> None:
    _Server(data_folder, {
        **options,
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        # One thread and no kept-alive connections: gunicorn's plain worker, which reads and
        # answers each connection itself (~0.1 ms of CPU a request less at 1k: no thread
        # pool, no poller); the watchdog and the hooks work the same in both.
        "worker_class": "sync" if threads == 1 and not keep_alive else "gthread",
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
