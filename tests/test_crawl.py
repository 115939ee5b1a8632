"""The crawl, end to end, against the replica blog on a real local server: the entries and tags
it stores, its manners (robots.txt, the delay, retries), and how it goes on incrementally, after
a page cap and after being killed."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from conftest_crawl import Served, expected_archive, post, steady_replica  # noqa: F401 (a fixture)
from crawler.fetch import Fetcher
from index.archive import Archive
from index.harvest import RUN_KEY, CrawlSummary, crawl_into, import_urls, reparse
from index.store import IndexStore
from replica.app import Replica, serve
from replica.content import POSTS, TYPES
from replica.pages import link
from search.records import SearchRequest
from search.service import SearchService

ROOT = Path(__file__).resolve().parent.parent
DELAY = 0.05
MAIN = ["/pprnet/blog?p=1", "/pprnet/blog?p=2", "/pprnet/blog?p=3", "/pprnet/blog?p=4"]


def archive_of(folder: Path) -> dict:
    with Archive(folder) as archive:
        return {entry.id: entry for entry in archive.entries()}


@dataclass
class Crawled:
    served: Served
    folder: Path
    summary: CrawlSummary
    hits: list


@pytest.fixture(scope="module")
def first(tmp_path_factory) -> Crawled:
    """One crawl of a fresh replica into an empty data folder, shared by the tests reading it."""
    site = Replica()
    with serve(site) as base_url:
        folder = tmp_path_factory.mktemp("crawled")
        summary = crawl_into(folder, base_url, delay=DELAY)
        yield Crawled(Served(site, base_url), folder, summary, list(site.hits))


# What one crawl stores


def test_every_entry_is_stored_with_the_site_tags(first):
    assert archive_of(first.folder) == expected_archive(first.served.origin)


def test_site_tags_replace_inferred_ones_and_the_rest_stay_marked_inferred(first):
    entries = archive_of(first.folder)
    untyped = entries["2023-11-psychodynamic-therapy-for-depression-an-update"]
    assert (untyped.topics, untyped.topics_inferred, untyped.type_inferred) == (
        ("Depression and Depressive Symptoms", "Psychodynamic Therapy (PDT)"), False, True)
    # Inferred, but named as the site names that kind of research: one facet value per kind.
    assert untyped.research_type in {name for _, name in TYPES}
    untopical = entries["2023-09-worry-sleep-and-cbt-for-anxiety"]
    assert (untopical.research_type, untopical.topics_inferred, untopical.type_inferred) == (
        "Single Empirical Studies", True, False)
    # Listed under two types: the first in the site's order.
    assert entries["2024-02-feedback-in-routine-care"].research_type == "Meta-Analyses & Systematic Reviews"
    assert entries["2023-08-feedback-in-routine-care"].research_type == "Single Empirical Studies"


def test_the_summary_counts_pages_and_entries_and_names_the_failures(first):
    origin = first.served.origin
    summary = first.summary
    assert (summary.pages_fetched, summary.pages_unchanged, summary.pages_skipped) == (29, 0, 0)
    assert (summary.entries_new, summary.entries_updated, summary.entries_unchanged) == (18, 0, 0)
    assert summary.failed == (
        (origin + link(post("exposure-skills")), "HTTP 404 NOT FOUND"),
        (origin + link(post("self-doubt")), "disallowed by robots.txt"),
    )
    assert summary.complete and not summary.nothing_fetched and summary.generation
    lines = summary.lines()
    assert lines[:2] == [
        f"Crawled {first.served.base_url}: 29 pages fetched, 0 unchanged, 2 failed.",
        "Entries: 18 new, 0 updated, 0 unchanged.",
    ]
    assert f"  {origin}/pprnet/drafts/self-doubt: disallowed by robots.txt" in lines


def test_listings_are_walked_until_a_page_brings_nothing_new(first):
    paths = [hit.path for hit in first.hits]
    assert [p for p in paths if p.startswith("/pprnet/blog?p=")] == MAIN
    assert [p for p in paths if p.startswith("/pprnet/blog?cat_2=22&")] == [
        "/pprnet/blog?cat_2=22&p=1", "/pprnet/blog?cat_2=22&p=2", "/pprnet/blog?cat_2=22&p=3"]
    assert [p for p in paths if p.startswith("/pprnet/blog?cat_2=11&")] == ["/pprnet/blog?cat_2=11&p=1"]
    # Only the teasers' entry pages are read; the other entries are whole on the listing.
    entry_pages = [p for p in paths if p.startswith("/pprnet/blog/")]
    assert entry_pages == [
        "/pprnet/blog/attachment-early-alliance", "/pprnet/blog/long-term-chronic",
        "/pprnet/blog/long-term-chronic", "/pprnet/blog/exposure-skills",
        "/pprnet/blog/transference-brief", "/pprnet/blog/group-late-life"]


def test_robots_txt_is_read_first_and_obeyed(first):
    paths = [hit.path for hit in first.hits]
    assert paths[0] == "/robots.txt" and paths.count("/robots.txt") == 1
    assert not [p for p in paths if p.startswith("/pprnet/drafts/")]


def test_the_delay_is_kept_between_all_requests(first):
    arrivals = [hit.at for hit in first.hits]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    assert len(gaps) == 31
    assert min(gaps) >= DELAY


def test_a_503_is_retried_after_the_time_it_asks_for(first):
    hits = [h for h in first.hits if h.path == "/pprnet/blog/long-term-chronic"]
    assert [h.status for h in hits] == [503, 200]
    assert hits[1].at - hits[0].at >= 1.0


def test_every_request_names_the_crawler(first):
    agents = {hit.headers.get("User-Agent") for hit in first.hits}
    assert agents == {"PPRNetSearch/0.1 (+https://github.com/pprnet-search; contact: see README)"}


def test_the_crawled_entries_are_searchable_by_words_and_tags(first):
    service = SearchService(first.folder, answer_cache=0)
    try:
        everything = service.search(SearchRequest(per_page=100))
        assert everything.total == 18
        found = service.search(SearchRequest(q="mentalize", topic=("Personality Disorders",)))
        assert [hit.id for hit in found.hits] == ["2024-01-mentalizing-and-dropout-in-group-therapy"]
        typed = service.search(SearchRequest(type=("Reviews – Book Chapters",), per_page=100))
        assert {hit.id for hit in typed.hits} == {
            "2023-10-handbook-chapter-research-on-dynamic-therapies",
            "2023-03-transference-work-in-brief-therapy"}
    finally:
        service.close()


# Incremental: a second crawl


def test_a_second_crawl_sends_validators_and_fetches_nothing_unchanged(first, tmp_path):
    folder = tmp_path / "again"
    shutil.copytree(first.folder, folder)
    generation = IndexStore(folder).current_name()
    before = len(first.served.site.hits)
    summary = crawl_into(folder, first.served.base_url, delay=0)
    hits = first.served.site.hits[before:]
    pages = [h for h in hits if h.path != "/robots.txt" and not h.path.endswith("/exposure-skills")]
    assert len(pages) == 29 and {h.status for h in pages} == {304}
    assert all("If-None-Match" in h.headers or "If-Modified-Since" in h.headers for h in pages)
    lastmod = next(h for h in pages if h.path.endswith("/transference-brief"))
    assert "If-None-Match" not in lastmod.headers and "If-Modified-Since" in lastmod.headers
    assert (summary.pages_fetched, summary.pages_unchanged) == (0, 29)
    assert (summary.entries_new, summary.entries_updated, summary.entries_unchanged) == (0, 0, 18)
    assert summary.generation == "" and IndexStore(folder).current_name() == generation
    assert archive_of(folder) == archive_of(first.folder)


def test_a_changed_entry_is_fetched_and_updated_and_nothing_else(first, tmp_path):
    folder = tmp_path / "changed"
    shutil.copytree(first.folder, folder)
    site = first.served.site
    original = site.posts[0]
    site.posts[0] = replace(original, implications="Ask about the bond online too.")
    try:
        before = len(site.hits)
        summary = crawl_into(folder, first.served.base_url, delay=0)
    finally:
        site.posts[0] = original
    fetched = {h.path for h in site.hits[before:] if h.status == 200 and h.path != "/robots.txt"}
    assert fetched == {"/pprnet/blog?p=1", "/pprnet/blog?p=4", "/pprnet/blog?cat_2=12&p=1",
                       "/pprnet/blog?cat_2=12&p=2", "/pprnet/blog?cat_1=25&p=1",
                       "/pprnet/blog?cat_1=25&p=2"}
    assert (summary.entries_new, summary.entries_updated, summary.entries_unchanged) == (0, 1, 17)
    entry = archive_of(folder)["2024-06-does-the-alliance-predict-outcome-in-online-therapy"]
    assert entry.implications == "Ask about the bond online too."


def test_a_parser_fix_reaches_stored_pages_without_the_network(first, tmp_path):
    folder = tmp_path / "reparse"
    shutil.copytree(first.folder, folder)
    with Archive(folder) as archive:  # as if an older parser had read an entry badly
        wrong = archive.get("2024-01-mentalizing-and-dropout-in-group-therapy")
        archive.upsert([wrong.replace(summary="(garbled)")])
    before = len(first.served.site.hits)
    summary = reparse(folder, rebuild_index=True)
    assert len(first.served.site.hits) == before
    assert (summary.pages_fetched, summary.entries_updated, summary.entries_unchanged) == (29, 1, 17)
    assert summary.lines()[0] == (f"Re-read {first.served.base_url}: 29 pages re-read, "
                                  "0 unchanged, 2 failed.")
    assert archive_of(folder) == archive_of(first.folder)


# Caps, kills and failures


def test_a_capped_crawl_is_taken_up_where_it_stopped(steady_replica, tmp_path):
    site, base_url = steady_replica.site, steady_replica.base_url
    capped = crawl_into(tmp_path, base_url, max_pages=5, delay=0)
    first_run = [h.path for h in site.hits if h.path != "/robots.txt"]
    assert first_run == MAIN[:3] + ["/pprnet/blog/attachment-early-alliance",
                                    "/pprnet/blog/long-term-chronic"]
    assert not capped.complete and capped.lines()[-2].startswith("Stopped at the page cap")
    assert len(archive_of(tmp_path)) == 18  # the listing's part of the rest is kept meanwhile
    before = len(site.hits)
    resumed = crawl_into(tmp_path, base_url, delay=0)
    second_run = [h.path for h in site.hits[before:]]
    assert not set(first_run) & set(second_run)
    assert resumed.complete and resumed.pages_skipped == 5
    assert archive_of(tmp_path) == expected_archive(steady_replica.origin)


def test_a_killed_crawl_leaves_the_archive_whole_and_the_next_one_goes_on(steady_replica, tmp_path):
    site, base_url = steady_replica.site, steady_replica.base_url
    site.hold = "/pprnet/blog?p=3"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = "import sys; from index.harvest import crawl_into; crawl_into(sys.argv[1], sys.argv[2], delay=0)"
    with subprocess.Popen([sys.executable, "-c", code, str(tmp_path), base_url], cwd=ROOT, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as child:
        deadline = time.monotonic() + 30
        while site.hold not in site.paths() and time.monotonic() < deadline:
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
    site.hold = ""
    site.released.set()
    assert "/pprnet/blog?p=3" in site.paths()
    with Archive(tmp_path) as archive:  # what was stored is whole: pages with their entries
        run = archive.get_meta(RUN_KEY)
        assert not run["finished"]
        stored = [page.url.removeprefix(steady_replica.origin) for page in archive.pages()]
        assert sorted(stored) == ["/pprnet/blog?p=1", "/pprnet/blog?p=2"]
        assert archive.count() == 12
    before = len(site.hits)
    summary = crawl_into(tmp_path, base_url, delay=0)
    later = [h.path for h in site.hits[before:]]
    assert "/pprnet/blog?p=1" not in later and "/pprnet/blog?p=2" not in later
    assert summary.pages_skipped == 2 and summary.complete
    assert archive_of(tmp_path) == expected_archive(steady_replica.origin)


def test_a_build_running_elsewhere_does_not_undo_the_crawl(steady_replica, tmp_path):
    with IndexStore(tmp_path).exclusive():  # as another process building the index would
        summary = crawl_into(tmp_path, steady_replica.base_url, delay=0)
    assert summary.generation == "" and "Another index build is running" in summary.index_error
    assert summary.lines()[-1].startswith("The index was not rebuilt: Another index build")
    assert archive_of(tmp_path) == expected_archive(steady_replica.origin)


def test_nothing_fetched_is_the_one_failure(tmp_path):
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Fetcher(delay=0, retries=1, backoff=0.01) as fetcher:
        summary = crawl_into(tmp_path, f"http://127.0.0.1:{port}/pprnet", fetcher=fetcher)
    assert summary.nothing_fetched
    url, reason = summary.failed[0]
    assert url == f"http://127.0.0.1:{port}/pprnet/blog?p=1"
    assert reason.startswith("not fetched: robots.txt could not be read (connection failed")
    assert archive_of(tmp_path) == {} and IndexStore(tmp_path).current_name() is None


# The old site's monthly pages, by address


def test_old_site_pages_are_imported_by_address_and_reparsed(steady_replica, tmp_path):
    url = steady_replica.base_url + "/eng/pprnet_blog_sept2013.html"
    summary = import_urls(tmp_path, [url, steady_replica.base_url + "/eng/pprnet_blog_gone2013.html"],
                          delay=0)
    assert (summary.pages_fetched, summary.entries_new) == (1, 2)
    assert summary.failed == ((steady_replica.base_url + "/eng/pprnet_blog_gone2013.html",
                               "HTTP 404 NOT FOUND"),)
    entries = archive_of(tmp_path)
    assert sorted(entries) == ["2013-09-early-change-in-psychotherapy",
                               "2013-09-handbook-review-therapist-variables"]
    handbook = entries["2013-09-handbook-review-therapist-variables"]
    assert handbook.url == url and handbook.topics_inferred and handbook.type_inferred
    assert "therapist’s warmth" in handbook.summary  # windows-1252 read as such
    again = reparse(tmp_path)
    assert (again.pages_fetched, again.entries_unchanged) == (1, 2)


def test_every_post_is_in_the_expectations():
    assert len(expected_archive("http://x")) == len(POSTS) == 18
