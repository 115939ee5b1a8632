"""Walking the blog: its listing pages, each Topic and Type of Research listing, and the entry
pages a listing shows only in part.

Moving parts: a `Crawler` reads pages through a `PageSource` (the polite `Fetcher`, or the
stored pages for a re-parse) and remembers, through a `PageStore` (the archive), each page's
validators and a digest of what it yielded, so an unchanged page costs a 304 and no parsing.
`batches()` yields one `Batch` per listing page for the caller to store in one transaction;
`report` then says what was fetched, what failed, and which tags the site gives each entry.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator, Mapping

from .fetch import FetchResult
from .htmlpage import TOPIC_PARAM, TYPE_PARAM, ListingPage, listing_url, parse_listing
from .ids import slugify
from .pagestore import CachedPage, PageSource, PageStore, StoredPages
from .records import Entry
from .tagging import tag_entry

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_BASE_URL", "Batch", "CachedPage", "Crawler", "CrawlReport", "PageSource",
           "PageStore", "StoredPages", "charset_of"]

DEFAULT_BASE_URL = "https://socialsciences.uottawa.ca/pprnet"
# A listing walk gives up after this many of its pages fail in a row.
_FAILURES_IN_A_ROW = 2
# Bumped when what a page's digest holds changes; an older digest is read again from the body.
DIGEST_VERSION = 1
_ENTRY_FIELDS = {f.name for f in dataclasses.fields(Entry)}


@dataclass(frozen=True)
class Batch:
    """What one listing page brought, to be stored all together or not at all."""

    pages: tuple[CachedPage, ...] = ()
    entries: tuple[Entry, ...] = ()  # read anew; tags inferred where the site gave none yet
    unchanged: tuple[str, ...] = ()  # ids of entries on pages that had not changed


@dataclass(frozen=True)
class CrawlReport:
    """What a walk came to, once `batches()` is exhausted."""

    fetched: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()  # answered 304 Not Modified
    skipped: tuple[str, ...] = ()  # done earlier in the same, interrupted, run
    failed: tuple[tuple[str, str], ...] = ()  # (url, reason)
    problems: tuple[str, ...] = ()  # pages read with something left out
    topics: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # entry id -> topics
    types: Mapping[str, str] = field(default_factory=dict)  # entry id -> type of research
    topic_names: tuple[str, ...] = ()  # the site's Topics list
    tags_complete: bool = True  # every filter listing was walked to its end
    complete: bool = True  # False when the page cap stopped the walk
    type_names: Mapping[str, str] = field(default_factory=dict)  # cat_1 id -> the site's label
    listed: tuple[str, ...] = ()  # ids the blog's own listing showed, in its order
    listing_complete: bool = False  # that listing was read to its end, no page of it failed


@dataclass(frozen=True)
class _Visit:
    url: str
    digest: Mapping | None = None  # None: the page failed
    page: CachedPage | None = None  # to be stored
    listing: ListingPage | None = None  # set when the page was parsed in this visit
    status: int = 0


class _PageCap(Exception):
    """The run's page cap is reached."""


