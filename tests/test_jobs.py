"""Background jobs: one at a time, outcomes that outlive a restart, the foreground run the CLI
uses, the spawned process the API uses, and the CLI's polite refusal while one is running."""

from __future__ import annotations

import fcntl
import functools
import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import pytest
from conftest import PPRSEARCH, cli_env, settle_jobs

from crawler.vocabulary import SITE_TYPE_IDS
from index import jobs as job_runner
from index.archive import Archive, now
from index.jobs import ACTIVE, Jobs, JobRunning
from index.store import IndexStore

TOKEN = "jobs-test-token-5b1e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEAD_PROCESS_ERROR = "The process running this job ended before it finished."


@pytest.fixture
def admin_client(sample_data, make_app):
    return make_app(sample_data, ADMIN_TOKEN=TOKEN, ANSWER_CACHE=0).test_client()


def exited_pid() -> int:
    """The pid of a process that has run and been reaped: certainly not alive."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def mark_running(data, job_id: str, pid: int) -> None:
    Jobs(data)._update(job_id, state="running", pid=pid, started_at=now())



# One job at a time

@pytest.mark.parametrize("state", ["queued", "running"])
def test_a_second_job_while_one_is_active_is_409_naming_it(admin_client, sample_data, state):
    first = Jobs(sample_data).create("reindex")
    if state == "running":
        mark_running(sample_data, first.id, os.getpid())
    response = admin_client.post("/api/admin/reindex", headers=AUTH)
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"]["code"] == "job_running"
    assert first.id in body["error"]["message"]
    assert body["job"]["id"] == first.id
    assert body["job"]["state"] == state
    assert [job.id for job in Jobs(sample_data).recent()] == [first.id]


def test_a_crawl_is_refused_too_while_a_reindex_runs(admin_client, sample_data):
    first = Jobs(sample_data).create("reindex")
    mark_running(sample_data, first.id, os.getpid())
    response = admin_client.post("/api/admin/reindex", json={"source": "crawl"}, headers=AUTH)
    assert response.status_code == 409
    assert response.get_json()["job"]["id"] == first.id


def test_jobs_create_raises_job_running_with_the_active_job(sample_data):
    first = Jobs(sample_data).create("reindex")
    with pytest.raises(JobRunning) as raised:
        Jobs(sample_data).create("crawl")
    assert raised.value.job.id == first.id


def test_two_simultaneous_starts_give_one_job(admin_client, sample_data, make_app):
    other = make_app(sample_data, ADMIN_TOKEN=TOKEN, ANSWER_CACHE=0).test_client()
    barrier = threading.Barrier(2)
    statuses = []

    def start(client):
        barrier.wait()
        statuses.append(client.post("/api/admin/reindex", headers=AUTH).status_code)

    threads = [threading.Thread(target=start, args=(c,)) for c in (admin_client, other)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert sorted(statuses) == [202, 409]
        assert len(Jobs(sample_data).recent()) == 1
    finally:
        settle_jobs(sample_data)


def test_the_page_sends_a_second_start_to_the_running_job(admin_client, sample_data):
    page = admin_client.get("/admin").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    admin_client.post("/admin/login", data={"token": TOKEN, "csrf_token": csrf})
    page = admin_client.get("/admin").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    first = Jobs(sample_data).create("reindex")
    mark_running(sample_data, first.id, os.getpid())
    response = admin_client.post("/admin/jobs", data={"source": "archive", "csrf_token": csrf})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/jobs/{first.id}"
    assert len(Jobs(sample_data).recent()) == 1


# Outcomes that outlive a restart

def test_a_job_left_running_by_a_dead_process_is_failed_after_a_restart(sample_data, make_app):
    job = Jobs(sample_data).create("reindex")
    mark_running(sample_data, job.id, exited_pid())

    app = make_app(sample_data, ADMIN_TOKEN=TOKEN)  # a restarted server recovers at start-up
    with Archive(sample_data) as archive:
        row = archive.db.execute("SELECT state, error, finished_at FROM jobs WHERE id = ?",
                                 (job.id,)).fetchone()
    assert row["state"] == "failed"
    assert row["error"] == DEAD_PROCESS_ERROR
    assert row["finished_at"]

    answer = app.test_client().get(f"/api/admin/jobs/{job.id}", headers=AUTH).get_json()
    assert answer["state"] == "failed"
    assert "process" in answer["error"] and "ended" in answer["error"]


def test_a_dead_job_is_failed_the_next_time_anyone_looks(sample_data):
    job = Jobs(sample_data).create("reindex")
    with Archive(sample_data) as archive:  # as a crash would leave the row
        archive.db.execute("UPDATE jobs SET state = 'running', pid = ?, started_at = ? WHERE id = ?",
                           (exited_pid(), now(), job.id))
    seen = Jobs(sample_data).get(job.id)
    assert seen.state == "failed"
    assert seen.error == DEAD_PROCESS_ERROR
    # ...and it no longer blocks the next job.
    assert Jobs(sample_data).create("reindex").state == "queued"


def test_a_job_whose_process_lives_stays_running(sample_data):
    job = Jobs(sample_data).create("reindex")
    mark_running(sample_data, job.id, os.getpid())
    assert Jobs(sample_data).recover() == 0
    assert Jobs(sample_data).get(job.id).state == "running"
    assert Jobs(sample_data).active().id == job.id


# Running jobs

def test_a_foreground_job_ends_done_with_progress_and_log(sample_data):
    before = IndexStore(sample_data).current_name()
    job = Jobs(sample_data).create("reindex")
    echoed = []
    bar = []
    finished = job_runner.run(sample_data, job.id, echo=echoed.append,
                              progress_bar=lambda done, total: bar.append((done, total)))
    assert finished.state == "done"
    assert finished.error == ""
    assert finished.progress == {"entries": 6, "percent": 100.0}
    assert finished.pid == os.getpid()
    assert finished.started_at and finished.finished_at
    assert len(finished.log) >= 2
    assert all(line.split(" ", 1)[1] for line in finished.log)  # "HH:MM:SS text"
    after = IndexStore(sample_data).current_name()
    assert after != before
    assert f"index {after} is serving: 6 entries" in finished.log[-1]
    assert [line.split(" ", 1)[1] for line in finished.log] == echoed
    assert bar[-1] == (6, 6)
    assert Jobs(sample_data).get(job.id) == finished


def test_a_foreground_job_that_fails_records_why(empty_data):
    with Archive(empty_data):
        pass
    job = Jobs(empty_data).create("reindex")
    (empty_data / "index").write_text("a file where the index folder should be")
    finished = job_runner.run(empty_data, job.id)
    assert finished.state == "failed"
    assert finished.error
    assert finished.log[-1].split(" ", 1)[1].startswith("failed: ")
    assert Jobs(empty_data).active() is None


def test_an_api_started_job_reaches_done_and_the_index_version_changes(admin_client, sample_data):
    before = admin_client.get("/healthz").get_json()["index_version"]
    try:
        started = admin_client.post("/api/admin/reindex", headers=AUTH)
        assert started.status_code == 202
        url = started.get_json()["url"]
        deadline = time.monotonic() + 20
        while True:
            job = admin_client.get(url, headers=AUTH).get_json()
            if job["state"] not in ACTIVE or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert job["state"] == "done", job
        assert job["progress"] == {"entries": 6, "percent": 100.0}
        assert job["log"]
    finally:
        settle_jobs(sample_data)
    health = admin_client.get("/healthz").get_json()
    assert health["index_version"] != before
    assert health["index_version"] == IndexStore(sample_data).current_name()
    assert health["entries"] == 6
    assert admin_client.get("/api/search?q=panic").get_json()["total"] >= 1


def test_a_job_process_that_dies_before_recording_is_failed_by_its_reaper(
        sample_data, tmp_path, monkeypatch):
    """If the job's process dies before it can record anything, the reaper records why."""
    fake = tmp_path / "fake" / "index"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "jobs.py").write_text("import sys\nsys.exit('worker could not start: disk on fire')\n")
    monkeypatch.chdir(fake.parent)  # `python -m index.jobs` then finds this one first
    job = Jobs(sample_data).create("reindex")
    child = job_runner.spawn(sample_data, job.id)
    try:
        child.wait(20)
    finally:
        settle_jobs(sample_data)
    assert child.returncode == 1
    failed = Jobs(sample_data).get(job.id)
    assert failed.state == "failed"
    assert failed.error.startswith("The job process exited with status 1:")
    assert "disk on fire" in failed.error


