"""An admin logs in, starts a crawl of the replica blog and watches it finish, while another
tab keeps searching: the whole admin story in a real browser."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from index.archive import now
from index.jobs import Jobs

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_an_admin_crawls_while_another_tab_searches(admin_context, problems, shot):
    admin, reader = admin_context.new_page(), admin_context.new_page()
    problems.watch(admin, reader)

    reader.goto('/?q=title:"attachment style"')
    assert "0 entries" in reader.locator("#result-count").inner_text()

    problems.expect("401")  # the wrong token's answer
    log_in(admin, "wrong")
    assert "not right" in admin.locator("p.notice").inner_text()
    log_in(admin)
    # The dashboard opens (and checks) the index first: wait for it, don't race it.
    expect(admin.get_by_role("heading", name="Admin")).to_be_visible()
    shot(admin, "admin-dashboard")

    admin.get_by_role("button", name="Crawl the blog").click()
    expect(admin.get_by_role("heading", name="Crawl job")).to_be_visible()

    # The reader keeps searching while the job runs; every answer is a whole page.
    searches = 0
    while admin.locator("#job-state").inner_text() in ("queued", "running") and searches < 200:
        reader.goto("/?q=therapy")
        assert "entries for “therapy”" in reader.locator("#result-count").inner_text()
        searches += 1
    admin.wait_for_function(
        "document.getElementById('job-state').textContent === 'done'", timeout=30_000)
    assert "Crawled" in admin.locator("#job-log").inner_text()
    assert "pages:" in admin.locator("#job-figures").inner_text()
    shot(admin, "admin-job-done")

    reader.goto('/?q=title:"attachment style"')
    assert reader.locator(".hit h2 a").first.inner_text() == "Attachment Style and Early Alliance"
    assert searches >= 1
    assert problems.unexpected() == []


def test_the_job_page_stops_asking_once_the_session_has_ended(admin_site, admin_context,
                                                              problems):
    data = admin_site.data
    job = Jobs(data).create("reindex")
    Jobs(data)._update(job.id, state="running", pid=os.getpid(), started_at=now())  # alive: this process
    try:
        admin = admin_context.new_page()
        problems.watch(admin)
        asked: list[str] = []
        admin.on("request", lambda r: f"/api/admin/jobs/{job.id}" in r.url and asked.append(r.url))
        log_in(admin)
        admin.goto(f"/admin/jobs/{job.id}")
        admin.wait_for_function("document.getElementById('job-state').textContent === 'running'")
        problems.expect("401")  # the poll after the logout

        other = admin_context.new_page()  # the same session, logged out from another tab
        other.goto("/admin")
        other.get_by_role("button", name="Log out").click()

        expect(admin.locator("#job-error")).to_contain_text("session has ended")
        seen = len(asked)
        admin.wait_for_timeout(3500)  # three polling intervals
        assert len(asked) == seen
    finally:
        Jobs(data)._update(job.id, state="failed", error="test over")
    assert problems.unexpected() == []
