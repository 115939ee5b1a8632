"""Keyboard, screen-reader and small-screen use; bad input; contrast and screenshots of each state."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PANIC = "2021-11-psychological-treatments-for-panic-disorder"
LONG_Q = ("anxiety " * 700).strip()

# WCAG AA contrast of every visible piece of text against the background it is drawn on.
CONTRAST_JS = """
() => {
  function rgb(s) { const m = s.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; }
  function lum(c) {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function background(el) {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  }
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || box.width <= 1 || box.height <= 1 || el.closest('[hidden]')) continue;
    const fg = rgb(style.color), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) failures.push(`${ratio.toFixed(2)} < ${needed}: ${el.tagName.toLowerCase()}.${el.className} "${node.textContent.trim().slice(0, 40)}"`);
  }
  return failures;
}
"""

STATES = [
    ("desktop-browse", "/", False),
    ("desktop-facets-selected", "/?q=therapy&topic=Psychodynamic+Therapy+%28PDT%29&year=2022&year=2021", False),
    ("desktop-empty", "/?q=zebra+xylophone&topic=Anxiety+Disorders", False),
    ("desktop-entry-related", f"/entries/{PANIC}?q=therapy", False),
    ("mobile-browse", "/", True),
    ("mobile-entry", f"/entries/{PANIC}?q=", True),
]


@pytest.mark.parametrize("name,path,phone", STATES, ids=[s[0] for s in STATES])
def test_each_state_passes_contrast_and_is_saved(open_page, shot, name, path, phone):
    page = open_page(phone=phone)
    response = page.goto(path)
    assert response.status == 200
    assert page.evaluate(CONTRAST_JS) == []
    shot(page, name, full_page=not phone)


def test_bad_input_gets_friendly_notices_and_a_working_page(open_page, shot):
    page = open_page()
    response = page.goto(f"/?page=999&topic=Nonexistent&q={LONG_Q.replace(' ', '+')}")
    assert response.status == 200
    assert page.evaluate(CONTRAST_JS) == []
    shot(page, "desktop-bad-input")
    notices = page.locator("p.notice").all_inner_texts()
    assert len(notices) == 3
    assert any("Nonexistent" in n for n in notices) and any("page 999" in n for n in notices)
    expect(page.locator(".hit").first).to_be_visible()
    count = page.locator("#result-count").inner_text()
    assert len(count) < 200 and count.endswith("…”")
    # The page still works from here: a facet click updates it.
    page.locator('.facets input[name=year][value="2021"]').click()
    expect(page).to_have_url(re.compile(r"year=2021"))
    expect(page.locator("#result-count")).to_contain_text("2021")

    for path in ("/?year=abc&sort=bogus&per_page=0", "/?q=%22unclosed+AND+(", "/?page=-1&type=Nope"):
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("#result-count")).to_be_visible()


def test_keyboard_tab_to_a_facet_and_toggle_it_with_space(page):
    page.goto("/")
    page.locator("body").click(position={"x": 5, "y": 300})  # nowhere in particular
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.facets input[type=checkbox]')"):
            break
    else:
        pytest.fail("Tab never reached a facet checkbox")
    name, value = page.evaluate("[document.activeElement.name, document.activeElement.value]")
    assert name == "topic"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused checkbox shows no focus ring"
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"\?topic="))
    focused = page.locator(f'.facets input[name="{name}"][value="{value}"]')
    expect(focused).to_be_focused()
    expect(focused).to_be_checked()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(focused).to_be_focused()
    expect(focused).not_to_be_checked()


def test_landmarks_labels_and_a_live_count(page):
    page.goto("/")
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("search")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("complementary", name="Filters")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(1)
    # With JavaScript the box is an ARIA 1.2 combobox (its suggestions); a searchbox without.
    expect(page.get_by_role("combobox", name="Search the summaries")).to_be_visible()
    expect(page.get_by_role("group", name="Year")).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile(r"^2023\s*, 1 entry$"))).to_be_visible()
    status = page.get_by_role("status")
    expect(status).to_have_attribute("id", "result-count")
    expect(status).to_have_attribute("aria-live", "polite")
    # The live region stays the same element while its words change, so it is announced.
    page.evaluate("document.getElementById('result-count').dataset.original = 'yes'")
    page.locator('.facets input[name=year][value="2022"]').click()
    expect(status).to_have_text("2 entries, 2022")
    expect(status).to_have_attribute("data-original", "yes")


def test_narrow_screen_folds_the_filters_behind_a_toggle(open_page, shot):
    page = open_page(phone=True)
    page.goto("/")
    toggle = page.locator(".filters-toggle")
    facets = page.locator("#facet-form")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(facets).to_be_hidden()
    shot(page, "mobile-filters-folded", full_page=False)
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(facets).to_be_visible()
    page.locator('.facets input[name=topic][value="Anxiety Disorders"]').click()
    expect(page).to_have_url(re.compile(r"\?topic=Anxiety\+Disorders$"))
    expect(toggle).to_have_attribute("aria-expanded", "true")  # stays open while choosing
    expect(toggle).to_contain_text("1")
    shot(page, "mobile-filters-open", full_page=False)
    page.locator(".facets-done").click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(facets).to_be_hidden()
    expect(page.locator("#result-count")).to_have_text("1 entry in Anxiety Disorders")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways"


def test_narrow_screen_without_javascript_keeps_the_filters_reachable(open_page):
    page = open_page(js=False, phone=True)
    page.goto("/")
    expect(page.locator(".filters-toggle")).to_be_hidden()
    expect(page.locator("#facet-form")).to_be_visible()
    page.locator(".jump-filters").click()
    expect(page).to_have_url(re.compile(r"#filters$"))
    page.locator('.facets input[name=year][value="2020"]').check()
    page.locator("#facet-form button.apply").click()
    expect(page.locator("#result-count")).to_have_text("1 entry, 2020")
