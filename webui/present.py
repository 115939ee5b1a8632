"""Small presentation helpers shared by the pages: sentences and links built from results."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from search.records import SearchRequest, SearchResult

_DOI = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/[^\s]+[^\s.,;])", re.I)


def result_sentence(result: SearchResult) -> str:
    """What is shown, in words: '2 entries for “panic” in Anxiety Disorders, 2020–2021'."""
    req = result.request
    total = result.total
    words = f"{total} {'entry' if total == 1 else 'entries'}"
    if req.q:
        words += f" for “{req.q}”"
    if req.topic:
        words += " in " + " and ".join(req.topic)
    if req.type:
        words += ", " + " or ".join(req.type)
    if req.year:
        words += ", " + _years(req.year)
    return words


def _years(years: tuple[str, ...]) -> str:
    ordered = sorted(years)
    numbers = [int(y) for y in ordered]
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{ordered[0]}–{ordered[-1]}"
    return " or ".join(ordered)


def citation_html(citation: str, doi: str = "") -> Markup:
    """The citation with its DOI (or doi.org address) as a link; everything else escaped."""
    m = _DOI.search(citation)
    if not m:
        return Markup(escape(citation))
    link = Markup('<a href="https://doi.org/{0}">{1}</a>').format(m.group(1), m.group(0))
    return escape(citation[: m.start()]) + link + escape(citation[m.end():])


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
    labels = {"topic": "Topic", "type": "Type", "year": "Year"}
    out = []
    for param in ("topic", "type", "year"):
        for value in getattr(request, param):
            out.append((labels[param], value, request.toggled(param, value).query_string()))
    return out