class Crawler:
    """One walk over the blog at `base_url`; see the module docstring."""

    def __init__(self, source: PageSource, store: PageStore, base_url: str = DEFAULT_BASE_URL, *,
                 run_id: str = "", max_pages: int | None = None,
                 progress: Callable[[int, int | None], None] | None = None,
                 log: Callable[[str], None] | None = None):
        self.source, self.store, self.base = source, store, base_url.rstrip("/")
        self.run_id, self.max_pages = run_id, max_pages
        self._progress, self._log = progress, log
        self._visits: dict[str, _Visit] = {}
        self._fetched: list[str] = []
        self._unchanged: list[str] = []
        self._skipped: list[str] = []
        self._failed: list[tuple[str, str]] = []
        self._problems: list[str] = []
        self._tags: dict[str, dict[str, list[str]]] = {TOPIC_PARAM: {}, TYPE_PARAM: {}}
        self._requests = 0
        self._walk_failed = self._tags_failed = False
        self.report: CrawlReport | None = None

    def batches(self) -> Iterator[Batch]:
        """The walk, one listing page at a time; `report` is set when it ends."""
        filters: dict[str, dict[str, str]] = {TOPIC_PARAM: {}, TYPE_PARAM: {}}
        complete = listing_complete = True
        listed: dict[str, None] = {}
        try:
            self._say(f"walking {listing_url(self.base)} and the pages after it")
            for visit, new in self._listing({}):
                if visit.digest is not None:
                    listed.update(dict.fromkeys(visit.digest.get("ids", ())))
                    for kind, key in ((TOPIC_PARAM, "topics"), (TYPE_PARAM, "types")):
                        for name, ident in visit.digest.get(key, ()):
                            filters[kind].setdefault(ident, name)
                if not new:
                    yield Batch(_kept(visit))
                    continue
                batch, capped = self._main_batch(visit)
                yield batch  # what the page brought before the cap, kept all the same
                if capped:
                    raise _PageCap
            listing_complete = not self._walk_failed
            self._say(f"walking {len(filters[TOPIC_PARAM])} topic and "
                      f"{len(filters[TYPE_PARAM])} type-of-research listings for the site's tags")
            for kind in (TOPIC_PARAM, TYPE_PARAM):
                for ident, name in filters[kind].items():
                    yield from self._filter_walk(kind, ident, name)
        except _PageCap:
            complete = listing_complete = False
            self._say(f"stopped at the cap of {self.max_pages} pages; "
                      "the next crawl goes on from here")
        self.report = CrawlReport(
            tuple(self._fetched), tuple(self._unchanged), tuple(self._skipped), tuple(self._failed),
            tuple(dict.fromkeys(self._problems)),
            {i: tuple(names) for i, names in self._tags[TOPIC_PARAM].items()},
            {i: names[0] for i, names in self._tags[TYPE_PARAM].items()},
            tuple(filters[TOPIC_PARAM].values()), complete and not self._tags_failed, complete,
            dict(filters[TYPE_PARAM]), tuple(listed), listing_complete,
        )

    # Walks

    def _listing(self, filters: dict[str, str]) -> Iterator[tuple[_Visit, bool]]:
        """The pages of one listing from p=1, each with whether it brought an entry not seen
        on an earlier page; a page past the end answers like page 1, so that ends the walk."""
        seen: set[str] = set()
        failures, number = 0, 1
        self._walk_failed = False
        while True:
            visit = self._visit(listing_url(self.base, number, **filters))
            if visit.digest is None:
                self._walk_failed = True
                failures += 1
                yield visit, False
                if failures >= _FAILURES_IN_A_ROW:
                    return
            else:
                failures = 0
                ids = visit.digest.get("ids", [])
                new = bool(set(ids) - seen)
                seen.update(ids)
                yield visit, new
                if not new:
                    return
            number += 1

    def _main_batch(self, visit: _Visit) -> tuple[Batch, bool]:
        """A listing page's entries, completed from their own pages where it shows a part;
        and whether the page cap stopped it before all those pages were read."""
        fresh = {e.id: e for e in visit.listing.page.entries} if visit.listing else {}
        pages = list(_kept(visit))
        links = dict(visit.digest.get("links", ()))
        capped = False
        for ident in visit.digest.get("partial", ()):
            if not links.get(ident):
                continue
            try:
                child = self._visit(links[ident], want=ident)
            except _PageCap:
                capped = True
                break
            pages.extend(_kept(child))
            full = _entry_of(child.digest.get("entry")) if child.digest else None
            if full is not None and (child.listing is not None or ident in fresh):
                fresh[ident] = full.replace(url=links[ident])
        unchanged = tuple(i for i in visit.digest.get("ids", ()) if i not in fresh)
        return Batch(tuple(pages), tuple(tag_entry(e) for e in fresh.values()), unchanged), capped

    def _filter_walk(self, kind: str, ident: str, name: str) -> Iterator[Batch]:
        """Every page of one Topic or Type of Research listing; its name goes on each entry."""
        tags = self._tags[kind]
        for visit, new in self._listing({kind: ident}):
            if visit.digest is not None and new:
                for entry_id in visit.digest.get("ids", ()):
                    names = tags.setdefault(entry_id, [])
                    if name not in names:
                        names.append(name)
            if visit.page is not None:
                yield Batch(_kept(visit))
        self._tags_failed = self._tags_failed or self._walk_failed

    # Pages

    def _visit(self, url: str, want: str = "") -> _Visit:
        """One page: from this run's earlier visit, the store, a 304, or parsed anew."""
        if url in self._visits:
            return replace(self._visits[url], page=None)  # already handed over for storing
        cached = self.store.get(url)
        digest = cached.digest if cached is not None else None
        if self.run_id and digest and digest.get("run") == self.run_id:
            self._skipped.append(url)
            visit = _Visit(url, digest, status=cached.status)
        else:
            visit = self._request(url, cached, want)
        self._visits[url] = visit
        if self._progress:
            self._progress(len(self._visits), None)
        return visit

    def _request(self, url: str, cached: CachedPage | None, want: str) -> _Visit:
        refusal = self.source.refusal(url)
        if refusal:
            return self._fail(url, refusal)
        if self.max_pages is not None and self._requests >= self.max_pages:
            raise _PageCap
        self._requests += 1
        etag, last_modified = (cached.etag, cached.last_modified) if cached else ("", "")
        result = self.source.fetch(url, etag, last_modified)
        if result.not_modified and cached is not None:
            self._unchanged.append(url)
            if cached.digest and cached.digest.get("v") == DIGEST_VERSION:
                digest = {**cached.digest, "run": self.run_id}
                return _Visit(url, digest, replace(cached, digest=digest), status=304)
            result = FetchResult(url, cached.status, cached.body, cached.content_type,
                                 cached.etag, cached.last_modified)  # read the kept copy
        elif not result.ok:
            return self._fail(url, result.error or f"HTTP {result.status}", result.status)
        else:
            self._fetched.append(url)
        page = CachedPage(url, result.body, result.status, result.content_type, result.etag,
                          result.last_modified)
        try:
            listing = parse_listing(result.body, url, month=want[:7],
                                    encoding=charset_of(result.content_type))
            digest = self._digest(url, listing, want)
        except Exception as exc:  # noqa: BLE001 -- a page that cannot be read never stops a crawl
            log.exception("cannot parse %s", url)
            self._fail(url, f"could not be parsed ({exc.__class__.__name__}: {exc})", result.status)
            return _Visit(url, None, page, status=result.status)
        return _Visit(url, digest, replace(page, digest=digest), listing, result.status)

    def _digest(self, url: str, listing: ListingPage, want: str) -> dict:
        """What a page yielded, kept with it so an unchanged page is never parsed again."""
        digest = {
            "v": DIGEST_VERSION, "run": self.run_id,
            "ids": [e.id for e in listing.page.entries],
            "partial": list(listing.partial),
            "links": [list(link) for link in listing.entry_links],
            "topics": [list(link) for link in listing.topic_links],
            "types": [list(link) for link in listing.type_links],
        }
        # An empty filter listing is no problem; an entry page without its entry is.
        problems = [p for p in listing.page.problems
                    if want or not p.startswith("no month heading")]
        if want:
            entry = _matching(listing.page.entries, want)
            if entry is None:
                problems.append(f"holds no entry like {want!r}; the listing's part is kept")
            digest["entry"] = entry.to_dict() if entry else None
        self._problems.extend(f"{url}: {problem}" for problem in problems)
        return digest

    def _fail(self, url: str, reason: str, status: int = 0) -> _Visit:
        self._failed.append((url, reason))
        self._say(f"failed: {url}: {reason}")
        return _Visit(url, None, status=status)

    def _say(self, line: str) -> None:
        log.info("%s", line)
        if self._log:
            self._log(line)


def _kept(visit: _Visit) -> tuple[CachedPage, ...]:
    return (visit.page,) if visit.page is not None else ()


def _matching(entries: tuple[Entry, ...], want: str) -> Entry | None:
    """The entry an entry page holds for the listing's `want` id, under the listing's id."""
    for entry in entries:
        if entry.id == want:
            return entry
    slug = want[8:]  # after "YYYY-MM-"
    for entry in entries:
        if slugify(entry.title) == slug:
            return entry.replace(id=want, month=want[:7])
    return None


def _entry_of(data: Mapping | None) -> Entry | None:
    if not data:
        return None
    fields = {k: v for k, v in data.items() if k in _ENTRY_FIELDS}
    return Entry(**{**fields, "topics": tuple(fields.get("topics", ())),
                    "authors": tuple(fields.get("authors", ()))})


def charset_of(content_type: str) -> str | None:
    """The charset a Content-Type header names, if any."""
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None
