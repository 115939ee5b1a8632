"""Figures about one data folder's archive and index, for `pprsearch stats` and the admin page."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from .archive import Archive
from .errors import IndexNotBuilt
from .store import IndexStore


def archive_stats(data_folder: Path | str) -> dict:
    """Entries, per type, per topic, inferred vs site tags, retired entries, index version,
    last crawl."""
    topics: Counter[str] = Counter()
    types: Counter[str] = Counter()
    inferred_topics = inferred_types = total = 0
    with Archive(data_folder) as archive:
        for entry in archive.entries():
            total += 1
            topics.update(entry.topics)
            types[entry.research_type] += 1
            inferred_topics += entry.topics_inferred
            inferred_types += entry.type_inferred
        last_crawl = archive.get_meta("last_crawl")
        retired = [{"id": entry.id, "title": entry.title, "month": entry.month, "url": entry.url,
                    "retired_at": retired_at} for entry, retired_at in archive.retired()]
    try:
        generation = IndexStore(data_folder).current()
        index = {"version": generation.name, "entries": generation.entries,
                 "built_at": generation.built_at, "seconds": generation.seconds,
                 "analysis_current": generation.current_analysis,
                 "evidence_current": generation.current_evidence}
    except IndexNotBuilt:
        index = {"version": None, "entries": 0, "built_at": None, "seconds": None,
                 "analysis_current": True, "evidence_current": True}
    return {
        "entries": total,
        "topics": dict(topics.most_common()),
        "types": dict(types.most_common()),
        "inferred_topics": inferred_topics,
        "inferred_types": inferred_types,
        "retired": retired,  # out of search; `pprsearch restore-entry ID` brings one back
        "index": index,
        "last_crawl": last_crawl,
    }
