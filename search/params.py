"""Reading a search request from URL parameters, with a clear error for each bad one."""

from __future__ import annotations

import re
from typing import Callable, Iterable

from .errors import BadParameter
from .records import PAGE_MAX, PER_PAGE_MAX, QUERY_MAX_CHARS, SORTS, SearchRequest

_YEAR = re.compile(r"^[0-9]{4}$")


def _int(param: str, raw: str, low: int, high: int) -> int:
    try:
        if not raw.strip().isascii():
            raise ValueError(raw)
        value = int(raw.strip())
    except ValueError:
        raise BadParameter(param, f"{param} must be a whole number, not {raw[:40]!r}.") from None
    if not low <= value <= high:
        raise BadParameter(
            param, f"{param} must be between {low} and {high}, not {value}.", "out_of_range"
        )
    return value


def parse_request(getlist: Callable[[str], list[str]]) -> SearchRequest:
    """A SearchRequest from a `getlist(name)` accessor (Flask's request.args.getlist)."""

    def one(name: str, default: str) -> str:
        values = getlist(name)
        return values[-1] if values else default

    q = " ".join(one("q", "").split())
    if len(q) > QUERY_MAX_CHARS:
        raise BadParameter(
            "q", f"The query is {len(q)} characters long; at most {QUERY_MAX_CHARS} are searched.",
            "too_long",
        )
    sort = one("sort", "relevance").strip().lower() or "relevance"
    if sort not in SORTS:
        raise BadParameter("sort", f"sort must be one of {', '.join(SORTS)}, not {sort[:40]!r}.")
    page = _int("page", one("page", "1"), 1, PAGE_MAX)
    per_page = _int("per_page", one("per_page", "10"), 1, PER_PAGE_MAX)
    years = _unique(getlist("year"))
    for year in years:
        if not _YEAR.match(year):
            raise BadParameter(
                "year", f"year must be four digits, like 2021, not {year[:40]!r}.", value=year
            )
    return SearchRequest(
        q=q, topic=_unique(getlist("topic")), type=_unique(getlist("type")), year=years,
        design=_unique(getlist("design")), participants=_unique(getlist("participants")),
        sort=sort, page=page, per_page=per_page,
        prefix=one("prefix", "").strip().lower() in ("1", "true", "on", "yes"),
    )


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        value = value.strip()
        if value:
            seen.setdefault(value, None)
    return tuple(seen)
