"""Entries as JSON Lines: what `pprsearch export` writes and `pprsearch import` reads back."""

from __future__ import annotations

import json
import re
from typing import Iterable, Iterator

from .citation import parse_citation
from .ids import entry_id, valid_id
from .records import Entry, ParsedPage

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_TEXT_FIELDS = ("citation", "summary", "implications", "research_type", "url", "journal", "doi")


def dump(entries: Iterable[Entry]) -> Iterator[str]:
    """One JSON line per entry, every field by its name."""
    for entry in entries:
        yield json.dumps(entry.to_dict(), ensure_ascii=False)


def _entry(data: object) -> Entry:
    if not isinstance(data, dict):
        raise ValueError("a line must hold one JSON object")
    month, title = data.get("month"), data.get("title")
    if not isinstance(month, str) or not _MONTH.match(month.strip()):
        raise ValueError("month must be given as YYYY-MM")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("title is missing")
    fields: dict = {"month": month.strip(), "title": " ".join(title.split())}
    for name in _TEXT_FIELDS:
        value = data.get(name) or ""
        if not isinstance(value, str):
            raise ValueError(f"{name} must be text")
        fields[name] = value.strip()
    for name in ("topics", "authors"):
        value = data.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{name} must be a list of names")
        fields[name] = tuple(v.strip() for v in value if v.strip())
    year = data.get("pub_year")
    if year is not None and not isinstance(year, int):
        raise ValueError("pub_year must be a whole number")
    fields["pub_year"] = year
    fields["topics_inferred"] = bool(data.get("topics_inferred", False))
    fields["type_inferred"] = bool(data.get("type_inferred", False))
    if fields["citation"] and "authors" not in data:
        parts = parse_citation(fields["citation"])
        fields.update(authors=parts.authors, pub_year=parts.year,
                      journal=fields["journal"] or parts.journal, doi=fields["doi"] or parts.doi)
    given_id = data.get("id")
    if given_id is not None and not isinstance(given_id, str):
        raise ValueError("id must be text")
    if given_id and given_id.strip():
        if not valid_id(given_id.strip()):
            raise ValueError("id must look like YYYY-MM-slug-of-title (lower-case letters, "
                             f"digits and hyphens), not {given_id[:60]!r}")
        fields["id"] = given_id.strip()
    else:
        fields["id"] = entry_id(fields["month"], fields["title"])
    return Entry(**fields)


def parse_jsonl(text: str, source: str = "") -> ParsedPage:
    """Entries from JSON Lines; a bad line is reported by its number and skipped."""
    entries, problems = [], []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(_entry(json.loads(line)))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError too
            reason = "not valid JSON" if isinstance(exc, json.JSONDecodeError) else str(exc)
            problems.append(f"{source or 'input'}:{number}: skipped: {reason}")
    return ParsedPage(entries=tuple(entries), problems=tuple(problems))
