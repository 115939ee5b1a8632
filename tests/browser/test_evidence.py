"""Evidence in the browser: the Design and Participants facets, the evidence line on each
result, sort by participants, and the entry page's evidence card."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PANIC = "2021-11-psychological-treatments-for-panic-disorder"
DEPRESSION = "2021-06-psychotherapies-for-depression"


def box(page, name: str, value: str):
    return page.locator(f'.facets input[type=checkbox][name="{name}"][value="{value}"]')


def facet_count(page, name: str, value: str) -> int:
    return int(box(page, name, value).locator("xpath=ancestor::label").locator(".count").inner_text())


def test_design_and_participants_facets_filter_in_place(page, shot):
    page.goto("/")
    expect(page.locator(".facet[data-param=design] legend")).to_have_text("Design")
    assert facet_count(page, "design", "network meta-analysis") == 2
    assert facet_count(page, "participants", "1000-9999") == 2
    page.evaluate("window.__samePage = true")

    box(page, "design", "network meta-analysis").click()
    expect(page).to_have_url(re.compile(r"\?design=network\+meta-analysis$"))
    expect(page.locator("#result-count")).to_have_text("2 entries, network meta-analysis")
    # The design group widens: the other designs stay offered with their counts.
    assert facet_count(page, "design", "meta-analysis") == 1
    assert facet_count(page, "participants", "10000-plus") == 1

    box(page, "participants", "10000-plus").click()
    expect(page).to_have_url(
        re.compile(r"\?design=network\+meta-analysis&participants=10000-plus$"))
    expect(page.locator("#result-count")).to_have_text(
        "1 entry, network meta-analysis, 10,000 or more participants")
    expect(page.locator(".hit h2 a")).to_have_attribute("href", re.compile(DEPRESSION))
    expect(page.locator(".hit .evidence-line")).to_have_text(
        re.compile(r"Network meta-analysis\s*·\s*331 studies\s*·\s*34,000\+ patients"))
    # The participants group ignores its own selection: 1,000-9,999 is still offered.
    assert facet_count(page, "participants", "1000-9999") == 1
    assert page.evaluate("window.__samePage === true"), "the page reloaded"
    shot(page, "desktop-evidence-facets")

    page.locator(".facet[data-param=participants] a.clear").click()
    expect(page).to_have_url(re.compile(r"\?design=network\+meta-analysis$"))
    page.locator("#sort").select_option("participants")
    expect(page).to_have_url(re.compile(r"sort=participants"))
    expect(page.locator(".hit h2 a").first).to_have_attribute("href", re.compile(DEPRESSION))


def test_facets_work_without_javascript(nojs_page):
    page = nojs_page
    page.goto("/?q=depression")
    box(page, "participants", "under-100").check()
    box(page, "participants", "100-999").check()
    page.locator("#facet-form button.apply").click()
    expect(page).to_have_url(re.compile(r"participants=under-100&participants=100-999"))
    expect(page.locator(".hit")).to_have_count(2)
    expect(page.locator(".active-filters .chip.removable")).to_have_count(2)


def test_the_entry_page_shows_the_evidence_card_with_marked_sources(page, shot):
    page.goto(f"/entries/{PANIC}")
    card = page.locator(".evidence-card")
    expect(card.locator("h2")).to_have_text("Evidence at a glance")
    expect(card.locator(".ev-row")).to_have_count(4)
    expect(card.locator(".ev-row").nth(3).locator("mark")).to_have_text(
        ["SMD = -0.67, 95%CI: -0.95 to -0.39", "SMD = -0.61, 95%CI: -1.15 to -0.07"])
    expect(card.locator(".ev-row").nth(2).locator(".ev-value")).to_have_text("7,300+ patients")
    shot(page, "desktop-entry-evidence")
