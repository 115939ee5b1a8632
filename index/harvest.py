"""Crawling the blog into the archive, and re-reading the pages the archive keeps.

A crawl stores each listing page, the entry pages it led to and the entries they hold in one
transaction, so a crawl that is killed loses nothing it stored; the run's id is kept in the
archive's meta and marks each page done, so the next crawl goes on where that one stopped. Once
the Topic and Type of Research listings are walked, the site's tags replace inferred ones; the
entries the listing no longer shows are counted missing and, at the second complete crawl in a
row, retired (`presence`); then the index is rebuilt. `reparse` runs the same walk over the
stored pages, without the network, so a parser fix reaches pages fetched long ago.
"""

from __future__ import annotations

import logging
import secrets
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable

from crawler.crawl import (DEFAULT_BASE_URL, CachedPage, Crawler, CrawlReport, StoredPages,
                           charset_of)
from crawler.fetch import DEFAULT_DELAY, Fetcher
from crawler.htmlpage import listing_url, parse_listing
from crawler.tagging import tag_entry
from crawler.vocabulary import SITE_TYPE_IDS

from .archive import Archive, StoredPage, UpsertCounts, now
from .errors import IndexBusy
from .presence import MISSES_TO_RETIRE, adopt_listed, note_listing
from .rebuild import rebuild
from .store import IndexStore

__all__ = ["DEFAULT_BASE_URL", "ArchivePages", "CrawlSummary", "crawl_into", "import_urls",
           "reparse"]

log = logging.getLogger(__name__)

RUN_KEY = "crawl.run"  # {"id", "base_url", "started", "finished"} of the latest crawl
LAST_CRAWL_KEY = "last_crawl"  # {"finished_at", "base_url", "summary", "complete"}
IMPORTED_KEY = "import.urls"  # pages fetched one by one by `import_urls`
_DIGEST_KEY = "crawl.page:"  # + url: what the page yielded when last parsed
# An interrupted crawl is taken up again by the next one within this time, not after.
RESUME_WITHIN = timedelta(days=7)

Progress = Callable[[int, int | None], None]
Log = Callable[[str], None]


@dataclass(frozen=True)
class CrawlSummary:
    """What a crawl (or a re-parse) did: pages, failures, entries; `lines()` says it."""

    base_url: str
    pages_fetched: int = 0
    pages_unchanged: int = 0
    pages_skipped: int = 0  # fetched by the interrupted crawl this one went on from
    failed: tuple[tuple[str, str], ...] = ()  # (url, reason)
    entries_new: int = 0
    entries_updated: int = 0
    entries_unchanged: int = 0
    complete: bool = True  # False: stopped at the page cap; the next crawl goes on
    problems: tuple[str, ...] = ()
    generation: str = ""  # the index generation built afterwards, if one was
    index_error: str = ""  # why the index could not be rebuilt afterwards
    reparse: bool = False
    # The blog's listing: entries it no longer lists, once or (retired) twice in a row, and
    # retired entries it lists again; `counted` is False when the crawl could not tell.
    missing: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()
    back: tuple[str, ...] = ()
    counted: bool = True

    @property
    def nothing_fetched(self) -> bool:
        """True when no page could be had at all: the one case a crawl counts as failed."""
        return self.pages_fetched + self.pages_unchanged + self.pages_skipped == 0

    def lines(self) -> list[str]:
        """The summary a person reads at the end."""
        what = "re-read" if self.reparse else "fetched"
        pages = (f"{self.pages_fetched} pages {what}, {self.pages_unchanged} unchanged, "
                 f"{len(self.failed)} failed")
        if self.pages_skipped:
            pages += f", {self.pages_skipped} already done by the interrupted crawl"
        out = [f"{'Re-read' if self.reparse else 'Crawled'} {self.base_url}: {pages}.",
               f"Entries: {self.entries_new} new, {self.entries_updated} updated, "
               f"{self.entries_unchanged} unchanged."]
        if self.retired:
            out.append(f"Retired, not listed by {MISSES_TO_RETIRE} complete crawls in a row "
                       f"(`pprsearch restore-entry ID` brings one back): {', '.join(self.retired)}")
        if self.missing:
            out.append("No longer listed (retired if the next complete crawl misses them too): "
                       + ", ".join(self.missing))
        if self.back:
            out.append(f"Listed again, back in search: {', '.join(self.back)}")
        if not self.counted and not self.reparse:
            out.append("Not a complete walk of the listing, so no entry was counted missing.")
        if self.failed:
            out.append("Failed pages:")
            out.extend(f"  {url}: {reason}" for url, reason in self.failed)
        if self.problems:
            out.append(f"Read with something left out ({len(self.problems)}):")
            out.extend(f"  {problem}" for problem in self.problems[:20])
        if not self.complete:
            out.append("Stopped at the page cap before the end; crawl again to go on from there.")
        if self.generation:
            out.append(f"Index {self.generation} is serving.")
        if self.index_error:
            out.append(f"The index was not rebuilt: {self.index_error} Run `pprsearch reindex` "
                       "once it is free; the archive holds everything fetched.")
        return out


