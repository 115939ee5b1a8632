"""A list of entries written as one file: RIS, BibTeX, CSV or JSON Lines, record by record."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from crawler.evidence import extract
from crawler.jsonl import dump
from crawler.records import Entry

from ..evidence_view import effect_text, evidence_line

from . import bibtex, citable, ris
from .apa import apa_text


@dataclass(frozen=True)
class Export:
    content_type: str
    extension: str


EXPORTS = {
    "ris": Export(ris.CONTENT_TYPE, "ris"),
    "bibtex": Export(bibtex.CONTENT_TYPE, "bib"),
    "csv": Export("text/csv; charset=utf-8", "csv"),
    "jsonl": Export("application/x-ndjson; charset=utf-8", "jsonl"),
}
CSV_COLUMNS = ("id", "month", "title", "reference", "authors", "year", "journal", "volume",
               "issue", "pages", "doi", "research_type", "topics", "design", "studies",
               "participants", "effects", "summary", "implications", "blog_url", "page_url")
# A spreadsheet runs a cell starting with these as a formula; a leading ' keeps it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _reference(entry: Entry):
    """The paper when the entry prints one, else the summary: every entry gives one record."""
    return citable.paper(entry) or citable.summary(entry)


def write(entries: Iterable[Entry], fmt: str,
          page_url: Callable[[str], str] | None = None) -> Iterator[str]:
    """The file in pieces, one record (and a header first, for CSV) at a time."""
    page_url = page_url or (lambda entry_id: "")
    if fmt == "jsonl":
        yield from (line + "\n" for line in dump(entries))
    elif fmt == "csv":
        yield from _csv(entries, page_url)
    else:
        keys: set[str] = set()
        for entry in entries:
            ref = _reference(entry)
            extra = [("KW", topic) for topic in entry.topics]
            if page_url(entry.id):
                extra.append(("N1", f"PPRNet summary ({entry.month}): {page_url(entry.id)}"))
            evidence = evidence_line(extract(entry))
            if evidence:
                extra.append(("N1", "Evidence (read from the PPRNet summary): " + " · ".join(evidence)))
            if fmt == "ris":
                yield ris.ris_record(ref, entry.id, extra) + "\r\n"
            else:
                key = _unique(citable.key(ref, entry.id), keys)
                fields = [("keywords", ", ".join(entry.topics))]
                notes = [value for tag, value in extra if tag == "N1"]
                fields += [("note", ". ".join(notes))] if notes else []
                yield bibtex.bibtex_entry(ref, key, fields) + "\n"


def _unique(key: str, taken: set[str]) -> str:
    made, n = key, 0
    while made in taken:
        n += 1
        made = f"{key}{chr(ord('a') + n - 1) if n <= 26 else n}"
    taken.add(made)
    return made


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv(entries: Iterable[Entry], page_url: Callable[[str], str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for entry in entries:
        ref = citable.paper(entry)
        evidence = extract(entry)
        row = {
            "id": entry.id, "month": entry.month, "title": entry.title,
            "reference": apa_text(ref) if ref else "",
            "authors": "; ".join(f"{a.family}, {a.initials}".strip(", ") for a in ref.authors) if ref else "",
            "year": str(ref.year or "") if ref else "", "journal": ref.container if ref else "",
            "volume": ref.volume if ref else "", "issue": ref.issue if ref else "",
            "pages": ref.pages if ref else "", "doi": ref.doi if ref else entry.doi,
            "research_type": entry.research_type, "topics": "; ".join(entry.topics),
            "design": evidence.design or "",
            "studies": "" if evidence.studies is None else str(evidence.studies),
            "participants": "" if evidence.participants is None else str(evidence.participants),
            "effects": "; ".join(effect_text(effect) for effect in evidence.effects),
            "summary": entry.summary, "implications": entry.implications,
            "blog_url": entry.url, "page_url": page_url(entry.id),
        }
        writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])
        yield flush()
