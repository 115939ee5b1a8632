"""Background jobs (reindex, crawl): recorded in the archive so their outcome outlives a restart.

One job at a time per data folder. A job is created `queued`, run by a worker process of its
own (`python -m index.jobs DATA JOB_ID`, so a long build never slows the web workers' searches)
or in the foreground by the CLI, and ends `done` or `failed`. A job left `running` by a process
that died is marked failed the next time anyone looks.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .archive import Archive, now
from .errors import IndexError_

log = logging.getLogger(__name__)

KINDS = ("reindex", "crawl")
ACTIVE = ("queued", "running")
_LOG_LINES = 200
# A queued job whose process never started running it is given up after this long.
_QUEUED_TIMEOUT_S = 120


class JobError(IndexError_):
    """A job cannot be created, or failed while it ran."""

    status = 400
    code = "bad_job"


class JobNotFound(JobError):
    """No job has the id asked for."""

    status = 404
    code = "not_found"


class JobRunning(JobError):
    """Another job is queued or running in this data folder."""

    status = 409
    code = "job_running"

    def __init__(self, job: "Job"):
        super().__init__(
            f"A {job.kind} job ({job.id}) has been {job.state} since "
            f"{job.started_at or job.created_at}; wait for it to finish, or follow it on /admin."
        )
        self.job = job

    def details(self) -> dict:
        return {"job": self.job.to_dict()}


@dataclass(frozen=True)
class Job:
    """A job's record, as the admin API and page show it."""

    id: str
    kind: str
    params: dict
    state: str
    progress: dict = field(default_factory=dict)
    log: tuple[str, ...] = ()
    error: str = ""
    pid: int | None = None
    created_at: str = ""
    started_at: str | None = None
    finished_at: str | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id, "kind": self.kind, "params": self.params, "state": self.state,
            "progress": self.progress, "log": list(self.log), "error": self.error,
            "created_at": self.created_at, "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