class ArchivePages:
    """The archive as the crawler's `PageStore`: pages in its pages table, digests in meta."""

    def __init__(self, archive: Archive):
        self.archive = archive

    def get(self, url: str) -> CachedPage | None:
        page = self.archive.get_page(url)
        if page is None:
            return None
        return CachedPage(url, page.body, page.status, page.content_type, page.etag,
                          page.last_modified, self.archive.get_meta(_DIGEST_KEY + url))

    def put(self, page: CachedPage) -> None:
        self.archive.put_page(StoredPage(page.url, page.status, page.body, page.content_type,
                                         page.etag, page.last_modified))
        self.archive.set_meta(_DIGEST_KEY + page.url, page.digest)


def crawl_into(data_folder: Path | str, base_url: str = DEFAULT_BASE_URL,
               max_pages: int | None = None, delay: float = DEFAULT_DELAY,
               progress: Progress | None = None, log: Log | None = None, *,
               fetcher: Fetcher | None = None) -> CrawlSummary:
    """Crawl the blog at `base_url` into the data folder's archive, then update the index.

    `fetcher` replaces the polite default one (`delay` is then its business; it is left open).
    """
    base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
    delay = DEFAULT_DELAY if delay is None else delay
    client = nullcontext(fetcher) if fetcher is not None else Fetcher(delay=delay)
    with Archive(data_folder) as archive, client as fetcher:
        run_id = _start_run(archive, base_url, log)
        adopt_listed(archive, base_url, _listed_before(archive, base_url))
        crawler = Crawler(fetcher, ArchivePages(archive), base_url, run_id=run_id,
                          max_pages=max_pages, progress=progress, log=log)
        statuses = _store(archive, crawler)
        report = crawler.report
        _apply_tags(archive, report, statuses)
        relabelled = _adopt_type_labels(archive, report)
        # A page cap (even one never reached), or a listing page that failed, counts no miss.
        counted = report.complete and report.listing_complete and max_pages is None
        presence = note_listing(archive, base_url, report.listed, complete=counted)
        summary = replace(_summary(base_url, report, statuses), counted=counted,
                          missing=presence.missing, retired=presence.retired, back=presence.back)
        with archive.transaction():
            archive.set_meta(RUN_KEY, {**archive.get_meta(RUN_KEY), "finished": report.complete})
            archive.set_meta(LAST_CRAWL_KEY, {
                "finished_at": now(), "base_url": base_url, "complete": report.complete,
                "summary": " ".join(summary.lines()[:2]),
            })
            if report.topic_names:
                known = set(archive.get_meta("topics", []))
                archive.set_meta("topics", sorted(known | set(report.topic_names)))
        needs_index = relabelled or (archive.count() > 0 and IndexStore(data_folder).current_name() is None)
    if summary.entries_new or summary.entries_updated or needs_index or presence.changed_index:
        summary = _rebuilt(data_folder, summary)
    return summary


