"""Importing files into the archive, then bringing the index up to date."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from crawler.errors import ImportFileError
from crawler.importer import files_in, read_file
from crawler.records import Entry

from .archive import Archive, UpsertCounts
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
    source_url: str = "",
) -> ImportReport:
    """Read every file, then upsert all entries and build the index from them in one go.

    A file that cannot be read, files that yield no entry at all, another build running or a
    build that fails leave the archive and the serving index as they were.
    """
    files = files_in(paths)
    if not files:
        raise ImportFileError(
            f"No files found in {', '.join(str(p) for p in paths)}: nothing was imported.")
    entries: list[Entry] = []
    problems: list[str] = []
    topics: set[str] = set()
    for path in files:
        if on_file:
            on_file(path)
        page = read_file(path, source_url=source_url)
        entries.extend(page.entries)
        problems.extend(page.problems)
        topics.update(page.topics)
    if not entries:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise ImportFileError(
            f"No entries found in {len(files)} file(s), so nothing was imported and the index "
            f"is as it was" + (f" ({shown})" if shown else "") + ". A text page needs month "
            "headings such as 'November 2021' over each entry; JSON Lines need one entry per "
            "line with at least month and title.")
    store = IndexStore(data_folder)
    # All or nothing: the index is built from the uncommitted archive, and the archive commits
    # only once the new index serves; no other build may start in between.
    with store.exclusive(), Archive(data_folder) as archive, archive.transaction():
        counts = archive.upsert(entries)
        if topics:
            known = set(archive.get_meta("topics", []))
            archive.set_meta("topics", sorted(known | topics))
        generation = store.build(list(archive.entries()), total=archive.count(), progress=progress)
    return ImportReport(len(files), counts, tuple(problems), generation)
