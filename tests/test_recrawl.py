"""Re-crawls mirror the site: one entry per post through renames and moves, and posts the blog
removed retired (out of search, 410) after two complete crawls that no longer list them."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest_crawl import Served, expected_archive
from crawler.fetch import Fetcher, FetchResult
from crawler.ids import entry_id
from crawler.textpage import parse_text_page
from index.archive import Archive
from index.harvest import CrawlSummary, crawl_into
from index.ingest import import_paths
from index.presence import restore
from index.stats import archive_stats
from replica.app import Replica, serve
from replica.content import MOVED, POSTS, POSTS_LATER, REMOVED, RENAMED, Post
from replica.pages import link
from search.records import SearchRequest
from search.service import SearchService
from webui.present import month_label

from conftest import SAMPLE

URL = "https://socialsciences.uottawa.ca/pprnet/blog/panic-treatments"
TYPO = "2021-11-psychological-treatmnets-for-panic-disorder"
FIXED = "2021-11-psychological-treatments-for-panic-disorder"


def ids_of(post_slug: str, posts: tuple[Post, ...]) -> str:
    post = next(p for p in posts if p.slug == post_slug)
    return entry_id(month_label_to_month(post.month), post.title)


def month_label_to_month(label: str) -> str:
    names = [month_label(f"2000-{n:02d}").split()[0] for n in range(1, 13)]
    name, year = label.split()
    return f"{year}-{names.index(name) + 1:02d}"


def live(folder: Path) -> dict:
    with Archive(folder) as archive:
        return {e.id: e for e in archive.entries()}


def everything(folder: Path) -> dict:
    with Archive(folder) as archive:
        return {e.id: e for e in archive.entries(include_retired=True)}


def search(folder: Path, **params):
    service = SearchService(folder, answer_cache=0)
    try:
        return service.search(SearchRequest(per_page=100, **params))
    finally:
        service.close()


def jsonl(path: Path, **fields) -> Path:
    path.write_text(json.dumps(fields) + "\n", encoding="utf-8")
    return path


# --- the issue's own case: a title corrected on the blog, imported as JSON Lines ---------


@pytest.fixture
def renamed_by_import(empty_data, tmp_path) -> Path:
    fields = dict(month="2021-11", url=URL, summary="Panic disorder affects many.",
                  citation="Papola, D. (2021). Psychotherapies for panic disorder. BJP.")
    import_paths(empty_data, [jsonl(tmp_path / "a.jsonl", title="Psychological Treatmnets for "
                                    "Panic Disorder", **fields)])
    import_paths(empty_data, [jsonl(tmp_path / "b.jsonl", title="Psychological Treatments for "
                                    "Panic Disorder", **fields)])
    return empty_data


def test_a_corrected_title_leaves_one_entry_under_the_new_id(renamed_by_import):
    stored = everything(renamed_by_import)
    assert list(stored) == [FIXED]
    assert stored[FIXED].title == "Psychological Treatments for Panic Disorder"
    assert [hit.id for hit in search(renamed_by_import, q="panic").hits] == [FIXED]
    assert search(renamed_by_import).total == 1
    with Archive(renamed_by_import) as archive:
        assert archive.moved_to(TYPO) == FIXED and archive.resolve(TYPO) == FIXED


def test_the_old_address_answers_301_and_the_api_says_where(renamed_by_import, make_app):
    client = make_app(renamed_by_import, ANSWER_CACHE=0).test_client()
    page = client.get(f"/entries/{TYPO}?q=panic")
    assert page.status_code == 301
    assert page.headers["Location"].endswith(f"/entries/{FIXED}?q=panic")
    api = client.get(f"/api/entries/{TYPO}")
    assert api.status_code == 301 and api.headers["Location"].endswith(f"/api/entries/{FIXED}")
    assert api.get_json() == {"moved": {"from": TYPO, "to": FIXED, "url": f"/api/entries/{FIXED}"}}
    assert client.get(f"/api/entries/{FIXED}").get_json()["id"] == FIXED


def test_a_title_changed_back_moves_the_alias_along(renamed_by_import, tmp_path):
    import_paths(renamed_by_import, [jsonl(tmp_path / "c.jsonl", month="2021-11", url=URL,
                                           title="Psychological Treatmnets for Panic Disorder")])
    with Archive(renamed_by_import) as archive:
        assert [e.id for e in archive.entries(include_retired=True)] == [TYPO]
        assert archive.moved_to(FIXED) == TYPO and archive.moved_to(TYPO) is None


def test_entries_without_a_permalink_keep_the_id_rule(empty_data, tmp_path):
    for name, title in (("a", "Psychological Treatmnets for Panic Disorder"),
                        ("b", "Psychological Treatments for Panic Disorder")):
        import_paths(empty_data, [jsonl(tmp_path / f"{name}.jsonl", month="2021-11", title=title)])
    assert sorted(everything(empty_data)) == [FIXED, TYPO]


def test_an_old_site_page_address_shared_by_its_entries_does_not_join_them(empty_data, tmp_path):
    page = "http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_sept2013.html"
    lines = [json.dumps(dict(month="2013-09", url=page, title=title, citation=citation))
             for title, citation in (("Early Change", "Smith, A. (2010). Early change. J."),
                                     ("Handbook Review", "Jones, B. (2011). Handbook. Wiley."))]
    (tmp_path / "old.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_paths(empty_data, [tmp_path / "old.jsonl"])
    assert sorted(everything(empty_data)) == ["2013-09-early-change", "2013-09-handbook-review"]


# --- the replica's second state: a post retitled, one removed, one re-dated ----------------


@dataclass
class StateChange:
    served: Served
    folder: Path
    first: CrawlSummary
    second: CrawlSummary  # the first crawl of the second state: the removed post missed once
    after_second: dict  # the archive then
    total_after_second: int
    third: CrawlSummary  # the second crawl of the second state: the removed post retired


@pytest.fixture(scope="module")
def changed(tmp_path_factory) -> StateChange:
    site = Replica(busy_answers=0)
    with serve(site) as base_url:
        folder = tmp_path_factory.mktemp("recrawled")
        first = crawl_into(folder, base_url, delay=0)
        site.posts[:] = POSTS_LATER
        second = crawl_into(folder, base_url, delay=0)
        after_second, total = everything(folder), search(folder).total
        third = crawl_into(folder, base_url, delay=0)
        yield StateChange(Served(site, base_url), folder, first, second, after_second, total,
                          third)


def test_the_second_state_leaves_one_entry_per_live_post(changed):
    origin = changed.served.origin
    assert live(changed.folder) == expected_archive(origin, POSTS_LATER)
    assert len(live(changed.folder)) == len(POSTS_LATER) == 17
    removed = ids_of(REMOVED, POSTS)
    assert set(everything(changed.folder)) == set(expected_archive(origin, POSTS_LATER)) | {removed}


def test_renamed_and_moved_posts_keep_one_entry_and_their_old_ids_lead_to_it(changed):
    with Archive(changed.folder) as archive:
        for slug in (RENAMED, MOVED):
            old, new = ids_of(slug, POSTS), ids_of(slug, POSTS_LATER)
            assert old != new and archive.moved_to(old) == new
            assert archive.get(new).url == changed.served.origin + link(
                next(p for p in POSTS_LATER if p.slug == slug))
    assert changed.second.entries_new == 0


def test_a_removed_post_is_retired_at_the_second_complete_crawl_without_it(changed):
    removed = ids_of(REMOVED, POSTS)
    assert changed.first.missing == changed.first.retired == ()
    assert changed.second.missing == (removed,) and changed.second.retired == ()
    assert removed in changed.after_second and changed.total_after_second == 18
    assert changed.third.retired == (removed,) and changed.third.missing == ()
    assert any(line.startswith("Retired, not listed by 2 complete crawls in a row")
               and removed in line for line in changed.third.lines())
    assert changed.third.generation  # the index was rebuilt without it
    with Archive(changed.folder) as archive:
        assert archive.retired_at(removed) and archive.get(removed) is not None  # kept


def test_search_and_facets_hold_the_live_posts_only(changed):
    result = search(changed.folder)
    assert result.total == len(POSTS_LATER) == 17
    assert ids_of(REMOVED, POSTS) not in {hit.id for hit in result.hits}
    # The removed post was the one entry listed under "Feedback ..." with "alerts".
    assert search(changed.folder, q="alerts").total == 0
    topics = {v.value: v.count for group in result.facets if group.param == "topic"
              for v in group.values}
    later_feedback = sum(1 for p in POSTS_LATER if "30" in p.topics)
    assert topics["Feedback and Progress Monitoring"] == later_feedback == 3


def test_a_retired_entry_answers_410_with_a_link_to_the_blog(changed, make_app, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(changed.folder, folder)
    client = make_app(folder, ANSWER_CACHE=0).test_client()
    removed = ids_of(REMOVED, POSTS)
    blog_page = changed.served.origin + link(next(p for p in POSTS if p.slug == REMOVED))
    page = client.get(f"/entries/{removed}")
    assert page.status_code == 410
    assert f'href="{blog_page}"' in page.get_data(as_text=True)
    api = client.get(f"/api/entries/{removed}")
    assert api.status_code == 410 and api.get_json()["error"]["code"] == "retired"
    assert api.get_json()["error"]["url"] == blog_page
    moved_from = ids_of(RENAMED, POSTS)
    assert client.get(f"/entries/{moved_from}").status_code == 301
    assert client.get("/api/search?q=alerts").get_json()["total"] == 0


def test_stats_and_admin_list_the_retired_and_restore_entry_brings_one_back(
        changed, make_app, run_cli, tmp_path):
    folder = tmp_path / "recrawled"
    shutil.copytree(changed.folder, folder)
    removed = ids_of(REMOVED, POSTS)
    figures = archive_stats(folder)
    assert [r["id"] for r in figures["retired"]] == [removed] and figures["entries"] == 17
    shown = run_cli("stats", data=folder)
    assert "Retired:       1" in shown.output and removed in shown.output
    client = make_app(folder, ADMIN_TOKEN="t" * 32, ANSWER_CACHE=0).test_client()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin").get_data(as_text=True))
    client.post("/admin/login", data={"token": "t" * 32, "csrf_token": csrf.group(1)})
    admin = client.get("/admin").get_data(as_text=True)
    assert "Retired entries" in admin and removed in admin

    restored = run_cli("restore-entry", removed, data=folder)
    assert restored.exit_code == 0, restored.output
    assert restored.output.startswith(f"Restored {removed}; index ")
    assert search(folder).total == 18 and archive_stats(folder)["retired"] == []
    again = run_cli("restore-entry", removed, data=folder)
    assert again.exit_code == 1 and "is not retired" in again.output
    unknown = run_cli("restore-entry", "2020-01-no-such-entry", data=folder)
    assert unknown.exit_code == 1 and "No entry has the id" in unknown.output


def test_a_retired_post_listed_again_comes_back(changed, tmp_path):
    folder = tmp_path / "again"
    shutil.copytree(changed.folder, folder)
    removed = ids_of(REMOVED, POSTS)
    site = changed.served.site
    site.posts[:] = POSTS
    try:
        summary = crawl_into(folder, changed.served.base_url, delay=0)
    finally:
        site.posts[:] = POSTS_LATER
    assert summary.back == (removed,)
    assert removed in live(folder)


def test_an_archive_crawled_before_entries_were_marked_learns_from_its_stored_listing(tmp_path):
    site = Replica(busy_answers=0)
    with serve(site) as base_url:
        crawl_into(tmp_path, base_url, delay=0)
        with Archive(tmp_path) as archive:  # as an archive from before this change has it
            archive.db.execute("UPDATE entries SET seen_by = ''")
        site.posts[:] = POSTS_LATER
        crawl_into(tmp_path, base_url, delay=0)
        summary = crawl_into(tmp_path, base_url, delay=0)
    assert summary.retired == (ids_of(REMOVED, POSTS),)
    assert set(live(tmp_path)) == set(expected_archive(site_origin(base_url), POSTS_LATER))


def site_origin(base_url: str) -> str:
    return base_url.removesuffix("/pprnet")


def test_a_restored_entry_is_left_be_until_a_crawl_lists_it_again(changed, tmp_path):
    folder = tmp_path / "restored"
    shutil.copytree(changed.folder, folder)
    removed = ids_of(REMOVED, POSTS)
    with Archive(folder) as archive:
        assert restore(archive, removed) == removed
    for _ in range(2):
        summary = crawl_into(folder, changed.served.base_url, delay=0)
        assert summary.counted and summary.missing == summary.retired == ()
    assert removed in live(folder)


# --- crawls that cannot tell retire nothing -------------------------------------------------


@pytest.fixture
def missed_once(tmp_path) -> Path:
    """A data folder where the removed post has been missed by one complete crawl."""
    site = Replica(busy_answers=0)
    with serve(site) as base_url:
        crawl_into(tmp_path, base_url, delay=0)
        site.posts[:] = POSTS_LATER
        crawl_into(tmp_path, base_url, delay=0)
    return tmp_path


def test_a_capped_crawl_counts_no_miss(missed_once):
    site = Replica(busy_answers=0, posts=list(POSTS_LATER))
    with serve(site) as base_url:
        capped = crawl_into(missed_once, base_url, delay=0, max_pages=2)
        # The cap names a crawl that cannot tell, even when the walk reaches its end.
        roomy = crawl_into(missed_once, base_url, delay=0, max_pages=1000)
    assert capped.retired == roomy.retired == capped.missing == roomy.missing == ()
    assert not capped.counted and not roomy.counted
    assert "Not a complete walk of the listing" in " ".join(roomy.lines())
    assert ids_of(REMOVED, POSTS) in live(missed_once)


def test_a_failed_listing_page_counts_no_miss(missed_once):
    site = Replica(busy_answers=0, posts=list(POSTS_LATER))
    with serve(site) as base_url, Fetcher(delay=0) as fetcher:
        summary = crawl_into(missed_once, base_url, fetcher=_FailingPage(fetcher, base_url + "/blog?p=2"))
    assert any(url.endswith("/blog?p=2") for url, _ in summary.failed)
    assert not summary.counted and summary.retired == ()
    assert ids_of(REMOVED, POSTS) in live(missed_once)


class _FailingPage:
    """A fetcher that fails one address as a server error would, and fetches the rest."""

    def __init__(self, fetcher: Fetcher, url: str):
        self.fetcher, self.url = fetcher, url

    def refusal(self, url: str) -> str:
        return self.fetcher.refusal(url)

    def fetch(self, url: str, etag: str = "", last_modified: str = "") -> FetchResult:
        if url == self.url:
            return FetchResult(url, 503, error="HTTP 503 SERVICE UNAVAILABLE")
        return self.fetcher.fetch(url, etag, last_modified)


# --- a text import, then a crawl of the same posts ------------------------------------------


def _posts_from_sample() -> tuple[Post, ...]:
    """The sample page's six entries as a blog would publish them, two retitled a little."""
    retitled = {
        "2020-08-is-psychodynamic-therapy-effective-for-treating-personality-disorders":
            "Is Psychodynamic Therapy Effective for Personality Disorders?",  # same citation
        "2023-03-capacity-to-mentalize-predicted-outcomes-in-inpatient-therapy-for-resistant-depression":
            "Capacity to Mentalise Predicted Outcome in Inpatient Therapy for Resistant Depression",
    }
    posts = []
    for entry in parse_text_page(SAMPLE.read_text(encoding="utf-8")).entries:
        posts.append(Post(entry.id[8:], month_label(entry.month), retitled.get(entry.id, entry.title),
                          entry.citation, tuple(entry.summary.split("\n\n")), entry.implications))
    return tuple(posts)


