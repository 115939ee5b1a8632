"""The entry record every layer passes along, defined once where entries are made."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """One monthly research summary, as the blog published it."""

    id: str
    month: str  # "YYYY-MM"
    title: str
    citation: str = ""
    summary: str = ""
    implications: str = ""
    topics: tuple[str, ...] = ()
    research_type: str = ""
    url: str = ""
    # Pulled out of the citation, when it has them.
    authors: tuple[str, ...] = ()
    pub_year: int | None = None
    journal: str = ""
    doi: str = ""
    # True when the tags were guessed from the entry's words rather than read from the site.
    topics_inferred: bool = False
    type_inferred: bool = False

    @property
    def year(self) -> str:
        return self.month[:4]

    def replace(self, **changes) -> "Entry":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["topics"] = list(self.topics)
        data["authors"] = list(self.authors)
        return data


@dataclass(frozen=True)
class ParsedPage:
    """What one page or file of the blog yields: its entries and the tag names it lists."""

    entries: tuple[Entry, ...]
    topics: tuple[str, ...] = ()
    research_types: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default=())  # readable notes on what was skipped
