"""Scheduled crawls: when one is due, and starting it exactly once however many processes ask.

CRAWL_SCHEDULE reads "daily HH:MM" or "weekly DAY HH:MM" (DAY: mon ... sun), in UTC. Every web
worker checks now and then (webui/scheduler.py); the check is idempotent: a crawl is due when
the schedule's latest slot (the last time it names, at or before now) is later than the slot
of the last scheduled crawl recorded in the archive. Recording the slot and creating the job
happen in one archive transaction, so of several workers checking at once one creates the job
and the others see it recorded. While another job runs the slot stays due and is taken up at
a later check. The first check under a new schedule only records it: the first crawl is at
the next slot, not whenever the server happened to start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .archive import Archive
from .errors import IndexError_
from .jobs import ACTIVE, Job, Jobs

SCHEDULE_KEY = "crawl.schedule"  # {"schedule", "slot", "job"}: the last slot taken, and its job
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FORMAT = re.compile(r"^\s*(daily|weekly\s+(?P<day>[a-z]{3})[a-z]*)\s+(?P<h>\d{1,2}):(?P<m>\d{2})\s*$",
                     re.IGNORECASE)


class ScheduleError(IndexError_):
    """A CRAWL_SCHEDULE that cannot be read."""

    status = 400
    code = "bad_schedule"


@dataclass(frozen=True)
class Schedule:
    """A crawl time: every day, or one day of the week (0 = Monday), at hour:minute UTC."""

    text: str
    hour: int
    minute: int
    weekday: int | None = None  # None: every day

    def latest(self, now: datetime) -> datetime:
        """The last time this schedule names at or before `now`."""
        slot = now.astimezone(timezone.utc).replace(hour=self.hour, minute=self.minute,
                                                    second=0, microsecond=0)
        if slot > now:
            slot -= timedelta(days=1)
        if self.weekday is not None:
            slot -= timedelta(days=(slot.weekday() - self.weekday) % 7)
        return slot

    def next(self, now: datetime) -> datetime:
        """The first time this schedule names after `now`."""
        return self.latest(now) + timedelta(days=1 if self.weekday is None else 7)

    def due(self, last_slot: datetime | None, now: datetime) -> bool:
        """Whether a crawl is due: the latest slot is later than the last one taken."""
        return last_slot is not None and self.latest(now) > last_slot


def parse(text: str) -> Schedule:
    """"daily 02:30" or "weekly sun 03:00" (any day name's first three letters)."""
    found = _FORMAT.match(text or "")
    hour = int(found["h"]) if found else -1
    minute = int(found["m"]) if found else -1
    day = found["day"].lower() if found and found["day"] else None
    if not found or hour > 23 or minute > 59 or (day is not None and day not in DAYS):
        raise ScheduleError(
            f"{text!r} is not a schedule; write \"daily HH:MM\" or \"weekly DAY HH:MM\" "
            "(e.g. \"weekly sun 03:00\"), in UTC.")
    return Schedule(text.strip(), hour, minute, DAYS.index(day) if day else None)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def claim(data_folder: Path | str, schedule: Schedule, params: dict,
          now: datetime | None = None) -> Job | None:
    """Create the scheduled crawl job if one is due and no job is active; None otherwise.

    The caller spawns the job it is given; no one else is given the same slot.
    """
    now = now or datetime.now(timezone.utc)
    jobs = Jobs(data_folder)
    with Archive(data_folder) as archive, archive.transaction():
        Jobs._recover(archive)
        record = archive.get_meta(SCHEDULE_KEY)
        if not record or record.get("schedule") != schedule.text:
            # A new schedule: its first slot is the next one, not one already past.
            archive.set_meta(SCHEDULE_KEY, {"schedule": schedule.text, "slot": _stamp(now),
                                            "job": (record or {}).get("job")})
            return None
        if not schedule.due(datetime.fromisoformat(record["slot"]), now):
            return None
        if archive.db.execute("SELECT 1 FROM jobs WHERE state IN (?, ?)", ACTIVE).fetchone():
            return None  # still due: taken up once the running job ends
        slot = _stamp(schedule.latest(now))
        job_id = jobs.insert(archive, "crawl", {**params, "scheduled": slot})
        archive.set_meta(SCHEDULE_KEY, {"schedule": schedule.text, "slot": slot, "job": job_id})
    return jobs.get(job_id)


def status(data_folder: Path | str, schedule: Schedule, now: datetime | None = None) -> dict:
    """For /admin: the schedule, the last scheduled crawl (its job) and the next run."""
    now = now or datetime.now(timezone.utc)
    with Archive(data_folder) as archive:
        record = archive.get_meta(SCHEDULE_KEY) or {}
    last = None
    if record.get("job"):
        try:
            last = Jobs(data_folder).get(record["job"])
        except IndexError_:
            last = None
    if record.get("schedule") == schedule.text and schedule.due(
            datetime.fromisoformat(record["slot"]), now):
        upcoming = "due now (starts within a minute, once no other job runs)"
    else:
        upcoming = _stamp(schedule.next(now))
    return {"schedule": schedule.text, "last": last, "next": upcoming}
