"""The archive: a SQLite file in the data folder, the source of truth the index is built from."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from crawler.records import Entry

from . import identity
from .archive_schema import create_or_upgrade
from .errors import ArchiveError

ARCHIVE_FILE = "archive.sqlite3"
# Our name for a kind of research -> the site's label for it, once a crawl has read the labels.
TYPE_LABELS_KEY = "type_labels"

_ENTRY_COLUMNS = (
    "id", "month", "title", "citation", "summary", "implications", "topics", "research_type",
    "url", "authors", "pub_year", "journal", "doi", "topics_inferred", "type_inferred",
)


@dataclass(frozen=True)
class UpsertCounts:
    """What an import or crawl did to the archive."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: "UpsertCounts") -> "UpsertCounts":
        return UpsertCounts(
            self.new + other.new, self.updated + other.updated, self.unchanged + other.unchanged
        )


@dataclass(frozen=True)
class StoredPage:
    """A fetched page with the validators a conditional re-fetch sends back."""

    url: str
    status: int
    body: bytes
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    fetched_at: str = ""


def now() -> str:
    """The time as the archive writes it: UTC, ISO 8601, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def merge(old: Entry, new: Entry) -> Entry:
    """The entry to keep when `new` arrives for an id the archive holds as `old`.

    Tags read from the site win over inferred ones, and a known permalink is never forgotten.
    """
    changes = {}
    if new.topics_inferred and not old.topics_inferred and old.topics:
        changes.update(topics=old.topics, topics_inferred=False)
    if new.type_inferred and not old.type_inferred and old.research_type:
        changes.update(research_type=old.research_type, type_inferred=False)
    if not new.url and old.url:
        changes["url"] = old.url
    return new.replace(**changes) if changes else new


def _row_to_entry(row: sqlite3.Row) -> Entry:
    return Entry(
        id=row["id"], month=row["month"], title=row["title"], citation=row["citation"],
        summary=row["summary"], implications=row["implications"],
        topics=tuple(json.loads(row["topics"])), research_type=row["research_type"],
        url=row["url"], authors=tuple(json.loads(row["authors"])), pub_year=row["pub_year"],
        journal=row["journal"], doi=row["doi"], topics_inferred=bool(row["topics_inferred"]),
        type_inferred=bool(row["type_inferred"]),
    )


def _entry_values(entry: Entry) -> tuple:
    return (
        entry.id, entry.month, entry.title, entry.citation, entry.summary, entry.implications,
        json.dumps(list(entry.topics), ensure_ascii=False), entry.research_type, entry.url,
        json.dumps(list(entry.authors), ensure_ascii=False), entry.pub_year, entry.journal,
        entry.doi, int(entry.topics_inferred), int(entry.type_inferred),
    )


class Archive:
    """The entries and fetched pages of one data folder; use as a context manager."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.path = self.folder / ARCHIVE_FILE
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            create_or_upgrade(self.db)
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(f"Cannot open the archive {self.path}: {exc}") from exc

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def transaction(self):
        """A write transaction: all of it lands, or none of it."""
        return _Transaction(self.db)

    # Entries

    def upsert(self, entries: Iterable[Entry]) -> UpsertCounts:
        """Insert or update entries, one per post (see `_stored_as`), in one transaction."""
        new = updated = unchanged = 0
        with self.transaction():
            labels = self.get_meta(TYPE_LABELS_KEY, {})
            for entry in entries:
                if entry.type_inferred and entry.research_type in labels:
                    entry = entry.replace(research_type=labels[entry.research_type])
                old = self._stored_as(entry)
                if old is not None and old.id != entry.id:
                    if entry.url and self.get(entry.id) is None:
                        self._rename(old.id, entry.id)  # the permalinked record's id wins
                        old = old.replace(id=entry.id)
                    else:
                        entry = entry.replace(id=old.id)
                if old is not None:
                    entry = merge(old, entry)
                    if entry == old:
                        unchanged += 1
                        continue
                    updated += 1
                    self.db.execute(
                        f"UPDATE entries SET {', '.join(c + ' = ?' for c in _ENTRY_COLUMNS)}, "
                        "updated_at = ? WHERE id = ?", _entry_values(entry) + (now(), entry.id),
                    )
                    continue
                new += 1
                self.db.execute(
                    f"INSERT INTO entries ({', '.join(_ENTRY_COLUMNS)}, updated_at) "
                    f"VALUES ({', '.join('?' * len(_ENTRY_COLUMNS))}, ?)",
                    _entry_values(entry) + (now(),),
                )
        return UpsertCounts(new, updated, unchanged)

    def _stored_as(self, entry: Entry) -> Entry | None:
        """The stored entry that is the same post: by permalink, then by id, then (when just
        one side has a permalink) by month and a normalised title or citation.

        A permalink names a post whose title or month changed only when the title or citation
        still fits: the old site's monthly pages give all their entries the page's address.
        """
        if entry.url:
            rows = [_row_to_entry(row) for row in
                    self.db.execute("SELECT * FROM entries WHERE url = ?", (entry.url,))]
            same = next((r for r in rows if r.id == entry.id), None) or identity.one_of(entry, rows)
            if same is not None:
                return same
        old = self.get(entry.id)
        if old is not None:
            return old
        other_side = "url = ''" if entry.url else "url != ''"
        rows = self.db.execute(f"SELECT * FROM entries WHERE month = ? AND {other_side}",
                               (entry.month,))
        return identity.one_of(entry, (_row_to_entry(row) for row in rows))

    def _rename(self, old_id: str, new_id: str) -> None:
        """Give an entry a new id; the old one (and any before it) then leads to it."""
        self.db.execute("UPDATE entries SET id = ? WHERE id = ?", (new_id, old_id))
        self.db.execute("DELETE FROM entry_aliases WHERE old_id = ?", (new_id,))
        self.db.execute("UPDATE entry_aliases SET id = ? WHERE id = ?", (new_id, old_id))
        self.db.execute("INSERT OR REPLACE INTO entry_aliases (old_id, id, created_at) "
                        "VALUES (?, ?, ?)", (old_id, new_id, now()))

    def moved_to(self, old_id: str) -> str | None:
        """The id an entry once called `old_id` has now, if it was renamed."""
        row = self.db.execute("SELECT id FROM entry_aliases WHERE old_id = ?", (old_id,)).fetchone()
        return row["id"] if row else None

    def resolve(self, entry_id: str) -> str | None:
        """The id the entry known as `entry_id` has now (itself, or where it moved), if any."""
        if self.db.execute("SELECT 1 FROM entries WHERE id = ?", (entry_id,)).fetchone():
            return entry_id
        return self.moved_to(entry_id)

    def retired_at(self, entry_id: str) -> str | None:
        """When the entry was retired (the blog stopped listing it); None while it is live."""
        row = self.db.execute("SELECT retired_at FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return row["retired_at"] if row else None

    def get(self, entry_id: str) -> Entry | None:
        row = self.db.execute("SELECT * FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return _row_to_entry(row) if row else None

    def entries(self, include_retired: bool = False) -> Iterator[Entry]:
        """Every live entry (and the retired ones too, if asked), newest month first."""
        where = "" if include_retired else "WHERE retired_at IS NULL "
        for row in self.db.execute(f"SELECT * FROM entries {where}ORDER BY month DESC, id"):
            yield _row_to_entry(row)

    def retired(self) -> list[tuple[Entry, str]]:
        """The retired entries with when each was retired, most recent first."""
        rows = self.db.execute("SELECT * FROM entries WHERE retired_at IS NOT NULL "
                               "ORDER BY retired_at DESC, id").fetchall()
        return [(_row_to_entry(row), row["retired_at"]) for row in rows]

    def changed_at(self) -> Iterator[tuple[str, str]]:
        """(id, when it last changed) for every entry, newest month first: for sitemaps and feeds."""
        yield from self.db.execute("SELECT id, updated_at FROM entries ORDER BY month DESC, id")

    def get_with_change(self, entry_id: str) -> tuple[Entry, str] | None:
        """An entry and when the archive last changed it (UTC, ISO 8601)."""
        row = self.db.execute("SELECT * FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return (_row_to_entry(row), row["updated_at"]) if row else None

    def relabel_inferred_types(self, labels: dict[str, str]) -> int:
        """Call inferred types by the site's own labels from now on (a crawl has read them)."""
        changed = 0
        with self.transaction():
            self.set_meta(TYPE_LABELS_KEY, {**self.get_meta(TYPE_LABELS_KEY, {}), **labels})
            for ours, theirs in labels.items():
                if ours != theirs:
                    changed += self.db.execute(
                        "UPDATE entries SET research_type = ?, updated_at = ? "
                        "WHERE type_inferred = 1 AND research_type = ?", (theirs, now(), ours),
                    ).rowcount
        return changed

    def count(self) -> int:
        """Live entries: those search holds."""
        return self.db.execute("SELECT COUNT(*) FROM entries WHERE retired_at IS NULL").fetchone()[0]

    # Pages

    def put_page(self, page: StoredPage) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO pages (url, status, content_type, body, etag, last_modified,"
            " fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (page.url, page.status, page.content_type, page.body, page.etag,
             page.last_modified, page.fetched_at or now()),
        )

    def get_page(self, url: str) -> StoredPage | None:
        row = self.db.execute("SELECT * FROM pages WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        return StoredPage(
            url=row["url"], status=row["status"], body=row["body"] or b"",
            content_type=row["content_type"], etag=row["etag"],
            last_modified=row["last_modified"], fetched_at=row["fetched_at"],
        )

    def pages(self) -> Iterator[StoredPage]:
        for row in self.db.execute("SELECT url FROM pages ORDER BY url"):
            page = self.get_page(row["url"])
            if page is not None:
                yield page

    # Small facts (last crawl, vocabularies)

    def set_meta(self, key: str, value) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (key, json.dumps(value, ensure_ascii=False)),
        )

    def get_meta(self, key: str, default=None):
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row["value"]) if row else default


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.nested = False

    def __enter__(self):
        self.nested = self.db.in_transaction
        if not self.nested:
            self.db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, exc_type, exc, tb):
        if self.nested:
            return False
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
