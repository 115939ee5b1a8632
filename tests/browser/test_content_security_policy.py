"""The pages work under their Content-Security-Policy (any violation is a console error, which
fails the test), and the admin page refuses to render in a frame."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_instant_search_works_under_the_policy(page):
    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("#result-count")).to_have_text("6 entries")
    page.evaluate("window.__samePage = true")  # the page's own script runs: no reload below

    page.locator("#q").press_sequentially("panic disorder", delay=15)

    expect(page).to_have_url(re.compile(r"\?q=panic\+disorder$"))
    expect(page.locator(".hit").first.locator("h2 a mark").first).to_have_text(re.compile("panic", re.I))
    assert page.evaluate("window.__samePage === true")


def test_an_inline_script_is_refused(page, problems):
    problems.expect("Content Security Policy")
    page.goto("/")
    page.evaluate("""() => { const s = document.createElement('script');
                            s.textContent = 'window.__inline = true'; document.body.append(s); }""")
    assert page.evaluate("window.__inline === undefined")


def test_no_page_renders_in_a_frame(page, problems, base_url):
    problems.expect("frame-ancestors")
    problems.expect("Refused to display")
    page.goto("about:blank")
    page.set_content(f'<iframe id="f" src="{base_url}/"></iframe>')
    page.wait_for_timeout(500)

    assert len(page.frames) == 2
    assert "PPRNet" not in page.frames[1].content()  # the framed page was not rendered
