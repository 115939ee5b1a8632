"""BibTeX entries, with TeX's special characters escaped and acronyms kept in capitals."""

from __future__ import annotations

import re
from typing import Iterable

from crawler.reference import Author, Reference

CONTENT_TYPE = "application/x-bibtex; charset=utf-8"
_TYPES = {"article": "article", "chapter": "incollection", "book": "book", "webpage": "misc"}
_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%",
    "&": r"\&", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_SPECIAL = re.compile("|".join(re.escape(ch) for ch in _SPECIALS))
_ACRONYM = re.compile(r"\b([A-Z][A-Z0-9]+)\b")


def escape(text: str) -> str:
    """Text safe inside a braced BibTeX value (braces balanced, TeX specials quoted)."""
    return _SPECIAL.sub(lambda m: _SPECIALS[m.group(0)], " ".join(text.split()))


def _title(text: str) -> str:
    # Styles lower-case titles; braces keep "CBT" and "PTSD" as printed.
    return _ACRONYM.sub(r"{\1}", escape(text))


def _name(person: Author) -> str:
    if person.literal:
        return "{" + escape(person.literal) + "}"  # a body's name is never split into parts
    if person.initials:
        return f"{escape(person.family)}, {escape(person.initials)}"
    return escape(person.family)


def _names(people: tuple[Author, ...], more: bool = False) -> str:
    return " and ".join([_name(p) for p in people] + (["others"] if more else []))


def bibtex_entry(ref: Reference, key: str, extra: Iterable[tuple[str, str]] = ()) -> str:
    """One @type{key, field = {value}, ...} entry; `extra` adds already-plain fields (escaped here)."""
    fields: list[tuple[str, str]] = []
    if ref.authors:
        fields.append(("author", _names(ref.authors, bool(ref.omitted))))
    if ref.editors:
        fields.append(("editor", _names(ref.editors)))
    fields.append(("title", _title(ref.title)))
    container = {"article": "journal", "chapter": "booktitle"}.get(ref.kind, "howpublished")
    if ref.container:
        fields.append((container, escape(ref.container)))
    if ref.year:
        fields.append(("year", str(ref.year)))
    first, last = ref.page_range
    plain = [("edition", ref.edition), ("publisher", ref.publisher), ("volume", ref.volume),
             ("number", ref.issue), ("pages", f"{first}--{last}" if last else first),
             ("doi", ref.doi), ("url", ref.url), ("note", ref.status), *extra]
    fields += [(name, escape(value)) for name, value in plain if value]
    if ref.year and ref.month:
        fields.insert(fields.index(("year", str(ref.year))) + 1, ("month", str(ref.month)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{_TYPES.get(ref.kind, 'misc')}{{{key},\n{body}\n}}\n"
