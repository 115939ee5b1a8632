"""Which entries the blog still lists: retiring the posts it removed, restoring one by hand.

A crawl marks every entry its walk of the blog's listing found as seen by that blog. A crawl
that walked the whole listing (not stopped by a page cap, no listing page failed) counts a
miss for each entry seen before that it did not find; two misses in a row retire the entry.
Retired entries stay in the archive, out of the index; found again, or restored, they are back.
An archive kept before entries were marked learns what earlier crawls found from the listing
pages they stored (`adopt_listed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .archive import Archive, now
from .errors import ArchiveError

# Complete crawls in a row an entry must be missing from before it is retired.
MISSES_TO_RETIRE = 2
# `seen_by` of an entry restored by hand: no crawl's, until a crawl lists it again.
RESTORED = "(restored)"


@dataclass(frozen=True)
class Presence:
    """What one crawl's listing changed: entries missing once, retired, and listed again."""

    missing: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()
    back: tuple[str, ...] = ()

    @property
    def changed_index(self) -> bool:
        return bool(self.retired or self.back)


def note_listing(archive: Archive, base_url: str, listed: Iterable[str],
                 complete: bool) -> Presence:
    """Record the ids a crawl of `base_url` found in the listing; count misses if `complete`."""
    found = {i for i in (archive.resolve(ident) for ident in listed) if i is not None}
    missing, retired, back = [], [], []
    with archive.transaction():
        for ident in sorted(found):
            if archive.retired_at(ident):
                back.append(ident)
            archive.db.execute("UPDATE entries SET seen_by = ?, missed = 0, retired_at = NULL "
                               "WHERE id = ?", (base_url, ident))
        if complete:
            rows = archive.db.execute(
                "SELECT id, missed FROM entries WHERE seen_by = ? AND retired_at IS NULL "
                "ORDER BY id", (base_url,)).fetchall()
            for row in rows:
                if row["id"] in found:
                    continue
                missed = row["missed"] + 1
                gone = missed >= MISSES_TO_RETIRE
                (retired if gone else missing).append(row["id"])
                archive.db.execute("UPDATE entries SET missed = ?, retired_at = ? WHERE id = ?",
                                   (missed, now() if gone else None, row["id"]))
    return Presence(tuple(missing), tuple(retired), tuple(back))


def adopt_listed(archive: Archive, base_url: str, listed: Iterable[str]) -> int:
    """Mark as seen by `base_url` the entries an earlier crawl's listing showed (`listed`, read
    from its stored pages) that no crawl has marked yet; how many were."""
    marked = 0
    with archive.transaction():
        for ident in {i for i in (archive.resolve(x) for x in listed) if i is not None}:
            marked += archive.db.execute("UPDATE entries SET seen_by = ? WHERE id = ? AND "
                                         "seen_by = ''", (base_url, ident)).rowcount
    return marked


def restore(archive: Archive, entry_id: str) -> str:
    """Bring a retired entry back; its id now. Crawls then leave it be until they list it again."""
    current = archive.resolve(entry_id)
    if current is None:
        raise ArchiveError(f"No entry has the id {entry_id!r}; `pprsearch stats` lists the "
                           "retired ones.")
    if not archive.retired_at(current):
        raise ArchiveError(f"The entry {current!r} is not retired; nothing to restore.")
    with archive.transaction():
        archive.db.execute("UPDATE entries SET retired_at = NULL, missed = 0, seen_by = ? "
                           "WHERE id = ?", (RESTORED, current))
    return current
