"""The loop from what people search for to the synonyms, in a real browser: a reader's search
finds nothing, the admin sees it among the zero-result queries on /admin and adds a synonym
line there, and the reader's next search finds the entry."""

from __future__ import annotations

import pytest

from .conftest import log_in

pytestmark = pytest.mark.browser
PANIC_TITLE = "Psychological Treatments for Panic Disorder"


def test_a_zero_result_query_gets_a_synonym_on_admin_and_then_finds_its_entry(
        admin_context, problems, shot):
    admin, reader = admin_context.new_page(), admin_context.new_page()
    problems.watch(admin, reader)

    reader.goto("/?q=jitters")
    assert "0 entries" in reader.locator("#result-count").inner_text()

    log_in(admin)
    nothing = admin.locator("table.queries-zero")
    row = nothing.locator("tr", has=admin.get_by_role("link", name="jitters", exact=True))
    assert row.locator("td").nth(3).inner_text() == "0"
    row.get_by_label("jitters =").fill("panic attacks")
    shot(admin, "admin-queries")
    row.get_by_role("button", name="Add").click()
    assert "jitters = panic attacks" in admin.locator("p.notice").inner_text()

    reader.goto("/?q=jitters")
    assert reader.locator(".hit h2 a").first.inner_text() == PANIC_TITLE
    admin.goto("/admin")
    assert admin.locator("table.queries-zero").get_by_role("link", name="jitters").count() == 0
    assert problems.unexpected() == []
