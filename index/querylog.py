"""What people search for: one row per search asked of the web (pages and API), for /admin.

A row holds the normalised query text, the filters and the number of entries found, and the
day; never an address, a cookie or a user agent. Rows older than KEEP_DAYS are pruned.

The log is a SQLite file of its own (`queries.sqlite3`), not a table in the archive: a crawl
holds the archive's write lock for a page's transaction at a time, and a search must never wait
behind it to record itself; and a backup of the archive (the source of truth) then carries no
record of what people searched for.

Counting a search does not write: `record` adds the row to a list in memory, and a background
thread of the process writes what has gathered in one transaction every FLUSH_SECONDS (so a
search pays no SQLite commit, and a busy worker one commit a second rather than one a search).
Reading the log (`top`, /admin) first writes what this process holds; another worker's rows
show within FLUSH_SECONDS. Rows still held when the process exits are written at exit; a
process killed outright loses at most its last second's. The rows go in as one INSERT of
many rows (one statement, so the write lock is not held while the writer waits for the GIL
between rows); a write kept waiting over WAIT_SECONDS by another worker's (WAL,
synchronous=NORMAL) is dropped, never failing a search.
"""

from __future__ import annotations

import atexit
import json
import logging
import sqlite3
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

log = logging.getLogger(__name__)

QUERY_LOG_FILE = "queries.sqlite3"
KEEP_DAYS = 90
_PRUNE_EVERY_S = 3600
# Seconds a counted search waits in memory before the background thread writes it.
FLUSH_SECONDS = 1.0
# Rows held at most; past it a search writes them itself (a stalled writer loses nothing).
_HELD_MAX = 10_000
# Rows in one INSERT statement (4 values each: SQLite allows 32,766 in one statement).
_ROWS_PER_INSERT = 500
# Seconds the writer waits for another process's write before dropping what it holds.
WAIT_SECONDS = 2.0
_FILTERS = ("topic", "type", "year", "design", "participants")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS queries (
    day TEXT NOT NULL,       -- YYYY-MM-DD, UTC
    q TEXT NOT NULL,         -- normalised: lower case, single spaces
    filters TEXT NOT NULL,   -- JSON of the facet filters chosen, '' when none
    total INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS queries_day ON queries (day);
CREATE INDEX IF NOT EXISTS queries_q ON queries (q, filters);
"""


@dataclass(frozen=True)
class QueryCount:
    """A query as /admin lists it: how often it was asked and what it found last."""

    q: str
    filters: dict
    count: int
    total: int
    last_day: str


def normalise(q: str) -> str:
    return " ".join(q.lower().split())


def filters_of(request) -> str:
    """The facet filters of a search request, as one canonical JSON text ('' when none)."""
    chosen = {name: sorted(getattr(request, name)) for name in _FILTERS if getattr(request, name)}
    return json.dumps(chosen, ensure_ascii=False, sort_keys=True) if chosen else ""


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


class QueryLog:
    """The query log of one data folder; safe to share between threads."""

    def __init__(self, data_folder: Path | str):
        self.path = Path(data_folder) / QUERY_LOG_FILE
        self._local = threading.local()
        self._pruned = 0.0
        self._held: list[tuple[str, str, str, int]] = []  # rows not written yet
        self._held_lock = threading.Lock()
        self._write_lock = threading.RLock()  # flush -> prune -> flush
        self._writer: threading.Thread | None = None
        _LIVE.add(self)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=WAIT_SECONDS, isolation_level=None,
                                 check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            self._local.db = db
        return db

    def record(self, q: str, filters: str, total: int, day: str | None = None) -> None:
        """Count one search: held in memory, written within FLUSH_SECONDS (`flush`)."""
        row = (day or _today(), normalise(q), filters, int(total))
        with self._held_lock:
            self._held.append(row)
            held = len(self._held)
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._write_every, daemon=True,
                                                name="query-log-writer")
                self._writer.start()
        if held >= _HELD_MAX:
            self.flush()

    def _write_every(self) -> None:
        """The background writer: every FLUSH_SECONDS while searches come; it ends when a
        wait brought none (the next search starts another)."""
        while True:
            time.sleep(FLUSH_SECONDS)
            with self._held_lock:
                if not self._held:
                    self._writer = None
                    return
            self.flush()

    def flush(self) -> None:
        """Write the rows held, in one transaction; a failure to write is logged and they
        are dropped."""
        with self._write_lock:
            with self._held_lock:
                rows, self._held = self._held, []
            if not rows:
                return
            try:
                db = self._db()
                for at in range(0, len(rows), _ROWS_PER_INSERT):
                    chunk = rows[at:at + _ROWS_PER_INSERT]
                    db.execute("INSERT INTO queries (day, q, filters, total) VALUES "
                               + ", ".join(["(?, ?, ?, ?)"] * len(chunk)),
                               [value for row in chunk for value in row])
                # Now and then, counting a search of today forgets what is past keeping.
                if rows[-1][0] == _today() and time.monotonic() - self._pruned > _PRUNE_EVERY_S:
                    self._pruned = time.monotonic()
                    self.prune()
            except sqlite3.Error as exc:
                log.warning("%d queries not logged: %s", len(rows), exc,
                            extra={"event": "querylog.dropped"})

    def prune(self, today: str | None = None) -> int:
        """Forget rows older than KEEP_DAYS; how many went."""
        self.flush()
        start = (datetime.fromisoformat(today or _today()) - timedelta(days=KEEP_DAYS)).date()
        return self._db().execute("DELETE FROM queries WHERE day < ?", (start.isoformat(),)).rowcount

    def top(self, limit: int = 20, zero_only: bool = False) -> list[QueryCount]:
        """The most asked queries (with text) of the kept days; only those whose latest search
        found nothing, if asked."""
        flush_all()  # what this process has counted and not written yet
        if not self.path.exists():
            return []
        where = "WHERE total = 0" if zero_only else ""
        rows = self._db().execute(
            "SELECT * FROM (SELECT q, filters, COUNT(*) AS n, MAX(day) AS last_day, "
            # the total of the latest row: what the query finds now (after a synonym was added)
            "(SELECT total FROM queries i WHERE i.q = o.q AND i.filters = o.filters "
            " ORDER BY rowid DESC LIMIT 1) AS total "
            f"FROM queries o WHERE q != '' GROUP BY q, filters) {where} "
            "ORDER BY n DESC, last_day DESC, q LIMIT ?", (limit,)).fetchall()
        return [QueryCount(q, json.loads(filters) if filters else {}, n, total, last_day)
                for q, filters, n, last_day, total in rows]

    def close(self) -> None:
        self.flush()
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


_LIVE: "weakref.WeakSet[QueryLog]" = weakref.WeakSet()


def flush_all() -> None:
    """Write every query log's held rows (this process's): before reading, and at exit."""
    for query_log in list(_LIVE):
        query_log.flush()


atexit.register(flush_all)
