"""Backups of the archive while the service runs, and bringing one back.

`backup` copies the live archive with SQLite's online backup API: one read transaction over a
WAL database, so the copy is the archive as it stood at one instant (a crawl writing meanwhile
is neither blocked nor half-copied), written to a temporary file and renamed into place.
`restore` copies a backup into a data folder's archive through the same API (so a server with
the archive open sees the new content, never a file swapped under its connections), fails the
jobs the copy recorded as running (their processes belong to the backed-up folder), brings the
tables up to date, and rebuilds the index from it.

The index is derived and not copied; the query log and the data folder's config.py,
synonyms.txt and secret_key are not the archive either: copy those files as they are.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from .archive import ARCHIVE_FILE, Archive, now
from .errors import IndexError_
from .jobs import Jobs, JobRunning
from .rebuild import rebuild
from .store import Generation


class BackupError(IndexError_):
    """A backup cannot be written or read, or a restore would overwrite an archive."""

    status = 400
    code = "bad_backup"


@dataclass(frozen=True)
class Restored:
    """What a restore brought back."""

    entries: int
    generation: Generation


def backup(data_folder: Path | str, dest: Path | str) -> Path:
    """Copy the archive to `dest` (a file, or a folder to put a dated file in); the file written."""
    source = Path(data_folder) / ARCHIVE_FILE
    if not source.is_file():
        raise BackupError(f"There is no archive at {source} to back up.")
    folder_named = str(dest).endswith(("/", os.sep))
    dest = Path(dest).expanduser()
    if folder_named or dest.is_dir():
        target = dest / f"archive-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}.sqlite3"
    else:
        target = dest
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with Archive(data_folder) as archive:  # brings an old file's tables up to date first
            copy = sqlite3.connect(tmp)
            try:
                archive.db.backup(copy)
                # One self-contained file: no -wal beside it to lose when it is moved.
                copy.execute("PRAGMA journal_mode=DELETE")
                _check(copy, target)
            finally:
                copy.close()
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"Cannot write the backup {target}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _check(db: sqlite3.Connection, path: Path) -> int:
    """The backup's live entries; BackupError unless it is a whole archive."""
    try:
        ok = db.execute("PRAGMA quick_check").fetchone()[0]
        entries = db.execute("SELECT COUNT(*) FROM entries WHERE retired_at IS NULL").fetchone()[0]
    except sqlite3.Error as exc:
        raise BackupError(f"{path} is not an archive backup: {exc}.") from exc
    if ok != "ok":
        raise BackupError(f"{path} is damaged ({ok}); restore another backup.")
    return entries


def restore(src: Path | str, data_folder: Path | str, force: bool = False) -> Restored:
    """Bring the backup `src` back as the data folder's archive, then rebuild the index.

    Refuses to overwrite an archive holding entries or pages unless `force`; refuses while a
    job runs in the folder.
    """
    src = Path(src).expanduser()
    if not src.is_file():
        raise BackupError(f"There is no backup at {src}.")
    folder = Path(data_folder)
    try:
        backup_db = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot open the backup {src}: {exc}") from exc
    try:
        _check(backup_db, src)
        with Archive(folder) as archive:
            active = Jobs(folder).active()
            if active is not None:
                raise JobRunning(active)
            held = archive.db.execute(
                "SELECT (SELECT COUNT(*) FROM entries) + (SELECT COUNT(*) FROM pages)").fetchone()[0]
            if held and not force:
                raise BackupError(
                    f"{folder / ARCHIVE_FILE} already holds an archive ({archive.count()} entries); "
                    "restore into an empty data folder, or add --force to replace it.")
            try:
                backup_db.backup(archive.db)
            except sqlite3.Error as exc:
                raise BackupError(f"Cannot restore {src} into {folder}: {exc}") from exc
    finally:
        backup_db.close()
    with Archive(folder) as archive:  # reopened: an older backup's tables are brought up to date
        archive.db.execute(
            "UPDATE jobs SET state = 'failed', finished_at = ?, "
            "error = 'Still running when the backup was taken; it did not run here.' "
            "WHERE state IN ('queued', 'running')", (now(),))
        entries = archive.count()
    return Restored(entries, rebuild(folder))
