"""Scheduled crawls: the schedule's times with fixed clocks, the idempotent due check, and one
crawl of the replica started by two app instances checking at once."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
from conftest import settle_jobs
from conftest_crawl import expected_archive, steady_replica  # noqa: F401 (a fixture)

from index.archive import Archive
from index.jobs import Jobs
from index.schedule import SCHEDULE_KEY, ScheduleError, claim, parse, status
from webui.config import ConfigError

TOKEN = "schedule-test-token-3d9e"
UTC = timezone.utc


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("text, hour, minute, weekday", [
    ("daily 02:30", 2, 30, None),
    ("weekly sun 03:00", 3, 0, 6),
    ("Weekly Sunday 3:05", 3, 5, 6),
    ("  weekly mon 23:59 ", 23, 59, 0),
])
def test_readable_schedules_parse(text, hour, minute, weekday):
    schedule = parse(text)
    assert (schedule.hour, schedule.minute, schedule.weekday) == (hour, minute, weekday)


@pytest.mark.parametrize("text", ["", "weekly", "daily 24:00", "daily 02:60", "weekly xyz 03:00",
                                  "0 3 * * 0", "hourly :15", "daily 0230"])
def test_anything_else_is_refused_with_the_format_to_use(text):
    with pytest.raises(ScheduleError, match="daily HH:MM"):
        parse(text)


def test_a_bad_schedule_fails_at_start_up_not_at_three_in_the_morning(sample_data, make_app):
    with pytest.raises(ConfigError, match="CRAWL_SCHEDULE"):
        make_app(sample_data, CRAWL_SCHEDULE="sundays at 3")


@pytest.mark.parametrize("text, now, latest, upcoming", [
    ("daily 02:30", "2026-11-30T01:00:00", "2026-11-29T02:30:00", "2026-11-30T02:30:00"),
    ("daily 02:30", "2026-11-30T02:30:00", "2026-11-30T02:30:00", "2026-12-01T02:30:00"),
    ("daily 02:30", "2026-11-30T23:59:59", "2026-11-30T02:30:00", "2026-12-01T02:30:00"),
    # 2026-11-30 is a Monday
    ("weekly sun 03:00", "2026-11-30T10:00:00", "2026-11-29T03:00:00", "2026-12-06T03:00:00"),
    ("weekly sun 03:00", "2026-11-29T02:59:00", "2026-11-22T03:00:00", "2026-11-29T03:00:00"),
    ("weekly sun 03:00", "2026-11-29T03:00:00", "2026-11-29T03:00:00", "2026-12-06T03:00:00"),
    ("weekly mon 00:00", "2026-12-31T12:00:00", "2026-12-28T00:00:00", "2027-01-04T00:00:00"),
])
def test_the_latest_and_next_times(text, now, latest, upcoming):
    schedule = parse(text)
    assert schedule.latest(at(now)) == at(latest)
    assert schedule.next(at(now)) == at(upcoming)


def test_due_when_the_latest_slot_is_later_than_the_last_one_taken():
    schedule = parse("weekly sun 03:00")
    now = at("2026-11-30T10:00:00")
    assert not schedule.due(None, now)  # nothing recorded yet: wait for the next slot
    assert schedule.due(at("2026-11-22T03:00:00"), now)
    assert not schedule.due(at("2026-11-29T03:00:00"), now)
    assert not schedule.due(at("2026-11-30T09:00:00"), now)  # recorded when first seen


def test_claim_records_a_new_schedule_then_starts_one_job_per_slot(sample_data):
    schedule = parse("daily 02:00")
    params = {"base_url": "http://127.0.0.1:9/pprnet", "delay": 0, "max_pages": None}
    assert claim(sample_data, schedule, params, at("2026-11-30T10:00:00")) is None  # first seen
    assert claim(sample_data, schedule, params, at("2026-11-30T23:00:00")) is None  # same slot
    job = claim(sample_data, schedule, params, at("2026-12-01T02:00:01"))
    assert job is not None and job.kind == "crawl" and job.state == "queued"
    assert job.params == {**params, "scheduled": "2026-12-01T02:00:00+00:00"}
    assert claim(sample_data, schedule, params, at("2026-12-01T02:05:00")) is None  # taken
    with Archive(sample_data) as archive:
        assert archive.get_meta(SCHEDULE_KEY)["job"] == job.id
    shown = status(sample_data, schedule, at("2026-12-01T02:05:00"))
    assert shown["last"].id == job.id and shown["next"] == "2026-12-02T02:00:00+00:00"


def test_a_due_slot_waits_for_a_running_job_and_is_taken_after_it(sample_data):
    schedule = parse("daily 02:00")
    claim(sample_data, schedule, {}, at("2026-11-30T10:00:00"))
    other = Jobs(sample_data).create("reindex")
    assert claim(sample_data, schedule, {}, at("2026-12-01T02:00:01")) is None
    assert status(sample_data, schedule, at("2026-12-01T02:00:01"))["next"].startswith("due now")
    Jobs(sample_data).finish(other.id)
    job = claim(sample_data, schedule, {}, at("2026-12-01T02:01:00"))
    assert job is not None and job.params["scheduled"] == "2026-12-01T02:00:00+00:00"


def test_a_due_schedule_starts_exactly_one_crawl_of_the_replica_from_two_app_instances(
        steady_replica, sample_data, make_app):
    config = dict(CRAWL_SCHEDULE="daily 03:00", CRAWL_BASE_URL=steady_replica.base_url,
                  CRAWL_DELAY=0, ADMIN_TOKEN=TOKEN)
    apps = [make_app(sample_data, **config) for _ in range(2)]
    schedulers = [app.extensions["pprsearch.scheduler"] for app in apps]
    assert schedulers[0].tick(at("2026-11-30T12:00:00")) is None  # the schedule is first seen

    barrier = threading.Barrier(2)
    started = []

    def check(scheduler):
        barrier.wait()
        started.append(scheduler.tick(at("2026-12-01T03:00:30")))

    threads = [threading.Thread(target=check, args=(s,)) for s in schedulers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        jobs = [job for job in started if job is not None]
        assert len(started) == 2 and len(jobs) == 1
        settle_jobs(sample_data, timeout=60)
    finally:
        settle_jobs(sample_data, timeout=60)
    crawls = [job for job in Jobs(sample_data).recent() if job.kind == "crawl"]
    assert [job.id for job in crawls] == [jobs[0].id]
    assert crawls[0].state == "done", crawls[0].error
    assert crawls[0].params["base_url"] == steady_replica.base_url
    with Archive(sample_data) as archive:
        crawled = {entry.id for entry in archive.entries(include_retired=True)}
    assert set(expected_archive(steady_replica.origin)) <= crawled  # every post of the replica

    client = apps[1].test_client()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin").get_data(as_text=True))[1]
    client.post("/admin/login", data={"token": TOKEN, "csrf_token": csrf})
    page = client.get("/admin").get_data(as_text=True)
    assert "<code>daily 03:00</code>" in page
    assert "<td>crawl (scheduled)</td>" in page  # in the recent jobs
    assert f">{jobs[0].id}</a>" in page.split("Last scheduled crawl", 1)[1]
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    today = datetime.now(UTC).date().isoformat()
    upcoming = page.split("Next scheduled crawl", 1)[1].split("</dd>", 1)[0]
    assert today in upcoming or tomorrow in upcoming


def test_the_worker_thread_checks_by_itself_and_starts_the_due_crawl(
        steady_replica, sample_data, monkeypatch):
    from webui import scheduler as checks

    monkeypatch.setattr(checks, "CHECK_EVERY_S", 0.05)
    monkeypatch.setattr(checks, "JITTER_S", 0.0)
    schedule = parse("weekly wed 04:00")
    with Archive(sample_data) as archive:  # a slot taken long ago: one is due now
        archive.set_meta(SCHEDULE_KEY, {"schedule": schedule.text,
                                        "slot": "2000-01-05T04:00:00+00:00", "job": None})
    worker = checks.Scheduler(str(sample_data), schedule,
                              {"base_url": steady_replica.base_url, "delay": 0, "max_pages": None})
    worker.start()
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while not [job for job in Jobs(sample_data).recent() if job.kind == "crawl"]:
            assert datetime.now(UTC) < deadline, "the thread never started the crawl"
            threading.Event().wait(0.05)
    finally:
        worker.stop()
        settle_jobs(sample_data, timeout=60)
    [crawl] = [job for job in Jobs(sample_data).recent() if job.kind == "crawl"]
    assert crawl.state == "done", crawl.error
    assert crawl.params["scheduled"] == _stamp_latest(schedule)


def _stamp_latest(schedule) -> str:
    return schedule.latest(datetime.now(UTC)).isoformat(timespec="seconds")
