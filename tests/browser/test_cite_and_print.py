"""Taking an entry away in a real browser: copy its APA reference from the Cite dialog, and
print it on one A4 page with nothing but the entry."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

pytestmark = pytest.mark.browser

PANIC = "2021-11-psychological-treatments-for-panic-disorder"
PANIC_APA = (
    "Papola, D., Ostuzzi, G., Tedeschi, F., Gastaldon, C., Purgato, M., Del Giovane, C., . . . "
    "Barbui, C. (2021). Comparative efficacy and acceptability of psychotherapies for panic "
    "disorder with or without agoraphobia: Systematic review and network meta-analysis of "
    "randomised controlled trials. The British Journal of Psychiatry, 1–13. "
    "https://doi.org/10.1192/bjp.2021.148"
)


@pytest.fixture
def clipboard_page(browser, base_url, problems):
    """A page whose context may read and write the clipboard."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900},
                                  permissions=["clipboard-read", "clipboard-write"])
    context.set_default_timeout(5000)
    page = context.new_page()
    problems.watch(page)
    yield page
    context.close()
    assert problems.unexpected() == []


def test_copy_apa_from_the_cite_dialog_on_the_results(clipboard_page, shot):
    page = clipboard_page
    page.goto("/?q=panic+disorder")
    hit = page.locator(".hit", has=page.locator(f'h2 a[href*="{PANIC}"]'))
    hit.locator("a.cite-link").click()
    dialog = page.locator("dialog.cite-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2").first).to_have_text("Cite: Psychological Treatments for Panic Disorder")
    expect(page).to_have_url(re.compile(r"/\?q=panic\+disorder$"))  # the results stay
    expect(dialog.locator("#apa-paper")).to_have_text(PANIC_APA)
    expect(dialog.locator("#apa-paper i", has_text="The British Journal of Psychiatry")).to_be_visible()
    shot(page, "cite-dialog", full_page=False)
    dialog.get_by_role("button", name="Copy APA reference").first.click()
    expect(dialog.locator(".copied").first).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == PANIC_APA
    download = dialog.locator(".cite-ref").first.get_by_role("link", name="RIS (EndNote, Zotero, Mendeley)")
    assert download.get_attribute("href") == f"/api/entries/{PANIC}/cite?format=ris&of=paper"
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(hit.locator("a.cite-link")).to_be_focused()


def test_cite_from_the_entry_page_copies_the_summary_reference(clipboard_page):
    page = clipboard_page
    page.goto(f"/entries/{PANIC}")
    page.locator(".entry-actions a.cite-link").click()
    summary = page.locator("dialog.cite-dialog .cite-ref").nth(1)
    summary.get_by_role("button", name="Copy APA reference").click()
    assert page.evaluate("navigator.clipboard.readText()") == (
        "Psychotherapy Practice Research Network. (2021, November). Psychological Treatments "
        "for Panic Disorder. PPRNet Blog. https://socialsciences.uottawa.ca/pprnet/blog"
    )


def test_without_javascript_cite_is_a_plain_page(nojs_page):
    page = nojs_page
    page.goto("/?q=panic+disorder")
    page.locator(f'.hit:has(h2 a[href*="{PANIC}"]) a.cite-link').click()
    expect(page).to_have_url(re.compile(f"/entries/{PANIC}/cite$"))
    expect(page.locator("h1")).to_have_text("Cite this entry")
    expect(page.locator("#apa-paper")).to_have_text(PANIC_APA)
    expect(page.locator("button.copy").first).to_be_hidden()  # nothing to run it
    expect(page.locator(".downloads a", has_text="BibTeX").first).to_be_visible()


def _pdf_pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("entry_id", [  # every sample entry
    "2023-03-capacity-to-mentalize-predicted-outcomes-in-inpatient-therapy-for-resistant-depression",
    "2022-12-adding-short-term-psychodynamic-psychotherapy-to-antidepressants",
    "2022-06-the-evidence-for-psychodynamic-therapy", PANIC, "2021-06-psychotherapies-for-depression",
    "2020-08-is-psychodynamic-therapy-effective-for-treating-personality-disorders",
])
def test_an_entry_prints_on_one_a4_page(page, entry_id):
    page.goto(f"/entries/{entry_id}?q=")  # reached from a search: prev/next and related shown on screen
    expect(page.locator(".prev-next")).to_be_visible()
    page.emulate_media(media="print")
    for hidden in ("header.site", ".search-top", ".entry-nav", ".related", ".prev-next",
                   "footer.site", ".entry-actions"):
        expect(page.locator(hidden)).to_be_hidden()
    for shown in ("h1", ".entry .meta time", ".entry .chips", ".citation a[href^='https://doi.org']",
                  "#summary-h", "#impl-h", ".print-only.address"):
        if page.locator(shown).count():
            expect(page.locator(shown).first).to_be_visible()
    expect(page.locator(".print-only.address")).to_have_text(re.compile(f"^http://127.0.0.1:\\d+/entries/{entry_id}$"))
    assert _pdf_pages(page.pdf(format="A4")) == 1


def test_the_head_feed_link_follows_the_search_as_it_changes(page):
    page.goto("/")
    page.locator("#q").fill("psychodynamic")
    expect(page.locator(".take-away a.follow")).to_have_attribute("href", "/feed.atom?q=psychodynamic")
    feed = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    expect(feed).to_have_attribute("href", "/feed.atom?q=psychodynamic")
    page.locator("#q").press("Escape")  # close the suggestions under the box first
    page.locator(".take-away details.export summary").click()
    expect(page.locator(".take-away .export a", has_text="BibTeX")).to_have_attribute(
        "href", "/export?q=psychodynamic&format=bibtex")
