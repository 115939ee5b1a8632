"""Rebuilding the index from the archive: the one way the index is ever written."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .archive import Archive
from .store import Generation, IndexStore


def rebuild(
    data_folder: Path | str,
    progress: Callable[[int, int | None], None] | None = None,
    store: IndexStore | None = None,
) -> Generation:
    """Build a new index generation from every archive entry and swap it in.

    Pass the `store` whose build lock the caller already holds, if it does.
    """
    with Archive(data_folder) as archive:
        total = archive.count()
        # Read the whole archive first so the SQLite read is not held open during the build.
        entries = list(archive.entries())
    return (store or IndexStore(data_folder)).build(entries, total=total, progress=progress)
