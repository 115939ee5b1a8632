"""The same flows with JavaScript off: every feature works through links and forms."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PANIC = "2021-11-psychological-treatments-for-panic-disorder"


def box(page, name: str, value: str):
    return page.locator(f'.facets input[type=checkbox][name="{name}"][value="{value}"]')


def months(page) -> list[str]:
    return page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")


def test_search_form_finds_panic_disorder_first(nojs_page, shot):
    page = nojs_page
    page.goto("/")
    expect(page.locator(".filters-toggle")).to_be_hidden()
    page.locator("#q").fill("panic disorder")
    page.locator("#search-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?q=panic\+disorder$"))
    first = page.locator(".hit").first
    expect(first.locator("h2 a")).to_have_attribute("href", re.compile(PANIC))
    expect(first.locator("h2 a mark").first).to_be_visible()
    expect(page.locator("#result-count")).to_contain_text("“panic disorder”")
    shot(page, "nojs-search-panic-disorder")


def test_facets_apply_through_the_form_and_back_restores(nojs_page, shot):
    page = nojs_page
    page.goto("/?q=therapy")
    count = page.locator("#result-count").inner_text()
    box(page, "topic", "Psychodynamic Therapy (PDT)").check()
    box(page, "year", "2022").check()
    box(page, "year", "2021").check()
    page.locator("#facet-form button.apply").click()
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"q": ["therapy"], "topic": ["Psychodynamic Therapy (PDT)"], "year": ["2022", "2021"]}
    assert sorted(set(m[:4] for m in months(page))) == ["2021", "2022"]
    expect(page.locator("#result-count")).to_contain_text("in Psychodynamic Therapy (PDT), 2021 or 2022")
    expect(page.locator(".active-filters .chip.removable")).to_have_count(3)
    shot(page, "nojs-facets-selected")
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=therapy$"))
    expect(page.locator("#result-count")).to_have_text(count)
    page.go_forward()
    page.locator(".active-filters .clear-all").click()
    expect(page).to_have_url(re.compile(r"\?q=therapy$"))
    expect(page.locator(".active-filters")).to_have_count(0)


def test_facet_links_sort_button_pager_and_show_all(nojs_page):
    page = nojs_page
    page.goto("/?q=therapy&per_page=2")
    # Show all topics is a native disclosure: no script needed.
    more = page.locator(".facet[data-param=topic] li.more").first
    expect(more).to_be_hidden()
    page.locator(".facet[data-param=topic] details.show-all summary").click()
    expect(more).to_be_visible()
    # Sorting is a select and a button.
    page.locator("#sort").select_option("oldest")
    page.locator(".sort button.apply").click()
    assert parse_qs(urlsplit(page.url).query) == {"q": ["therapy"], "sort": ["oldest"], "per_page": ["2"]}
    first_page = months(page)
    page.locator("nav.pager a[rel=next]").click()
    assert parse_qs(urlsplit(page.url).query) == {
        "q": ["therapy"], "sort": ["oldest"], "page": ["2"], "per_page": ["2"]}
    assert min(months(page)) >= max(first_page)
    # Each group's clear is a link.
    page.goto("/?topic=Anxiety+Disorders&year=2021")
    page.locator(".facet[data-param=year] a.clear").click()
    assert parse_qs(urlsplit(page.url).query) == {"topic": ["Anxiety Disorders"]}


def test_entry_page_and_related_entry(nojs_page):
    page = nojs_page
    page.goto("/?q=panic+disorder")
    page.locator(".hit h2 a").first.click()
    expect(page.locator("h1")).to_have_text("Psychological Treatments for Panic Disorder")
    related = page.locator(".related a").first
    title = related.inner_text()
    related.click()
    expect(page.locator("h1")).to_have_text(title)
