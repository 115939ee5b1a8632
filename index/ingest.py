"""Importing files into the archive, then bringing the index up to date."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from crawler.importer import files_in, read_file
from crawler.records import Entry

from .archive import Archive, UpsertCounts
from .rebuild import rebuild
from .store import Generation, IndexStore


@dataclass(frozen=True)
class ImportReport:
    """What an import did: files read, entries new/updated/unchanged, lines skipped."""

    files: int
    counts: UpsertCounts
    problems: tuple[str, ...]
    generation: Generation | None


def import_paths(
    data_folder: Path | str,
    paths: list[Path | str],
    on_file: Callable[[Path], None] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportReport:
    """Read every file first, then upsert all entries in one transaction, then reindex.

    A file that cannot be read, or another build running, stops the import before the archive
    is touched.
    """
    files = files_in(paths)
    entries: list[Entry] = []
    problems: list[str] = []
    topics: set[str] = set()
    for path in files:
        if on_file:
            on_file(path)
        page = read_file(path)
        entries.extend(page.entries)
        problems.extend(page.problems)
        topics.update(page.topics)
    store = IndexStore(data_folder)
    # No other build may start between this archive write and the index that shows it.
    with store.exclusive():
        with Archive(data_folder) as archive:
            with archive.transaction():
                counts = archive.upsert(entries)
                if topics:
                    known = set(archive.get_meta("topics", []))
                    archive.set_meta("topics", sorted(known | topics))
        generation = rebuild(data_folder, progress=progress, store=store)
    return ImportReport(len(files), counts, tuple(problems), generation)