def test_text_imported_entries_and_a_crawl_of_the_same_posts_are_one_entry_each(empty_data):
    import_paths(empty_data, [SAMPLE])
    text_ids = set(everything(empty_data))
    posts = _posts_from_sample()
    site = Replica(busy_answers=0, posts=list(posts))
    with serve(site) as base_url:
        summary = crawl_into(empty_data, base_url, delay=0)
        origin = base_url.removesuffix("/pprnet")
    stored = everything(empty_data)
    assert summary.entries_new == 0 and len(stored) == len(posts) == 6
    assert {e.url for e in stored.values()} == {origin + link(p) for p in posts}
    crawled_ids = {entry_id(month_label_to_month(p.month), p.title) for p in posts}
    assert set(stored) == crawled_ids and len(text_ids - crawled_ids) == 2
    with Archive(empty_data) as archive:
        assert {archive.resolve(i) for i in text_ids} == crawled_ids
    assert search(empty_data).total == 6


# --- an archive written before any of this -------------------------------------------------


def test_an_archive_from_before_opens_and_gains_the_new_columns(tmp_path):
    import sqlite3

    old = sqlite3.connect(tmp_path / "archive.sqlite3")
    old.executescript(
        "CREATE TABLE entries (id TEXT PRIMARY KEY, month TEXT NOT NULL, title TEXT NOT NULL,"
        " citation TEXT NOT NULL DEFAULT '', summary TEXT NOT NULL DEFAULT '',"
        " implications TEXT NOT NULL DEFAULT '', topics TEXT NOT NULL DEFAULT '[]',"
        " research_type TEXT NOT NULL DEFAULT '', url TEXT NOT NULL DEFAULT '',"
        " authors TEXT NOT NULL DEFAULT '[]', pub_year INTEGER, journal TEXT NOT NULL DEFAULT '',"
        " doi TEXT NOT NULL DEFAULT '', topics_inferred INTEGER NOT NULL DEFAULT 0,"
        " type_inferred INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL);"
        "INSERT INTO entries (id, month, title, updated_at) VALUES"
        " ('2019-04-alliance-ruptures', '2019-04', 'Alliance Ruptures', '2020-01-01');"
    )
    old.commit()
    old.close()
    with Archive(tmp_path) as archive:
        assert [e.id for e in archive.entries()] == ["2019-04-alliance-ruptures"]
        assert archive.retired_at("2019-04-alliance-ruptures") is None
        assert archive.moved_to("2019-04-alliance-rupture") is None
    with Archive(tmp_path) as archive:  # opened again: nothing left to add
        assert archive.count() == 1
