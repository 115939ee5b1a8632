"""The search package's errors, each with a message a person can act on."""

from __future__ import annotations

from crawler.errors import ProductError


class SearchError(ProductError):
    """Base of the search errors."""


class BadParameter(SearchError):
    """A search parameter is malformed or out of range."""

    status = 400
    code = "invalid_parameter"

    status = 400

    def __init__(self, param: str, message: str, code: str = "invalid_parameter",
                 value: str | None = None):
        super().__init__(message, param=param)
        self.code = code
        self.value = value  # the offending value, when one of several is at fault


class EntryNotFound(SearchError):
    """No entry has the id asked for."""

    status = 404
    code = "not_found"

    def __init__(self, entry_id: str):
        super().__init__(f"No entry has the id {entry_id!r}.")
        self.entry_id = entry_id


class EntryRetired(SearchError):
    """The blog no longer lists the entry, so a crawl retired it; answered with 410."""

    status = 410
    code = "retired"

    def __init__(self, entry_id: str, title: str, blog_url: str, retired_at: str = ""):
        super().__init__(
            f"“{title}” is no longer published on the PPRNet blog, so it has left search"
            + (f" (since {retired_at[:10]})" if retired_at else "") + "."
        )
        self.entry_id = entry_id
        self.link = blog_url  # the entry's own page when known, else the blog


class QueryTooCostly(BadParameter):
    """A query would cause more work than one answer may (search/cost.py); answered with 400."""

    status = 400
    code = "query_too_costly"

    def __init__(self, cost: int, budget: int, clauses: int | None = None,
                 ranges: int | None = None):
        from .cost import MAX_CLAUSES, MAX_RANGES

        if clauses is not None:
            what = (f"{clauses} words, fields and phrases (at most {MAX_CLAUSES}) and {ranges} "
                    f"year ranges (at most {MAX_RANGES})")
        else:
            what = f"cost {cost}; at most {budget}"
        super().__init__(
            "q", f"This query asks for too much work at once ({what}): it has too many words, "
            "fields, phrases, year ranges or expansions. Search with fewer of them, or use the "
            "filters for years.", self.code)
        self.cost = cost
        self.budget = budget


class DeadlineExceeded(SearchError):
    """The answer took longer than a request may; answered with 503."""

    status = 503
    code = "deadline_exceeded"

    def __init__(self):
        super().__init__(
            "This search took too long and was stopped. Try again, or search with fewer words.")

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}