# The CLI while a job runs

def test_cli_reindex_refuses_politely_while_a_job_runs(sample_data):
    job = Jobs(sample_data).create("reindex")
    mark_running(sample_data, job.id, os.getpid())  # the test process: certainly alive
    before = IndexStore(sample_data).current_name()
    done = subprocess.run(
        [*PPRSEARCH, "--data", str(sample_data), "reindex"],
        capture_output=True, text=True, timeout=30, env=cli_env(),
    )
    assert done.returncode != 0
    assert job.id in done.stderr
    assert "running" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert IndexStore(sample_data).current_name() == before
    assert [j.id for j in Jobs(sample_data).recent()] == [job.id]


def test_cli_reindex_runs_once_the_dead_job_is_cleared(sample_data):
    job = Jobs(sample_data).create("reindex")
    mark_running(sample_data, job.id, exited_pid())
    done = subprocess.run(
        [*PPRSEARCH, "--data", str(sample_data), "reindex"],
        capture_output=True, text=True, timeout=30, env=cli_env(),
    )
    assert done.returncode == 0, done.stderr
    assert "6 entries" in done.stdout
    states = {j.id: j.state for j in Jobs(sample_data).recent()}
    assert states.pop(job.id) == "failed"
    assert list(states.values()) == ["done"]


