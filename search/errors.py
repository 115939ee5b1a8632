"""The search package's errors, each with a message a person can act on."""

from __future__ import annotations

from crawler.errors import ProductError


class SearchError(ProductError):
    """Base of the search errors."""


class BadParameter(SearchError):
    """A search parameter is malformed or out of range."""

    status = 400
    code = "invalid_parameter"

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
