"""Small presentation helpers shared by the pages: sentences and links built from results."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from crawler.citation import parse_citation
from index.schema import PARTICIPANT_BANDS
from search.records import SearchRequest, SearchResult

_BAND_LABELS = {key: label for key, _, _, label in PARTICIPANT_BANDS}

# Longer queries are cut in sentences and titles; the search box still holds them whole.
_QUOTE_MAX = 80

_DOI = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/[^\s]+[^\s.,;])", re.I)


def result_sentence(result: SearchResult) -> str:
    """What is shown, in words: '2 entries for “panic” in Anxiety Disorders, 2020–2021'."""
    req = result.request
    total = result.total
    words = f"{total} {'entry' if total == 1 else 'entries'}"
    if req.q:
        words += f" for “{_short(req.q)}”"
    if req.topic:
        words += " in " + " and ".join(req.topic)
    if req.type:
        words += ", " + " or ".join(req.type)
    if req.year:
        words += ", " + _years(req.year)
    if req.design:
        words += ", " + " or ".join(req.design)
    if req.participants:
        words += ", " + " or ".join(_BAND_LABELS.get(p, p) for p in req.participants) \
            + " participants"
    return words


def page_title(req: SearchRequest) -> str:
    """The browser tab's title: what is searched, then the site."""
    parts = [f"“{_short(req.q, 50)}”"] if req.q else []
    parts += list(req.topic) + list(req.type)
    if req.year:
        parts.append(_years(req.year))
    if req.page > 1:
        parts.append(f"page {req.page}")
    return " · ".join(parts + ["PPRNet Search"])


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page links a pager shows: the first, the last and a few around `page`; None for a gap."""
    keep = {1, pages, *range(page - around, page + around + 1)}
    out: list[int | None] = []
    for number in range(1, pages + 1):
        if number in keep:
            out.append(number)
        elif out and out[-1] is not None:
            out.append(None)
    return out


def _short(text: str, limit: int = _QUOTE_MAX) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip() + "…"


def _years(years: tuple[str, ...]) -> str:
    ordered = sorted(years)
    numbers = [int(y) for y in ordered]
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{ordered[0]}–{ordered[-1]}"
    return " or ".join(ordered)


def doi_of(citation: str) -> str:
    """The DOI a citation prints, bare ("10.1192/bjp.2021.148"), or ""."""
    m = _DOI.search(citation)
    return m.group(1) if m else ""


def citation_html(citation: str, marked: str = "") -> Markup:
    """The citation with its DOI (or doi.org address) as a link; everything else escaped.

    `marked` is the citation as a search marked it (escaped, with <mark>s; its DOI unmarked):
    the link goes in there instead."""
    html = Markup(marked) if marked else Markup(escape(citation))
    m = _DOI.search(citation)
    if not m:
        return html
    link = Markup('<a href="https://doi.org/{0}">{1}</a>').format(m.group(1), m.group(0))
    written = str(escape(m.group(0)))
    return Markup(str(html).replace(written, str(link), 1)) if written in html else html


def description(text: str, limit: int = 200) -> str:
    """The start of a text, cut at a word, for a page's meta description and link previews."""
    return _short(" ".join(text.split()), limit)


def month_label(month: str) -> str:
    """'2021-11' -> 'November 2021'."""
    names = ("January February March April May June July August September October "
             "November December").split()
    try:
        year, number = month.split("-")
        return f"{names[int(number) - 1]} {year}"
    except (ValueError, IndexError):
        return month


def active_filters(request: SearchRequest) -> list[tuple[str, str, str]]:
    """(group label, value, query string without it) for each selected facet value."""
    labels = {"topic": "Topic", "type": "Type", "year": "Year", "design": "Design",
              "participants": "Participants"}
    out = []
    for param in labels:
        for value in getattr(request, param):
            shown = _BAND_LABELS.get(value, value) if param == "participants" else value
            out.append((labels[param], shown, request.toggled_query(param, value)))
    return out


def duration(seconds: float) -> str:
    """How long an answer took, as a person reads it: '12 ms', '1.4 s'."""
    if seconds < 1:
        return f"{max(1, round(seconds * 1000))} ms"
    return f"{seconds:.1f} s"


_MARKED = re.compile(r"<mark>(.*?)</mark>")


def source_line(citation: str, citation_html: str = "") -> Markup:
    """A result's source in a few words: 'Papola et al. (2021), The British Journal of
    Psychiatry', with the words the search marked in the citation (`citation_html`) marked
    here too; empty when the citation names no author. The full citation stays on the entry
    page."""
    if not citation:
        return Markup("")
    parts = parse_citation(citation)
    if not parts.authors:
        return Markup("")
    who = parts.authors[0] + (" et al." if len(parts.authors) > 2 else
                              f" & {parts.authors[1]}" if len(parts.authors) == 2 else "")
    line = f"{who} ({parts.year})" if parts.year else who
    if parts.journal:
        line += f", {parts.journal}"
    marked = {m for m in _MARKED.findall(citation_html) if m}
    if not marked:
        return Markup(escape(line))
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(m)}(?!\w)"
                                  for m in sorted(marked, key=len, reverse=True)))
    return Markup(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", str(escape(line))))
