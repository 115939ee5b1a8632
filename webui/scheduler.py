"""Scheduled crawls in the server: each worker process checks CRAWL_SCHEDULE now and then.

Several workers (and several servers over one data folder) may check at once; index/schedule.py
makes the check idempotent, so a due slot starts exactly one crawl job, run in a process of its
own like an admin's.
"""

from __future__ import annotations

import logging
import random
import threading
from datetime import datetime

from flask import Flask

from index import jobs as job_runner
from index.jobs import Job
from index.schedule import Schedule, claim, parse

log = logging.getLogger(__name__)

# Seconds between checks, and a random part so workers do not all ask at the same instant.
CHECK_EVERY_S = 60
JITTER_S = 10


class Scheduler:
    """One process's checks of the crawl schedule of one data folder."""

    def __init__(self, data_folder: str, schedule: Schedule, params: dict, log_format: str = "text"):
        self.data_folder = data_folder
        self.schedule = schedule
        self.params = params
        self.log_format = log_format
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self, now: datetime | None = None) -> Job | None:
        """Start the scheduled crawl if it is due and this process is the one to start it."""
        job = claim(self.data_folder, self.schedule, self.params, now)
        if job is not None:
            log.info("scheduled crawl %s (%s) starting", job.id, self.schedule.text,
                     extra={"event": "job.scheduled", "job": job.id, "kind": job.kind})
            job_runner.spawn(self.data_folder, job.id, self.log_format)
        return job

    def _loop(self) -> None:
        while not self._stop.wait(CHECK_EVERY_S + random.uniform(0, JITTER_S)):
            try:
                self.tick()
            except Exception:  # a failed check must not end the checks to come
                log.exception("the crawl schedule check failed", extra={"event": "schedule.error"})

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="crawl-schedule", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()


def init_app(app: Flask) -> None:
    """Check the schedule in this process, if CRAWL_SCHEDULE is set (not under tests, which
    call `tick` themselves)."""
    text = app.config.get("CRAWL_SCHEDULE")
    if not text:
        return
    params = {"base_url": app.config.get("CRAWL_BASE_URL"),
              "delay": float(app.config["CRAWL_DELAY"]), "max_pages": None}
    scheduler = Scheduler(app.config["DATA_DIR"], parse(text), params,
                          app.config.get("LOG_FORMAT", "text"))
    app.extensions["pprsearch.scheduler"] = scheduler
    if not app.testing:
        scheduler.start()
