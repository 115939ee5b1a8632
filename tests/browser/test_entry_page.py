"""The entry page: the whole summary, its tags as searches, related entries, prev/next."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PANIC = "2021-11-psychological-treatments-for-panic-disorder"


def test_entry_from_results_with_prev_next_and_related(page, shot):
    page.goto("/")
    page.locator(f'.hit h2 a[href*="{PANIC}"]').click()
    expect(page).to_have_url(re.compile(f"/entries/{PANIC}"))
    expect(page.locator("h1")).to_have_text("Psychological Treatments for Panic Disorder")
    expect(page.locator(".entry .meta time")).to_have_text("November 2021")
    expect(page.locator(".citation a[href='https://doi.org/10.1192/bjp.2021.148']")).to_be_visible()
    expect(page.locator("#summary-h")).to_be_visible()
    expect(page.locator("#impl-h")).to_have_text("Practice Implications")
    expect(page.locator(".entry .chip", has_text="Anxiety Disorders")).to_have_attribute(
        "href", "/?topic=Anxiety+Disorders")
    expect(page.locator(".entry .chip.type")).to_have_attribute(
        "href", "/?type=Meta-analysis+or+Systematic+Review")
    # Previous and next follow the list the reader came from (newest first).
    expect(page.locator(".entry-nav .position")).to_have_text("Result 4 of 6")
    expect(page.locator(".prev-next a[rel=prev]")).to_contain_text("The Evidence for Psychodynamic Therapy")
    expect(page.locator(".prev-next a[rel=next]")).to_contain_text("Psychotherapies for Depression")
    shot(page, "desktop-entry")
    page.locator(".prev-next a[rel=next]").click()
    expect(page.locator("h1")).to_have_text("Psychotherapies for Depression")
    expect(page.locator(".entry-nav .position")).to_have_text("Result 5 of 6")

    related = page.locator(".related a").first
    title = related.inner_text()
    related.click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".related")).to_be_visible()


def test_topic_chip_opens_the_filtered_search(page):
    page.goto(f"/entries/{PANIC}")
    page.locator(".entry .chip", has_text="Anxiety Disorders").click()
    expect(page).to_have_url(re.compile(r"/\?topic=Anxiety\+Disorders$"))
    expect(page.locator("#result-count")).to_have_text("1 entry in Anxiety Disorders")
    expect(page.locator('.facets input[name=topic][value="Anxiety Disorders"]')).to_be_checked()


def test_back_to_results_returns_to_the_same_search(page):
    page.goto("/?q=depression&year=2021")
    page.locator(".hit h2 a").first.click()
    page.locator(".entry-nav a.back").click()
    expect(page).to_have_url(re.compile(r"/\?q=depression&year=2021$"))
    expect(page.locator("#q")).to_have_value("depression")


def test_missing_entry_is_a_friendly_404(page, problems):
    problems.expect("404")  # the browser logs the page's own status
    response = page.goto("/entries/2099-01-nothing-here")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    expect(page.locator("p.notice")).to_be_visible()
    expect(page.locator("#q")).to_be_visible()
