"""Reading the blog's HTML pages (listings, entry pages, the old site's monthly pages) into
entries, and the links a crawler follows from them.

Moving parts: `htmltext.reading_lines` gives the page's lines in reading order; each month
heading line opens an entry whose lines (up to the next month heading, inside the largest
element holding that heading and no other) go through the text parser, so a page and its text
copy give the same entries. Links are read beside the text: the Topics and Type of Research
filters from anywhere on the page (links or a drop-down), an entry's own link from its title or
its "Read more" link. A page with no month heading whose month is known otherwise (the old
site puts it in the address) is cut into entries at each title followed by a reference.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections import Counter
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from .citation import looks_like_citation
from .htmllinks import (PAGE_PARAM, TOPIC_PARAM, TYPE_PARAM, declared_url, filters_of, is_listing,
                        is_pager, is_web, listing_url, pager_of, site_url)
from .htmltext import HEADINGS, Line, reading_lines, soup_of
from .records import Entry, ParsedPage
from .textpage import _month as month_of  # one rule, shared, for what a month heading is
from .textpage import parse_text_page

log = logging.getLogger(__name__)

__all__ = ["ListingPage", "parse_html_page", "parse_listing", "listing_url", "is_listing",
           "PAGE_PARAM", "TOPIC_PARAM", "TYPE_PARAM"]

_IMPLICATIONS = re.compile(r"practice\s+implications?\s*:?", re.IGNORECASE)
_IMPLICATIONS_INLINE = re.compile(r"(practice\s+implications?)\s*:\s*(\S.*)", re.IGNORECASE)
_OLD_PAGE = re.compile(r"pprnet_blog_([a-z]+)[_-]?((?:19|20)\d\d)", re.IGNORECASE)
_MONTH_WORDS = re.compile(r"\b([A-Za-z]+)\.?\s+((?:19|20)\d\d)\b")
_LINK_LINE_WORDS = 6


@dataclass(frozen=True)
class ListingPage:
    """One HTML page of the blog: its entries, and the links a crawler follows from it."""

    page: ParsedPage
    topic_links: tuple[tuple[str, str], ...] = ()  # (name, id) of each Topics filter, page order
    type_links: tuple[tuple[str, str], ...] = ()  # (name, id) of each Type of Research filter
    entry_links: tuple[tuple[str, str], ...] = ()  # (entry id, absolute URL of its own page)
    partial: tuple[str, ...] = ()  # ids of entries shown only in part, to be read on their page
    page_links: tuple[str, ...] = ()  # other pages of the same listing (its pager)


def parse_html_page(text: str | bytes, base_url: str = "", source: str = "") -> ParsedPage:
    """The entries of a saved or fetched page of the blog (what `pprsearch import` reads)."""
    return parse_listing(text, base_url, source=source).page


def parse_listing(markup: str | bytes, url: str = "", *, month: str = "", source: str = "",
                  encoding: str | None = None) -> ListingPage:
    """Everything one page gives: entries, filters, entry links and its pager.

    `url` is the page's address (links are resolved against it; a saved page's own canonical
    address is used when it is empty); `month` ("YYYY-MM") and `source` (a file name) say
    which month a page without month headings holds.
    """
    soup = soup_of(markup, encoding)
    base = url or declared_url(soup, markup)
    lines = [line for line in reading_lines(soup) if not is_pager(line, base)]
    segments = _month_segments(lines)
    standalone = False
    if not segments:
        hint = month or _page_month(soup, base, source)
        if hint:
            segments, standalone = _titled_segments(lines, hint), True
    entries: list[Entry] = []
    links: list[tuple[str, str]] = []
    partial: list[str] = []
    problems: list[str] = []
    for heading, heading_line, body in segments:
        entry = _entry(heading, body)
        if entry is None:
            problems.append(f"month heading {heading!r} has no entry (a title over a summary) "
                            "under it; skipped")
            continue
        link, more = _own_link(heading_line, body, entry.title, base)
        if link:
            links.append((entry.id, link))
            if more or not entry.implications:
                partial.append(entry.id)
        url_of_entry = link or (base if standalone and is_web(base) else "")
        entries.append(entry.replace(url=url_of_entry) if url_of_entry else entry)
    if not segments:
        problems.append("no month heading found, so the page holds no entries")
    for shared, count in Counter(e.id for e in entries).items():
        if count > 1:
            problems.append(f"{count} entries share the id {shared!r}")
    topics, types = filters_of(soup, base)
    parsed = ParsedPage(entries=tuple(entries), topics=tuple(n for n, _ in topics),
                        research_types=tuple(n for n, _ in types), problems=tuple(problems))
    return ListingPage(parsed, topics, types, tuple(links), tuple(partial), pager_of(soup, base))


# Entries


def _month_segments(lines: list[Line]) -> list[tuple[str, Line | None, list[Line]]]:
    """(heading, heading line, lines after it) for each month heading, within its scope."""
    heads = [i for i, line in enumerate(lines) if line.text and month_of(line.text)]
    under: Counter[int] = Counter()
    for i in heads:
        for element in _chain(lines[i].element):
            under[id(element)] += 1
    segments = []
    for n, i in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        scope = _scope(lines[i].element, under)
        body = [line for line in lines[i + 1 : end] if _within(line.element, scope)]
        segments.append((lines[i].text, lines[i], body))
    return segments


def _chain(element: Tag):
    yield element
    yield from element.parents


def _scope(element: Tag, under: Counter[int]) -> Tag:
    """The largest element around a month heading that holds no other month heading.

    When the headings are siblings (one flat column of entries) that is the heading itself,
    and its parent is taken instead: the column, which still keeps out what is beside it.
    """
    own, scope = under[id(element)], element
    for parent in element.parents:
        if under[id(parent)] != own:
            break
        scope = parent
    if scope is element and element.parent is not None:
        scope = element.parent
    return scope


def _within(element: Tag, scope: Tag) -> bool:
    return any(node is scope for node in _chain(element))


def _titled_segments(lines: list[Line], month: str) -> list[tuple[str, Line | None, list[Line]]]:
    """Entries of a page that names its month only once: each a title over a reference.

    With no reference at all, each heading followed by a "Practice Implications" heading.
    """
    year, number = month.split("-")
    heading = f"{calendar.month_name[int(number)]} {year}"
    texts = [i for i, line in enumerate(lines) if line.text]
    starts: list[int] = []
    for k in range(1, len(texts)):
        reference, above_it = lines[texts[k]].text, lines[texts[k - 1]].text
        if not looks_like_citation(reference) or looks_like_citation(above_it):
            continue
        # The title is the line over the reference, or a bold one over a series preamble.
        above = [texts[j] for j in (k - 1, k - 2) if j >= 0 and texts[j] not in starts]
        titles = [i for i in above if lines[i].bold and not _IMPLICATIONS.fullmatch(lines[i].text)]
        starts.append(titles[0] if titles else above[0])
    need_implications = not starts
    if need_implications:
        starts = [i for i in texts
                  if lines[i].tag in HEADINGS and not _IMPLICATIONS.fullmatch(lines[i].text)]
    segments = []
    for n, i in enumerate(starts):
        body = lines[i : starts[n + 1] if n + 1 < len(starts) else len(lines)]
        if need_implications and not any(_IMPLICATIONS.match(line.text) for line in body):
            continue
        segments.append((heading, None, body))
    return segments


def _entry(heading: str, body: list[Line]) -> Entry | None:
    """The text parser's reading of one entry's lines."""
    texts: list[str] = []
    for line in body:
        if texts and line.link_only and len(line.text.split()) <= _LINK_LINE_WORDS:
            continue  # "Previous month", "Download the PDF": navigation, not the entry's words
        inline = _IMPLICATIONS_INLINE.fullmatch(line.text)
        if inline:  # "<b>Practice Implications:</b> The results ..." in one paragraph
            texts.extend(inline.groups())
        elif line.text:
            texts.append(line.text)
    page = parse_text_page("\n".join([heading, *texts]))
    if not page.entries:
        return None
    entry = page.entries[0]
    # An entry has the shape of one: a month, a title and words under it. A month heading over
    # one line (a newsletter's date, an events list) is not an entry.
    return entry if (entry.summary or entry.implications) else None


def _own_link(heading_line: Line | None, body: list[Line], title: str,
              base: str) -> tuple[str, bool]:
    """The entry's own page: a link on its heading or title, else its "Read more" link.

    The flag says the link was a "Read more": the listing shows only part of the entry.
    """
    near = [heading_line] if heading_line else []
    for line in body:
        if line.text and line.text.casefold() != title.casefold():
            break
        near.append(line)
    for line in near:
        for href, _ in line.links:
            if url := site_url(href, base):
                return url, False
    for line in body:
        for href in line.more:
            if url := site_url(href, base):
                return url, True
    return "", False


def _page_month(soup: BeautifulSoup, base: str, source: str) -> str:
    """The month of a page without month headings: from its address, file name or title."""
    for text in (source, base):
        for month, year in _OLD_PAGE.findall(text or ""):
            if found := month_of(f"{month} {year}"):
                return found
    titles = [soup.title.get_text(" ") if soup.title else ""]
    titles += [h.get_text(" ") for h in soup.find_all("h1", limit=2)]
    for text in titles:
        for month, year in _MONTH_WORDS.findall(text):
            if found := month_of(f"{month} {year}"):
                return found
    return ""
