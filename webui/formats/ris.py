"""RIS records (the tagged format EndNote, Zotero and Mendeley import), one line per field."""

from __future__ import annotations

from typing import Iterable

from crawler.reference import Author, Reference

CONTENT_TYPE = "application/x-research-info-systems; charset=utf-8"
_TYPES = {"article": "JOUR", "chapter": "CHAP", "book": "BOOK", "webpage": "ELEC"}


def _line(tag: str, value: str) -> str:
    # A value is one line: RIS has no escapes, so a line break inside one would start a new field.
    return f"{tag}  - {' '.join(value.split())}\r\n"


def _name(person: Author) -> str:
    if person.literal:
        return person.literal
    return f"{person.family}, {person.initials}" if person.initials else person.family


def ris_record(ref: Reference, record_id: str = "", extra: Iterable[tuple[str, str]] = ()) -> str:
    """One record, from TY to ER; `extra` adds fields such as ("KW", topic) or ("N1", note)."""
    lines = [_line("TY", _TYPES.get(ref.kind, "GEN"))]
    if record_id:
        lines.append(_line("ID", record_id))
    lines += [_line("AU", _name(a)) for a in ref.authors]
    lines += [_line("A2", _name(e)) for e in ref.editors]  # A2: a chapter's editors
    if ref.year:
        lines.append(_line("PY", str(ref.year)))
        if ref.month:
            day = f"{ref.day:02d}" if ref.day else ""
            lines.append(_line("DA", f"{ref.year}/{ref.month:02d}/{day}/"))
    first, last = ref.page_range
    pairs = [("TI", ref.title), ("T2", ref.container), ("ET", ref.edition),
             ("PB", ref.publisher), ("VL", ref.volume), ("IS", ref.issue), ("SP", first),
             ("EP", last), ("DO", ref.doi), ("UR", ref.url), ("N1", ref.status)]
    if ref.kind == "article" and ref.container:
        pairs.insert(2, ("JO", ref.container))
    lines += [_line(tag, value) for tag, value in pairs if value]
    lines += [_line(tag, value) for tag, value in extra if value]
    lines.append("ER  - \r\n")
    return "".join(lines)
