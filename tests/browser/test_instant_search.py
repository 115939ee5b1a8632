"""The search page with JavaScript: results and filters update in place, the URL follows."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PANIC = "2021-11-psychological-treatments-for-panic-disorder"


def box(page, name: str, value: str):
    return page.locator(f'input[type=checkbox][name="{name}"][value="{value}"]')


def facet_count(page, name: str, value: str) -> int:
    label = box(page, name, value).locator("xpath=ancestor::label")
    return int(label.locator(".count").inner_text())


def params(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def months(page) -> list[str]:
    return page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")


def mark_no_reload(page) -> None:
    page.evaluate("window.__samePage = true")


def assert_no_reload(page) -> None:
    assert page.evaluate("window.__samePage === true"), "the page reloaded instead of updating in place"


def test_typing_shows_the_panic_disorder_entry_first_highlighted(page, shot):
    page.goto("/")
    expect(page.locator("#result-count")).to_have_text("6 entries")
    mark_no_reload(page)
    page.locator("#q").press_sequentially("panic disorder", delay=15)
    expect(page).to_have_url(re.compile(r"\?q=panic\+disorder$"))
    first = page.locator(".hit").first
    expect(first.locator("h2 a")).to_have_attribute("href", re.compile(PANIC))
    expect(first.locator("h2 a mark").first).to_have_text(re.compile("panic", re.I))
    assert first.locator(".snippet mark").count() >= 1
    expect(page.locator("#result-count")).to_contain_text("“panic disorder”")
    expect(page).to_have_title(re.compile("panic disorder"))
    expect(page.locator("#q")).to_be_focused()
    assert_no_reload(page)
    shot(page, "desktop-search-panic-disorder")
    # Typing made one history entry, not one per keystroke.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#result-count")).to_have_text("6 entries")
    expect(page.locator("#q")).to_have_value("")
    assert_no_reload(page)


def test_enter_searches_and_keeps_the_filters(page):
    page.goto("/?year=2021")
    mark_no_reload(page)
    page.locator("#q").fill("depression")
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=depression&year=2021$"))
    expect(page.locator("#result-count")).to_have_text("2 entries for “depression”, 2021")
    assert sorted(months(page)) == ["2021-06", "2021-11"]
    assert_no_reload(page)


def test_a_topic_facet_narrows_results_counts_and_url(page, shot):
    page.goto("/")
    mark_no_reload(page)
    assert facet_count(page, "year", "2023") == 1
    box(page, "topic", "Anxiety Disorders").click()
    expect(page).to_have_url(re.compile(r"\?topic=Anxiety\+Disorders$"))
    expect(page.locator("#result-count")).to_have_text("1 entry in Anxiety Disorders")
    expect(page.locator(".hit")).to_have_count(1)
    expect(box(page, "topic", "Anxiety Disorders")).to_be_checked()
    expect(box(page, "year", "2023")).to_have_count(0)  # no 2023 entry on anxiety
    assert facet_count(page, "year", "2021") == 1
    expect(page.locator(".active-filters .chip.removable")).to_have_text(re.compile("Anxiety Disorders"))
    expect(page).to_have_title(re.compile("Anxiety Disorders"))
    assert_no_reload(page)
    shot(page, "desktop-topic-selected")
    # The chip removes the filter.
    page.locator(".active-filters .chip.removable").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#result-count")).to_have_text("6 entries")
    assert_no_reload(page)


def test_two_years_widen_and_keep_the_other_years_counted(page, shot):
    page.goto("/")
    mark_no_reload(page)
    box(page, "year", "2022").click()
    expect(page).to_have_url(re.compile(r"\?year=2022$"))
    box(page, "year", "2021").click()
    expect(page).to_have_url(re.compile(r"\?year=2022&year=2021$"))
    expect(page.locator("#result-count")).to_have_text("4 entries, 2021 or 2022")
    assert months(page) == ["2022-12", "2022-06", "2021-11", "2021-06"]
    # The year group's counts ignore its own selection: 2023 and 2020 stay offered.
    assert facet_count(page, "year", "2023") == 1
    assert facet_count(page, "year", "2020") == 1
    years = page.locator('.facets input[type=checkbox][name="year"]').evaluate_all("els => els.map(e => e.value)")
    assert years == ["2023", "2022", "2021", "2020"]
    expect(page.locator(".facet[data-param=year] a.clear")).to_be_visible()
    assert_no_reload(page)
    shot(page, "desktop-two-years")
    page.locator(".facet[data-param=year] a.clear").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator('.facets input[name="year"]:checked')).to_have_count(0)


def test_back_and_forward_restore_each_state(page):
    page.goto("/?q=therapy")
    mark_no_reload(page)
    first = page.locator("#result-count").inner_text()
    box(page, "type", "Meta-analysis or Systematic Review").click()
    expect(page).to_have_url(re.compile(r"type=Meta-analysis"))
    second = page.locator("#result-count").inner_text()
    assert second != first
    page.locator("#sort").select_option("oldest")
    expect(page).to_have_url(re.compile(r"sort=oldest"))
    assert months(page) == sorted(months(page))

    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=therapy&type=Meta-analysis\+or\+Systematic\+Review$"))
    expect(page.locator("#result-count")).to_have_text(second)
    expect(page.locator("#sort")).to_have_value("relevance")
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=therapy$"))
    expect(page.locator("#result-count")).to_have_text(first)
    expect(box(page, "type", "Meta-analysis or Systematic Review")).not_to_be_checked()
    expect(page.locator("#q")).to_have_value("therapy")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"type=Meta-analysis"))
    expect(box(page, "type", "Meta-analysis or Systematic Review")).to_be_checked()
    assert_no_reload(page)


def test_pages_keep_every_parameter(page):
    page.goto("/?q=therapy&sort=newest&per_page=2")
    mark_no_reload(page)
    pager = page.locator("nav.pager")
    expect(pager.locator("a[aria-current=page]")).to_have_text("1")
    before = months(page)
    pager.locator("a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    assert params(page) == {"q": ["therapy"], "sort": ["newest"], "page": ["2"], "per_page": ["2"]}
    after = months(page)
    assert after and max(after) <= min(before)
    expect(page.locator("nav.pager a[rel=prev]")).to_be_visible()
    # A facet chosen on page 2 starts again at page 1, keeping the rest.
    box(page, "year", "2021").click()
    expect(page).to_have_url(re.compile(r"year=2021"))
    assert params(page) == {"q": ["therapy"], "year": ["2021"], "sort": ["newest"], "per_page": ["2"]}
    assert_no_reload(page)


def test_show_all_topics_opens_and_survives_updates(page):
    page.goto("/")
    topics = page.locator('.facet[data-param=topic] li')
    assert topics.count() > 10
    hidden = page.locator('.facet[data-param=topic] li.more').first
    expect(hidden).to_be_hidden()
    toggle = page.locator(".facet[data-param=topic] details.show-all summary")
    expect(toggle).to_have_text(re.compile(r"Show all \d+ topics"))
    toggle.click()
    expect(hidden).to_be_visible()
    page.locator("#sort").select_option("oldest")
    expect(page).to_have_url(re.compile(r"sort=oldest"))
    expect(page.locator(".facet[data-param=topic] details.show-all")).to_have_attribute("open", "")
    expect(hidden).to_be_visible()


def test_browse_mode_and_the_fragment_answer(page):
    page.goto("/")
    assert months(page) == ["2023-03", "2022-12", "2022-06", "2021-11", "2021-06", "2020-08"]
    expect(page.locator("#sort")).to_have_value("newest")
    page.locator("#sort").select_option("oldest")
    expect(page).to_have_url(re.compile(r"\?sort=oldest$"))
    assert months(page) == sorted(months(page))
    # The script's fragment is never cached, and caches keep it apart from the whole page.
    fragment = page.request.get("/?q=panic", headers={"X-Requested-With": "fetch"})
    whole = page.request.get("/?q=panic")
    assert "no-store" in fragment.headers["cache-control"]
    assert "X-Requested-With" in fragment.headers["vary"] and "X-Requested-With" in whole.headers["vary"]
    assert "<html" not in fragment.text() and "<html" in whole.text()


def test_quick_clicks_all_count(page):
    page.goto("/")
    box(page, "year", "2023").click()
    box(page, "year", "2020").click()  # before the first answer is in
    expect(page).to_have_url(re.compile(r"\?year=2023&year=2020$"))
    expect(page.locator("#result-count")).to_have_text("2 entries, 2020 or 2023")
    expect(box(page, "year", "2023")).to_be_checked()
    expect(box(page, "year", "2020")).to_be_checked()


def test_back_from_an_entry_returns_to_the_updated_page(page):
    page.goto("/")
    box(page, "topic", "Anxiety Disorders").click()
    expect(page).to_have_url(re.compile(r"\?topic=Anxiety\+Disorders$"))
    page.locator(".hit h2 a").first.click()
    expect(page).to_have_url(re.compile(f"/entries/{PANIC}"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?topic=Anxiety\+Disorders$"))
    # The whole page, not the script's fragment, in the state it was left in.
    expect(page.locator("header.site")).to_be_visible()
    expect(page.locator("#result-count")).to_have_text("1 entry in Anxiety Disorders")
    expect(box(page, "topic", "Anxiety Disorders")).to_be_checked()
    # And it is live again: another click updates in place.
    mark_no_reload(page)
    box(page, "year", "2021").click()
    expect(page).to_have_url(re.compile(r"year=2021"))
    assert_no_reload(page)


def test_the_address_is_the_one_the_server_spells(page):
    """The script makes no URL of its own: a value the server dropped from the page (an unknown
    type) is not carried into the next search, and the address bar shows the server's URL."""
    page.goto("/?q=panic&type=No+Such+Kind")
    expect(page.locator(".notice")).to_contain_text("No Such Kind")
    mark_no_reload(page)
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("  depression   ", delay=15)
    expect(page).to_have_url(re.compile(r"/\?q=depression$"))
    expect(page.locator(".notice")).to_have_count(0)
    expect(page.locator("#result-count")).to_contain_text("“depression”")
    assert_no_reload(page)

    # A filter clicked next carries the query as the server rendered it into the filter form.
    first_type = page.locator('.facets input[name="type"]').first
    value = first_type.get_attribute("value")
    first_type.check()
    expect(page).to_have_url(re.compile(r"/\?q=depression&type="))
    assert params(page) == {"q": ["depression"], "type": [value]}
    assert_no_reload(page)


def test_a_word_no_entry_mentions_says_so_and_the_offered_search_works(page, shot):
    page.goto("/")
    mark_no_reload(page)
    page.locator("#q").press_sequentially("couples therapy", delay=15)
    expect(page.locator(".empty h2")).to_have_text("No entry mentions couples")
    expect(page.locator("#result-count")).to_have_text("0 entries for “couples therapy”")
    expect(page.locator(".hit")).to_have_count(0)
    shot(page, "desktop-no-entry-mentions")
    offer = page.locator(".offers a")
    expect(offer).to_have_text("5 entries mention therapy")
    offer.click()
    expect(page).to_have_url(re.compile(r"/\?q=therapy$"))
    expect(page.locator("#result-count")).to_have_text("5 entries for “therapy”")
    expect(page.locator(".hit")).to_have_count(5)
    expect(page.locator("#q")).to_have_value("therapy")
    assert_no_reload(page)


def test_an_abbreviation_no_entry_mentions_is_explained(page):
    page.goto("/?q=PTSD")
    expect(page.locator(".empty h2")).to_have_text("No entry mentions PTSD")
    expect(page.locator(".empty .explained")).to_have_text("PTSD: posttraumatic stress disorder")
    expect(page.locator(".suggestion")).to_have_count(0)
