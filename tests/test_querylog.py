"""What people search for: counted per web search (pages and API, not the CLI), without
addresses, cookies or user agents; pruned past 90 days; off with QUERY_LOG = False; shown on
/admin, where a synonym line added for a query that found nothing makes it find its entry on
the next search, without a reindex."""

from __future__ import annotations

import re
import sqlite3
import time

import pytest
from conftest import PANIC

from index.querylog import KEEP_DAYS, QUERY_LOG_FILE, QueryLog, flush_all
from index.store import IndexStore
from search.synonyms import DEFAULT_FILE, Synonyms, add_line

TOKEN = "querylog-test-token-81c2"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
AGENT = "Mozilla/5.0 (QueryLogTest; a-distinctive-agent)"


def rows(data) -> list[tuple]:
    flush_all()  # searches are written by a background thread within a second
    with sqlite3.connect(data / QUERY_LOG_FILE) as db:
        return db.execute("SELECT q, filters, total FROM queries ORDER BY rowid").fetchall()


@pytest.fixture
def admin_app(sample_data, make_app):
    return make_app(sample_data, ADMIN_TOKEN=TOKEN, ANSWER_CACHE=16)


def logged_in_csrf(client) -> str:
    """Log the client in on the page; the CSRF token of its forms."""
    csrf = CSRF_INPUT.search(client.get("/admin").get_data(as_text=True)).group(1)
    assert client.post("/admin/login", data={"token": TOKEN, "csrf_token": csrf}).status_code == 302
    return CSRF_INPUT.search(client.get("/admin").get_data(as_text=True)).group(1)


def test_pages_and_api_searches_are_counted_normalised_with_filters_and_totals(client, sample_data):
    client.get("/?q=Panic++Disorder")
    client.get("/api/search?q=panic&year=2021", headers={"User-Agent": AGENT},
               environ_base={"REMOTE_ADDR": "203.0.113.77"})
    client.get("/?q=zzyzx", headers={"X-Requested-With": "fetch"})
    client.get("/?q=therapy&per_page=1&page=2")  # a further page of a search is not another one
    client.get("/entries/" + PANIC + "?q=panic")  # nor is the entry page it led to

    assert rows(sample_data) == [("panic disorder", "", 2), ("panic", '{"year": ["2021"]}', 1),
                                 ("zzyzx", "", 0)]
    with sqlite3.connect(sample_data / QUERY_LOG_FILE) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(queries)")]
    assert columns == ["day", "q", "filters", "total"]
    stored = b"".join(p.read_bytes() for p in sample_data.glob(QUERY_LOG_FILE + "*"))
    assert b"203.0.113.77" not in stored and b"distinctive-agent" not in stored


def test_the_cli_search_is_not_counted(run_cli, sample_data):
    assert run_cli("search", "panic").exit_code == 0
    assert not (sample_data / QUERY_LOG_FILE).exists()


def test_query_log_false_turns_it_off(sample_data, make_app):
    client = make_app(sample_data, QUERY_LOG=False, ADMIN_TOKEN=TOKEN).test_client()
    client.get("/?q=panic")
    client.get("/api/search?q=panic")
    assert not (sample_data / QUERY_LOG_FILE).exists()
    csrf = logged_in_csrf(client)
    assert csrf and "QUERY_LOG = False" in client.get("/admin").get_data(as_text=True)


def test_rows_older_than_90_days_are_pruned(tmp_path):
    log = QueryLog(tmp_path)
    log.record("old", "", 0, day="2026-01-01")
    log.record("kept", "", 2, day="2026-03-31")
    assert KEEP_DAYS == 90
    assert log.prune(today="2026-06-29") == 1
    assert [(c.q, c.count, c.total) for c in log.top()] == [("kept", 1, 2)]
    log.close()


def test_a_search_is_written_by_the_background_writer_not_by_the_request(tmp_path):
    log = QueryLog(tmp_path)
    log.record("panic", "", 3)
    assert log._held  # counting a search writes nothing itself
    deadline, written = time.monotonic() + 10, []
    while not written and time.monotonic() < deadline:
        time.sleep(0.05)
        try:
            written = rows_of(tmp_path)
        except sqlite3.OperationalError:  # not created yet
            pass
    assert written == [("panic", "", 3)]
    log.record("therapy", "", 5)
    log.close()  # and what is held when it closes is written
    assert rows_of(tmp_path) == [("panic", "", 3), ("therapy", "", 5)]