def _row(row) -> Job:
    return Job(
        id=row["id"], kind=row["kind"], params=json.loads(row["params"]), state=row["state"],
        progress=json.loads(row["progress"]), log=tuple(json.loads(row["log"])),
        error=row["error"], pid=row["pid"], created_at=row["created_at"],
        started_at=row["started_at"], finished_at=row["finished_at"],
    )


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Jobs:
    """The jobs of one data folder."""

    def __init__(self, data_folder: Path | str):
        self.data_folder = Path(data_folder)

    def _archive(self) -> Archive:
        return Archive(self.data_folder)

    def create(self, kind: str, params: dict | None = None) -> Job:
        """A new queued job; JobRunning when one is already queued or running."""
        if kind not in KINDS:
            raise JobError(f"Unknown job kind {kind!r}; use one of {', '.join(KINDS)}.")
        with self._archive() as archive, archive.transaction():
            self._recover(archive)
            row = archive.db.execute(
                "SELECT * FROM jobs WHERE state IN ('queued', 'running') ORDER BY created_at LIMIT 1"
            ).fetchone()
            if row is not None:
                raise JobRunning(_row(row))
            job_id = self.insert(archive, kind, params)
        return self.get(job_id)

    @staticmethod
    def insert(archive: Archive, kind: str, params: dict | None = None) -> str:
        """Record a queued job inside the caller's transaction (which has checked that none is
        active); its id."""
        job_id = time.strftime("%Y%m%d-%H%M%S-", time.gmtime()) + secrets.token_hex(3)
        archive.db.execute(
            "INSERT INTO jobs (id, kind, params, state, created_at) VALUES (?, ?, ?, 'queued', ?)",
            (job_id, kind, json.dumps(params or {}), now()),
        )
        log.info("job %s created: %s", job_id, kind,
                 extra={"event": "job.created", "job": job_id, "kind": kind})
        return job_id

    def get(self, job_id: str) -> Job:
        with self._archive() as archive:
            self._recover(archive)
            row = archive.db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFound(f"No job has the id {job_id!r}.")
        return _row(row)

    def recent(self, limit: int = 10) -> list[Job]:
        with self._archive() as archive:
            self._recover(archive)
            rows = archive.db.execute(
                "SELECT * FROM jobs ORDER BY rowid DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_row(r) for r in rows]

    def active(self) -> Job | None:
        with self._archive() as archive:
            self._recover(archive)
            row = archive.db.execute(
                "SELECT * FROM jobs WHERE state IN ('queued', 'running') LIMIT 1"
            ).fetchone()
        return _row(row) if row else None

    def recover(self) -> int:
        """Mark jobs whose process died as failed; how many were."""
        with self._archive() as archive:
            return self._recover(archive)

    @staticmethod
    def _recover(archive: Archive) -> int:
        rows = archive.db.execute(
            "SELECT id, state, pid, created_at FROM jobs WHERE state IN ('queued', 'running')"
        ).fetchall()
        dead = []
        for row in rows:
            if row["state"] == "running" and not _alive(row["pid"]):
                dead.append((row["id"], "The process running this job ended before it finished."))
            elif row["state"] == "queued" and _age(row["created_at"]) > _QUEUED_TIMEOUT_S:
                dead.append((row["id"], "The job was never started."))
        for job_id, reason in dead:
            log.warning("job %s failed: %s", job_id, reason,
                        extra={"event": "job.failed", "job": job_id})
            archive.db.execute(
                "UPDATE jobs SET state = 'failed', error = ?, finished_at = ? WHERE id = ?",
                (reason, now(), job_id),
            )
        return len(dead)

    # Used by the process that runs the job

    def _update(self, job_id: str, **columns) -> None:
        sets = ", ".join(f"{name} = ?" for name in columns)
        with self._archive() as archive:
            archive.db.execute(f"UPDATE jobs SET {sets} WHERE id = ?", (*columns.values(), job_id))

    def start(self, job_id: str) -> None:
        self._update(job_id, state="running", pid=os.getpid(), started_at=now())

    def report(self, job_id: str, progress: dict | None = None, line: str | None = None) -> None:
        with self._archive() as archive, archive.transaction():
            row = archive.db.execute("SELECT progress, log FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return
            merged = {**json.loads(row["progress"]), **(progress or {})}
            lines = json.loads(row["log"])
            if line:
                lines = (lines + [f"{time.strftime('%H:%M:%S')} {line}"])[-_LOG_LINES:]
            archive.db.execute(
                "UPDATE jobs SET progress = ?, log = ? WHERE id = ?",
                (json.dumps(merged), json.dumps(lines), job_id),
            )

    def finish(self, job_id: str, error: str = "") -> None:
        self._update(job_id, state="failed" if error else "done", error=error, finished_at=now())


def _age(stamp: str) -> float:
    from datetime import datetime, timezone

    try:
        return (datetime.now(timezone.utc) - datetime.fromisoformat(stamp)).total_seconds()
    except ValueError:
        return 0.0


def run(data_folder: Path | str, job_id: str, echo: Callable[[str], None] | None = None,
        progress_bar: Callable[[int, int | None], None] | None = None) -> Job:
    """Run a queued job to its end in this process, recording progress and outcome."""
    jobs = Jobs(data_folder)
    job = jobs.get(job_id)
    jobs.start(job_id)
    fields = {"job": job_id, "kind": job.kind}
    log.info("job %s started: %s", job_id, job.kind, extra={"event": "job.started", **fields})
    last = [0.0]
    latest: dict = {}

    def say(line: str) -> None:
        log.info("job %s: %s", job_id, line, extra={"event": "job.log", **fields})
        jobs.report(job_id, line=line)
        if echo:
            echo(line)

    def progress(done: int, total: int | None, unit: str = "entries") -> None:
        if progress_bar:
            progress_bar(done, total)
        latest[unit] = done
        if total:
            latest["percent"] = round(100 * done / total, 1)
        if time.monotonic() - last[0] < 0.5 and done != total:
            return  # a row update per half second is plenty for a live view
        last[0] = time.monotonic()
        jobs.report(job_id, progress=dict(latest))

    try:
        if job.kind == "crawl":
            _run_crawl(data_folder, job.params, say, progress)
        else:
            _run_reindex(data_folder, job.params, say, progress)
    except Exception as exc:  # a job records any failure rather than dying silently
        log.exception("job %s failed", job_id, extra={"event": "job.failed", **fields})
        say(f"failed: {exc}")
        jobs.finish(job_id, error=str(exc) or exc.__class__.__name__)
    else:
        jobs.report(job_id, progress={**latest, "percent": 100.0})
        jobs.finish(job_id)
        log.info("job %s done", job_id, extra={"event": "job.done", **fields})
    return jobs.get(job_id)


def _run_reindex(data_folder, params: dict, say, progress) -> None:
    from .rebuild import rebuild

    if params.get("reparse"):
        from .harvest import reparse

        say("re-extracting entries from stored pages")
        for line in reparse(data_folder).lines():
            say(line)
    say("building a new index from the archive")
    generation = rebuild(data_folder, progress=progress)
    say(f"index {generation.name} is serving: {generation.entries} entries in {generation.seconds:.2f}s")


def _run_crawl(data_folder, params: dict, say, progress) -> None:
    from crawler.fetch import DEFAULT_DELAY

    from .harvest import DEFAULT_BASE_URL, crawl_into

    base_url = params.get("base_url") or DEFAULT_BASE_URL
    say(f"crawling {base_url}")
    summary = crawl_into(
        data_folder, base_url, max_pages=params.get("max_pages"), delay=params.get("delay", DEFAULT_DELAY),
        progress=lambda done, total: progress(done, total, unit="pages"), log=say,
    )
    for line in summary.lines():
        say(line)
    if summary.nothing_fetched:
        raise JobError("Nothing could be fetched; check the address and the network.")


def spawn(data_folder: Path | str, job_id: str, log_format: str = "text") -> subprocess.Popen:
    """Run a job in a process of its own, detached from the caller's session; it logs to its
    standard error in `log_format` (crawler/logs.py)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "index.jobs", str(Path(data_folder).resolve()), job_id, log_format],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True, close_fds=True,
    )
    # Reap it when it ends (no zombie), and keep what it printed if it died before recording.
    threading.Thread(target=_reap, args=(child, data_folder, job_id), daemon=True).start()
    return child


def _reap(child: subprocess.Popen, data_folder, job_id: str) -> None:
    # The job's log lines join the spawning process's standard error (the server's log), as
    # they come; the last few explain a process that died before recording its failure.
    tail: list[str] = []
    for raw in child.stderr:
        line = raw.decode("utf-8", "replace").rstrip("\n")
        tail = (tail + [line])[-3:]
        try:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
    child.stderr.close()
    child.wait()
    if child.returncode:
        jobs = Jobs(data_folder)
        if jobs.get(job_id).state in ACTIVE:
            jobs.finish(job_id, error=f"The job process exited with status {child.returncode}: "
                        + " ".join(tail))


if __name__ == "__main__":
    from crawler.logs import setup
    from index.jobs import run as run_here  # this module by its name, so its log lines say index.jobs

    setup(sys.argv[3] if len(sys.argv) > 3 else "text")
    run_here(sys.argv[1], sys.argv[2])