def _rebuilt(data_folder: Path | str, summary: CrawlSummary) -> CrawlSummary:
    """The summary with the index rebuilt; a build running elsewhere does not undo a crawl."""
    try:
        return replace(summary, generation=rebuild(data_folder).name)
    except IndexBusy as exc:
        return replace(summary, index_error=str(exc))


def reparse(data_folder: Path | str, progress: Progress | None = None,
            log: Log | None = None, rebuild_index: bool = False) -> CrawlSummary:
    """Read every entry again from the stored pages, without the network.

    The same walk as the last crawl, over what it stored, plus pages imported by address.
    The index is rebuilt only when asked (`reindex --reparse` rebuilds it anyway).
    """
    with Archive(data_folder) as archive:
        base_url = (archive.get_meta(RUN_KEY) or {}).get("base_url", "")
        store = ArchivePages(archive)
        statuses: dict[str, str] = {}
        report = CrawlReport()
        if base_url:
            crawler = Crawler(StoredPages(store), store, base_url, progress=progress, log=log)
            statuses = _store(archive, crawler)
            report = crawler.report
            _apply_tags(archive, report, statuses)
        fetched, failed = list(report.fetched), list(report.failed)
        for url in archive.get_meta(IMPORTED_KEY, []):
            page = store.get(url)
            if page is None:
                failed.append((url, "not in the archive (never fetched)"))
                continue
            with archive.transaction():
                _upsert_page(archive, page, statuses)
            fetched.append(url)
        report = replace(report, fetched=tuple(fetched), failed=tuple(failed))
    summary = replace(_summary(base_url or "the archive", report, statuses), reparse=True)
    if rebuild_index:
        summary = replace(summary, generation=rebuild(data_folder, progress=progress).name)
    return summary


def import_urls(data_folder: Path | str, urls: Iterable[str], delay: float = DEFAULT_DELAY,
                progress: Progress | None = None, log: Log | None = None) -> CrawlSummary:
    """Fetch pages by address (such as the old site's monthly pages) into the archive.

    Each page is parsed on its own (its month from its address when it has no month heading),
    kept for `reparse`, and its entries upserted; then the index is rebuilt.
    """
    urls = list(dict.fromkeys(urls))
    failed: list[tuple[str, str]] = []
    fetched: list[str] = []
    statuses: dict[str, str] = {}
    with Archive(data_folder) as archive, Fetcher(delay=delay) as fetcher:
        for done, url in enumerate(urls, 1):
            result = fetcher.fetch(url)
            if not result.ok:
                failed.append((url, result.error or f"HTTP {result.status}"))
            else:
                page = CachedPage(url, result.body, result.status, result.content_type,
                                  result.etag, result.last_modified)
                with archive.transaction():
                    _upsert_page(archive, page, statuses)
                    known = archive.get_meta(IMPORTED_KEY, [])
                    archive.set_meta(IMPORTED_KEY, known + [url] if url not in known else known)
                fetched.append(url)
            if progress:
                progress(done, len(urls))
            if log and not result.ok:
                log(f"failed: {url}: {failed[-1][1]}")
    report = CrawlReport(fetched=tuple(fetched), failed=tuple(failed))
    summary = _summary(f"{len(urls)} address(es)", report, statuses)
    if summary.entries_new or summary.entries_updated:
        summary = _rebuilt(data_folder, summary)
    return summary


# The parts


def _start_run(archive: Archive, base_url: str, say: Log | None) -> str:
    """The id of this run: the interrupted one's when it can be taken up, else a new one."""
    run = archive.get_meta(RUN_KEY) or {}
    if run.get("base_url") == base_url and not run.get("finished") and run.get("id"):
        try:
            started = datetime.fromisoformat(run["started"])
        except (KeyError, TypeError, ValueError):
            started = datetime.min.replace(tzinfo=timezone.utc)
        if datetime.now(timezone.utc) - started < RESUME_WITHIN:
            if say:
                say(f"going on with the crawl started {run['started']}, which did not finish")
            return run["id"]
    run_id = f"{now()}-{secrets.token_hex(3)}"
    with archive.transaction():
        archive.set_meta(RUN_KEY, {"id": run_id, "base_url": base_url, "started": now(),
                                   "finished": False})
    return run_id


