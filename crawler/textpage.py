"""Reading a blog listing page saved as text into entries.

A page is a header (intro, "This month..." teaser, "Type of Research", the "Topics" list),
then entries: a month heading line, the title, usually an APA reference, summary paragraphs,
a "Practice Implications" heading and the implications. Each non-blank line is one
paragraph. See notes/live-site.md for the variants handled here.
"""

from __future__ import annotations

import re
from collections import Counter

from crawler.citation import CitationParts, looks_like_citation, parse_citation
from crawler.ids import entry_id
from crawler.records import Entry, ParsedPage
from crawler.vocabulary import NOT_A_TOPIC

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# Only a line that is nothing but "<Month> <YYYY>" opens an entry, never a sentence.
_HEADING = re.compile(r"(?P<month>[A-Za-z]+)\.?\s+(?P<year>(?:19|20)\d\d)")
_IMPLICATIONS = re.compile(r"practice\s+implications?\s*:?", re.IGNORECASE)
_TOPICS_HEADING = re.compile(r"topics\s*:?", re.IGNORECASE)
_LIST_ITEM = re.compile(r"[-•*–]\s*(?P<item>.+)")


def parse_text_page(text: str, source_url: str = "") -> ParsedPage:
    """Turn one saved listing page into its entries and its Topics vocabulary."""
    lines = _clean_lines(text)
    starts = [i for i, line in enumerate(lines) if _month(line)]
    header = lines[: starts[0]] if starts else lines
    problems: list[str] = []
    if not starts:
        problems.append("no month heading found, so the page holds no entries")

    entries: list[Entry] = []
    for start, end in zip(starts, starts[1:] + [len(lines)]):
        entry = _entry(lines[start], lines[start + 1 : end], source_url)
        if entry is None:
            problems.append(f"month heading {lines[start]!r} has no title under it; skipped")
        else:
            entries.append(entry)

    for shared, count in Counter(entry.id for entry in entries).items():
        if count > 1:
            problems.append(f"{count} entries share the id {shared!r}")
    return ParsedPage(
        entries=tuple(entries), topics=_topics(header), problems=tuple(problems)
    )


def _clean_lines(text: str) -> list[str]:
    """Non-blank lines with the BOM, line-end style and stray spacing taken out."""
    text = text.lstrip("\ufeff")
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


def _month(line: str) -> str:
    """The month of a heading line as "YYYY-MM"; "" for any other line."""
    match = _HEADING.fullmatch(line)
    if match is None:
        return ""
    number = _MONTHS.get(match.group("month").casefold())
    if number is None:
        return ""
    return f"{match.group('year')}-{number:02d}"


def _topics(header: list[str]) -> tuple[str, ...]:
    """The names listed under the header's "Topics" heading, minus the clear-filter link."""
    topics: list[str] = []
    for i, line in enumerate(header):
        if not _TOPICS_HEADING.fullmatch(line):
            continue
        for item_line in header[i + 1 :]:
            item = _LIST_ITEM.fullmatch(item_line)
            if item is None:
                break
            name = item.group("item").strip()
            if name.casefold() != NOT_A_TOPIC.casefold() and name not in topics:
                topics.append(name)
        break
    return tuple(topics)


def _same_line(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _entry(heading: str, body: list[str], source_url: str) -> Entry | None:
    """One entry from its month heading and the lines up to the next heading."""
    if not body:
        return None
    title, rest = body[0], body[1:]
    if rest and _same_line(rest[0], title):
        rest = rest[1:]  # the site sometimes prints the title twice

    cut = next((i for i, line in enumerate(rest) if _IMPLICATIONS.fullmatch(line)), None)
    before = rest if cut is None else rest[:cut]
    after = [] if cut is None else rest[cut + 1 :]
    after = [line for line in after if not _IMPLICATIONS.fullmatch(line)]

    # Usually right under the title, but sometimes after the first paragraph.
    at = next((i for i, line in enumerate(before) if looks_like_citation(line)), None)
    citation = "" if at is None else before[at]
    summary = before if at is None else before[:at] + before[at + 1 :]
    parts = parse_citation(citation) if citation else CitationParts()

    month = _month(heading)
    return Entry(
        id=entry_id(month, title),
        month=month,
        title=title,
        citation=citation,
        summary="\n\n".join(summary),
        implications="\n\n".join(after),
        url=source_url,
        authors=parts.authors,
        pub_year=parts.year,
        journal=parts.journal,
        doi=parts.doi,
    )
