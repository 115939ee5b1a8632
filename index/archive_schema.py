"""The archive's tables, and the step that brings a file written by older code up to date."""

from __future__ import annotations

import sqlite3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id TEXT PRIMARY KEY,
    month TEXT NOT NULL,
    title TEXT NOT NULL,
    citation TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    implications TEXT NOT NULL DEFAULT '',
    topics TEXT NOT NULL DEFAULT '[]',
    research_type TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    authors TEXT NOT NULL DEFAULT '[]',
    pub_year INTEGER,
    journal TEXT NOT NULL DEFAULT '',
    doi TEXT NOT NULL DEFAULT '',
    topics_inferred INTEGER NOT NULL DEFAULT 0,
    type_inferred INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_month ON entries (month);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    status INTEGER NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    body BLOB,
    etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL,
    progress TEXT NOT NULL DEFAULT '{}',
    log TEXT NOT NULL DEFAULT '[]',
    error TEXT NOT NULL DEFAULT '',
    pid INTEGER,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- Finding the stored entry an arriving one is: by permalink, or by month among the entries
-- with (or without) one.
CREATE INDEX IF NOT EXISTS entries_url ON entries (url);
CREATE INDEX IF NOT EXISTS entries_month_url ON entries (month, url);
-- An entry's earlier ids (its title or month changed), each naming the id it has now.
CREATE TABLE IF NOT EXISTS entry_aliases (
    old_id TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""
# Columns added since the first archives; an older file gains them when it is opened.
_ADDED_COLUMNS = (
    ("seen_by", "TEXT NOT NULL DEFAULT ''"),  # base URL of the crawl whose listing last showed it
    ("missed", "INTEGER NOT NULL DEFAULT 0"),  # complete crawls in a row that did not list it
    ("retired_at", "TEXT"),  # set once the blog no longer lists it; NULL while it is live
)


def create_or_upgrade(db: sqlite3.Connection) -> None:
    """Create what is missing: the tables of a new file, the columns newer code added."""
    db.executescript(_SCHEMA)

    def missing() -> list[tuple[str, str]]:
        have = {row[1] for row in db.execute("PRAGMA table_info(entries)")}
        return [(name, decl) for name, decl in _ADDED_COLUMNS if name not in have]

    if not missing():
        return
    db.execute("BEGIN IMMEDIATE")  # another process may be upgrading the same file: look again
    try:
        for name, decl in missing():
            db.execute(f"ALTER TABLE entries ADD COLUMN {name} {decl}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