def test_an_import_while_a_reindex_builds_is_all_or_nothing(sample_data, run_cli, tmp_path):
    """Spec: errors leave the archive and the serving index as they were."""
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps({"month": "2020-01", "title": "Lock Race Entry",
                                  "research_type": "Single Empirical Study"}) + "\n")
    job = Jobs(sample_data).create("reindex")
    mark_running(sample_data, job.id, os.getpid())
    with Archive(sample_data) as archive:
        before = {e.id for e in archive.entries()}
    with open(sample_data / "index" / ".build.lock", "a+") as lock:  # as the job's build holds it
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run_cli("import", str(source))
    with Archive(sample_data) as archive:
        after = {e.id for e in archive.entries()}
    searchable = IndexStore(sample_data).current().entries == len(after)
    if result.exit_code == 0:
        assert searchable, "the import succeeded but its entries are not in the index"
    else:
        assert after == before, (result.output, after - before)


# A crawl job that fails half way

@pytest.fixture
def replica_site(monkeypatch):
    """The replica blog on a local server, whose listing pages after the first can be made to
    fail (503) while `failing` is set; the crawl's retry waits are skipped, not slept."""
    from flask import request

    from crawler.fetch import Fetcher
    from index import harvest
    from replica.app import Replica, serve

    @dataclass
    class HalfFailingReplica(Replica):
        failing: bool = False

        def app(self):
            app = super().app()

            @app.before_request
            def fail_later_pages():
                later = request.args.get("p", "1") != "1" or any(
                    request.args.get(k) for k in ("cat_1", "cat_2"))
                if self.failing and request.path == "/pprnet/blog" and later:
                    return "Service unavailable", 503

            return app

    monkeypatch.setattr(harvest, "Fetcher", functools.partial(Fetcher, sleep=lambda s: None))
    replica = HalfFailingReplica()
    with serve(replica) as base_url:
        yield replica, base_url


def archived(data) -> dict:
    with Archive(data) as archive:
        return {entry.id: entry for entry in archive.entries()}


def crawl_job(data, base_url: str):
    job = Jobs(data).create("crawl", {"base_url": base_url, "delay": 0})
    return job_runner.run(data, job.id)


def test_a_crawl_failing_half_way_keeps_every_archived_entry(sample_data, replica_site, make_app):
    replica, base_url = replica_site
    replica.failing = True
    before = archived(sample_data)

    job = crawl_job(sample_data, base_url)

    assert any(f"failed: {base_url}/blog?p=2" in line for line in job.log), job.log
    assert any("503" in line for line in job.log)
    assert any(hit.status == 503 for hit in replica.hits)
    after = archived(sample_data)
    # All still there, untouched but for inferred types now named as the site names them.
    from replica.content import TYPES

    site_labels = {SITE_TYPE_IDS[ident]: name for ident, name in TYPES}
    renamed = {i: e.replace(research_type=site_labels[e.research_type]) if e.type_inferred else e
               for i, e in before.items()}
    assert {i: after.get(i) for i in before} == renamed
    assert len(after) > len(before)  # the first page's entries were kept too
    client = make_app(sample_data, ANSWER_CACHE=0).test_client()
    assert client.get("/api/search?q=").get_json()["total"] == len(after)


def test_a_recrawl_failing_half_way_keeps_what_the_last_crawl_stored(
        sample_data, replica_site, make_app):
    replica, base_url = replica_site
    first = crawl_job(sample_data, base_url)
    assert first.state == "done", first.error
    before = archived(sample_data)
    version = IndexStore(sample_data).current_name()

    replica.failing = True
    job = crawl_job(sample_data, base_url)

    assert job.state in ("done", "failed")
    assert any(f"failed: {base_url}/blog?p=2" in line for line in job.log), job.log
    assert archived(sample_data) == before  # not one entry lost, nor its site tags
    assert IndexStore(sample_data).current_name() == version
    client = make_app(sample_data, ANSWER_CACHE=0).test_client()
    assert client.get("/api/search?q=").get_json()["total"] == len(before)