def rows_of(folder) -> list[tuple]:
    with sqlite3.connect(folder / QUERY_LOG_FILE) as db:
        return db.execute("SELECT q, filters, total FROM queries ORDER BY rowid").fetchall()


def test_top_and_zero_result_queries(tmp_path):
    log = QueryLog(tmp_path)
    for q, total in [("panic", 3), ("Panic ", 3), ("jitters", 0), ("CBT", 2), ("jitters", 0),
                     ("jitters", 0), ("gone now", 0), ("gone now", 4)]:
        log.record(q, "", total)
    assert [(c.q, c.count, c.total) for c in log.top()] == [
        ("jitters", 3, 0), ("gone now", 2, 4), ("panic", 2, 3), ("cbt", 1, 2)]
    # "gone now" found something the last time it was asked: it no longer finds nothing
    assert [(c.q, c.count) for c in log.top(zero_only=True)] == [("jitters", 3)]
    log.close()


def test_a_zero_result_query_shows_on_admin_and_a_synonym_added_there_finds_its_entry(
        admin_app, sample_data):
    client = admin_app.test_client()
    version = IndexStore(sample_data).current_name()
    assert client.get("/api/search?q=jitters").get_json()["total"] == 0
    csrf = logged_in_csrf(client)
    page = client.get("/admin").get_data(as_text=True)
    zero = page.split("Queries that found nothing", 1)[1].split("</table>", 1)[0]
    assert ">jitters</a>" in zero
    assert 'name="query" value="jitters"' in zero

    added = client.post("/admin/synonyms", data={"query": "jitters", "means": "panic attacks",
                                                 "csrf_token": csrf})
    assert added.status_code == 302
    assert "jitters = panic attacks" in client.get("/admin").get_data(as_text=True)  # flashed

    answer = client.get("/api/search?q=jitters").get_json()  # the very next search
    assert [hit["id"] for hit in answer["hits"]] == [PANIC]
    assert (sample_data / "synonyms.txt").read_text(encoding="utf-8").splitlines()[-1] == \
        "jitters = panic attacks"
    assert IndexStore(sample_data).current_name() == version  # no reindex
    page = client.get("/admin").get_data(as_text=True)
    assert ">jitters</a>" not in page.split("Queries that found nothing", 1)[1].split("</table>", 1)[0]


@pytest.mark.parametrize("form", [
    {"query": "jitters", "means": "panic attacks"},  # no CSRF token
    {"query": "jitters", "means": "panic attacks", "csrf_token": "forged"},
])
def test_adding_a_synonym_needs_the_session_and_its_csrf_token(admin_app, sample_data, form):
    client = admin_app.test_client()
    assert client.post("/admin/synonyms", data=form).status_code == 401  # not logged in
    logged_in_csrf(client)
    assert client.post("/admin/synonyms", data=form).status_code == 400
    assert not (sample_data / "synonyms.txt").exists()


@pytest.mark.parametrize("means", ["", "   ", "jitters", "panic # attacks"])
def test_a_line_that_says_nothing_is_refused_with_a_message(admin_app, sample_data, means):
    client = admin_app.test_client()
    csrf = logged_in_csrf(client)
    response = client.post("/admin/synonyms", data={"query": "jitters", "means": means,
                                                    "csrf_token": csrf}, follow_redirects=True)
    assert 'role="alert"' in response.get_data(as_text=True)
    assert not (sample_data / "synonyms.txt").exists()


def test_the_data_folders_file_extends_the_shipped_groups(tmp_path):
    extra = tmp_path / "synonyms.txt"
    synonyms = Synonyms(DEFAULT_FILE, extra)
    shipped = synonyms.group(("cbt",))
    assert shipped and not synonyms.group(("talk", "cure"))
    before = synonyms.stamp()

    add_line(extra, "CBT = talking cure")

    assert synonyms.stamp() != before  # cached answers expire
    group = [form.text for form in synonyms.group(("cbt",))]
    assert group == [form.text for form in shipped] + ["talking cure"]
    assert synonyms.group(("cognit", "behavior", "therapi")) == synonyms.group(("cbt",))
    assert "talking cure" in [f.text for f in synonyms.group(tuple(synonyms.group(("cbt",))[-1].terms))]
    assert extra.read_text(encoding="utf-8").startswith("# This data folder's own synonym lines")