def _listed_before(archive: Archive, base_url: str) -> list[str]:
    """The ids the blog's listing showed when its pages were last stored."""
    pages, ids = ArchivePages(archive), []
    for number in range(1, 10_000):
        page = pages.get(listing_url(base_url, number))
        if page is None:
            break
        ids.extend((page.digest or {}).get("ids", ()))
    return ids


def _store(archive: Archive, crawler: Crawler) -> dict[str, str]:
    """Store each batch in a transaction of its own; each entry's new/updated/unchanged."""
    statuses: dict[str, str] = {}
    for batch in crawler.batches():  # the walk runs here, outside any transaction
        with archive.transaction():
            for page in batch.pages:
                crawler.store.put(page)
            for entry in batch.entries:
                _note(statuses, entry.id, archive.upsert([entry]))
        for entry_id in batch.unchanged:
            statuses.setdefault(entry_id, "unchanged")
    return statuses


def _adopt_type_labels(archive: Archive, report: CrawlReport) -> int:
    """Inferred types take the names the site gives the same kinds of research."""
    labels = {ours: report.type_names[ident]
              for ident, ours in SITE_TYPE_IDS.items() if ident in report.type_names}
    return archive.relabel_inferred_types(labels) if labels else 0


def _apply_tags(archive: Archive, report: CrawlReport, statuses: dict[str, str]) -> None:
    """Put the site's tags on the entries its filter listings list.

    After a partial walk of those listings an entry keeps the site tags it had as well.
    """
    with archive.transaction():
        for listed_id in sorted(set(report.topics) | set(report.types)):
            entry_id = archive.resolve(listed_id) or listed_id  # kept under another id?
            old = archive.get(entry_id)
            if old is None:
                continue
            changes: dict = {}
            if listed_id in report.topics:
                topics = report.topics[listed_id]
                if not report.tags_complete and not old.topics_inferred:
                    topics = tuple(dict.fromkeys(old.topics + topics))
                changes.update(topics=topics, topics_inferred=False)
            if listed_id in report.types:
                changes.update(research_type=report.types[listed_id], type_inferred=False)
            _note(statuses, entry_id, archive.upsert([old.replace(**changes)]))


def _upsert_page(archive: Archive, page: CachedPage, statuses: dict[str, str]) -> None:
    """One page read on its own: stored, and its entries upserted (tags inferred)."""
    listing = parse_listing(page.body, page.url, encoding=charset_of(page.content_type))
    ArchivePages(archive).put(replace(page, digest={"ids": [e.id for e in listing.page.entries]}))
    for entry in listing.page.entries:
        _note(statuses, entry.id, archive.upsert([tag_entry(entry)]))


def _note(statuses: dict[str, str], entry_id: str, counts: UpsertCounts) -> None:
    """An entry's fate in this run: new wins, then updated, then unchanged."""
    status = "new" if counts.new else "updated" if counts.updated else "unchanged"
    if statuses.get(entry_id) in (None, "unchanged"):
        statuses[entry_id] = status


def _summary(base_url: str, report: CrawlReport, statuses: dict[str, str]) -> CrawlSummary:
    counts = {name: sum(1 for s in statuses.values() if s == name)
              for name in ("new", "updated", "unchanged")}
    return CrawlSummary(
        base_url=base_url, pages_fetched=len(report.fetched),
        pages_unchanged=len(report.unchanged), pages_skipped=len(report.skipped),
        failed=report.failed, entries_new=counts["new"], entries_updated=counts["updated"],
        entries_unchanged=counts["unchanged"], complete=report.complete,
        problems=report.problems,
    )
