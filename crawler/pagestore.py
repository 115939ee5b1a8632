"""Where the crawler's pages come from and where they are kept: the `PageSource` and
`PageStore` protocols, the `CachedPage` record between them, and `StoredPages`, the source that
serves the store itself (a re-parse without the network).

The crawler is the first layer, so it names these shapes and index.harvest fills them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Protocol

from .fetch import FetchResult


@dataclass(frozen=True)
class CachedPage:
    """A page as the archive keeps it: body, validators, and what it yielded when parsed."""

    url: str
    body: bytes
    status: int = 200
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    digest: Mapping | None = None  # None: not parsed yet, or it could not be


class PageStore(Protocol):
    """Where pages are kept between crawls (index.harvest adapts the archive to it)."""

    def get(self, url: str) -> CachedPage | None: ...

    def put(self, page: CachedPage) -> None: ...


class PageSource(Protocol):
    """Where pages come from: the network (`Fetcher`) or the store (`StoredPages`)."""

    def refusal(self, url: str) -> str: ...

    def fetch(self, url: str, etag: str = "", last_modified: str = "") -> FetchResult: ...


class StoredPages:
    """A `PageSource` serving every stored page as if fetched anew: a re-parse, no network."""

    def __init__(self, store: PageStore):
        self.store = store

    def refusal(self, url: str) -> str:
        return ""

    def fetch(self, url: str, etag: str = "", last_modified: str = "") -> FetchResult:
        page = self.store.get(url)
        if page is None:
            return FetchResult(url, error="not in the archive (never fetched)")
        return FetchResult(url, page.status, page.body, page.content_type, page.etag,
                           page.last_modified, final_url=url)
