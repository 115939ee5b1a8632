"""Search as you type (issue #15): the word being typed completes, suggestions by keyboard, "/"
to focus, the long topic list's filter box, a compact result (density measured), the
searching state and the answer's time, and contrast in the dark scheme."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM_ARGS  # noqa: F401  (the same browser the other tests drive)
from .test_access_and_layout import CONTRAST_JS, STATES

pytestmark = pytest.mark.browser

PANIC = "2021-11-psychological-treatments-for-panic-disorder"


def test_typing_panic_dis_shows_the_panic_disorder_entry_first_before_the_word_ends(page, shot):
    page.goto("/")
    page.locator("#q").press_sequentially("panic dis", delay=20)
    first = page.locator(".hit").first
    expect(first.locator("h2 a")).to_have_attribute("href", re.compile(PANIC))
    expect(first.locator("h2 a mark").nth(1)).to_have_text("Disorder")
    # The address spells whole words (a bookmark searches them), never prefix=1.
    expect(page).to_have_url(re.compile(r"/\?q=panic\+dis$"))
    expect(page.locator("#q")).to_be_focused()
    shot(page, "desktop-typing-panic-dis", full_page=False)
    # Enter submits whole words: no entry mentions "dis".
    page.locator("#q").press("Escape")  # close the suggestions, keep the words
    expect(page.locator("#q")).to_have_value("panic dis")
    page.locator("#q").press("Enter")
    expect(page.locator(".empty .missing")).to_contain_text("dis")


def test_a_suggestion_is_chosen_by_keyboard_alone(page, shot):
    page.goto("/")
    box = page.locator("#q")
    box.press_sequentially("panic dis", delay=20)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-controls", "q-suggestions")
    options = listbox.get_by_role("option")
    expect(options.first).to_contain_text("panic disorder")
    expect(options.first).to_contain_text("Search")
    expect(options.first).to_contain_text("2 entries")
    shot(page, "desktop-suggestions", full_page=False)
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "q-suggestion-0")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.first).to_have_attribute("aria-selected", "false")
    box.press("ArrowUp")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/\?q=panic\+disorder$"))
    expect(box).to_have_value("panic disorder")
    expect(page.locator("#result-count")).to_have_text("2 entries for “panic disorder”")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_be_focused()


def test_escape_closes_the_suggestions_and_keeps_the_words(page):
    page.goto("/")
    box = page.locator("#q")
    box.press_sequentially("cuij", delay=20)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.get_by_role("option")).to_contain_text("Author")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value("cuij")
    box.press("ArrowDown")  # opens them again
    expect(listbox).to_be_visible()


def test_slash_focuses_the_box_and_the_home_page_focuses_it_on_load(page):
    page.goto("/")
    expect(page.locator("#q")).to_be_focused()
    page.goto(f"/entries/{PANIC}")
    expect(page.locator("#q")).not_to_be_focused()
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    expect(page.locator("#q")).to_have_value("")
    page.goto("/?q=therapy")
    expect(page.locator("#q")).not_to_be_focused()  # only the home page takes the focus
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("/x")  # typed in a field, "/" is a character
    expect(page.locator("#q")).to_have_value("/x")


def test_headings_start_with_the_pages_h1(page):
    page.goto("/")
    levels = page.locator("h1, h2, h3").evaluate_all("els => els.map(e => [e.tagName, e.textContent.trim()])")
    assert levels[0][0] == "H1"
    names = [text for _, text in levels]
    assert names.index("Filter results") > 0


def test_the_topic_list_narrows_as_one_types_in_its_filter_box(page):
    page.goto("/")
    topics = page.locator('fieldset[data-param=topic]')
    narrow = topics.get_by_role("searchbox", name="Filter the topic list")
    expect(narrow).to_be_visible()
    narrow.fill("dis")
    shown = topics.locator("li:visible")
    names = shown.locator("input").evaluate_all("els => els.map(e => e.value)")
    assert names and all("dis" in n.lower() for n in names)
    assert "Anxiety Disorders" in names
    # Counts stay the server's: a filtered value keeps its count.
    expect(topics.get_by_role("checkbox", name=re.compile(r"^Anxiety Disorders\s*, 1 entry$"))).to_be_visible()
    # An answer swapped in (here a new order) keeps the box's words and the list narrowed.
    page.locator("#sort").select_option("newest")
    expect(page).to_have_url(re.compile(r"\?sort=newest$"))
    expect(topics.get_by_role("searchbox")).to_have_value("dis")
    assert all("dis" in n.lower() for n in topics.locator("li:visible input").evaluate_all(
        "els => els.map(e => e.value)"))
    topics.get_by_role("searchbox").fill("zebra")
    expect(topics.locator("li:visible")).to_have_count(0)
    expect(topics.locator(".facet-filter-none")).to_have_text("None matches “zebra”.")
    topics.get_by_role("searchbox").fill("")
    expect(topics.locator("li:visible")).to_have_count(10)  # back to the top ten


def _visible_hits(page) -> int:
    return page.evaluate("""() => [...document.querySelectorAll('.hit')]
        .filter(e => e.getBoundingClientRect().bottom <= innerHeight).length""")


@pytest.mark.parametrize("size,wanted", [((1280, 800), 3), ((390, 844), 2)], ids=["desktop", "phone"])
def test_result_density(browser, base_url, problems, shot, size, wanted):
    context = browser.new_context(base_url=base_url, viewport={"width": size[0], "height": size[1]})
    try:
        page = context.new_page()
        problems.watch(page)
        for q in ("depression", "psychodynamic therapy"):
            page.goto(f"/?q={q.replace(' ', '+')}")
            page.evaluate("document.activeElement.blur()")
            assert _visible_hits(page) >= wanted, (q, size)
        shot(page, f"density-{size[0]}x{size[1]}", full_page=False)
    finally:
        context.close()
    assert problems.unexpected() == []


def test_a_slow_answer_shows_searching_then_the_time_it_took(page):
    page.goto("/")
    expect(page.locator(".took")).to_have_text(re.compile(r"^in \d+ (ms|s)$"))
    searching = page.locator("#searching")
    expect(searching).to_be_hidden()

    # The answer is held back until the test lets it go (a handler that slept would block the
    # thread that checks the page, and could miss the state it is looking for).
    held = []
    page.route(re.compile(r".*/\?q=.*"), lambda route: held.append(route))
    page.locator("#q").fill("anxiety")
    expect(searching).to_be_visible()
    expect(searching).to_have_text("Searching…")
    assert held, "the search was not asked for"
    for route in held:
        route.continue_()
    page.unroute(re.compile(r".*/\?q=.*"))
    expect(page.locator("#result-count")).to_have_text(re.compile("“anxiety”"))
    expect(searching).to_be_hidden()
    expect(page.locator(".took")).to_have_text(re.compile(r"^in \d+ (ms|s)$"))


def test_without_javascript_the_box_is_a_plain_search_field(nojs_page):
    nojs_page.goto("/")
    box = nojs_page.locator("#q")
    assert box.get_attribute("role") is None
    expect(nojs_page.locator("#q-suggestions")).to_be_hidden()
    expect(nojs_page.locator(".facet-filter")).to_be_hidden()
    box.fill("panic dis")
    box.press("Enter")
    expect(nojs_page).to_have_url(re.compile(r"/\?q=panic\+dis$"))  # whole words, no prefix
    expect(nojs_page.locator(".empty .missing")).to_contain_text("dis")


@pytest.mark.parametrize("name,path,phone", STATES, ids=[s[0] for s in STATES])
def test_dark_scheme_passes_contrast(browser, base_url, problems, shot, name, path, phone):
    context = browser.new_context(
        base_url=base_url, color_scheme="dark",
        viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900})
    try:
        page = context.new_page()
        problems.watch(page)
        assert page.goto(path).status == 200
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 255, 255)"
        assert page.evaluate(CONTRAST_JS) == []
        if not phone:
            # The suggestions, with one chosen, are measured too.
            page.locator("#q").fill("")
            page.locator("#q").press_sequentially("psy", delay=20)
            expect(page.get_by_role("listbox")).to_be_visible()
            page.locator("#q").press("ArrowDown")
            assert page.evaluate(CONTRAST_JS) == []
        shot(page, f"dark-{name}", full_page=False)
    finally:
        context.close()
    assert problems.unexpected() == []
