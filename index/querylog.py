"""What people search for: one row per search asked of the web (pages and API), for /admin.

A row holds the normalised query text, the filters and the number of entries found, and the
day; never an address, a cookie or a user agent. Rows older than KEEP_DAYS are pruned.

The log is a SQLite file of its own (`queries.sqlite3`), not a table in the archive: a crawl
holds the archive's write lock for a page's transaction at a time, and a search must never wait
behind it to record itself; and a backup of the archive (the source of truth) then carries no
record of what people searched for. Writing is a plain INSERT on a per-thread connection
(WAL, synchronous=NORMAL: tens of microseconds); a write kept waiting over 50 ms by another
is dropped, never failing a search.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

log = logging.getLogger(__name__)

QUERY_LOG_FILE = "queries.sqlite3"
KEEP_DAYS = 90
_PRUNE_EVERY_S = 3600
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

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=0.05, isolation_level=None,
                                 check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            self._local.db = db
        return db

    def record(self, q: str, filters: str, total: int, day: str | None = None) -> None:
        """Count one search; a failure to write is logged and dropped."""
        try:
            db = self._db()
            db.execute("INSERT INTO queries (day, q, filters, total) VALUES (?, ?, ?, ?)",
                       (day or _today(), normalise(q), filters, int(total)))
            # Now and then, counting a search of today forgets what is past keeping.
            if day is None and time.monotonic() - self._pruned > _PRUNE_EVERY_S:
                self._pruned = time.monotonic()
                self.prune()
        except sqlite3.Error as exc:
            log.warning("query not logged: %s", exc, extra={"event": "querylog.dropped"})

    def prune(self, today: str | None = None) -> int:
        """Forget rows older than KEEP_DAYS; how many went."""
        start = (datetime.fromisoformat(today or _today()) - timedelta(days=KEEP_DAYS)).date()
        return self._db().execute("DELETE FROM queries WHERE day < ?", (start.isoformat(),)).rowcount

    def top(self, limit: int = 20, zero_only: bool = False) -> list[QueryCount]:
        """The most asked queries (with text) of the kept days; only those whose latest search
        found nothing, if asked."""
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
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
