"""Browser fixtures: the app over the sample archive on a real local server, and Debian's
chromium driven by Playwright, with every console error and page error failing the test."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from index.ingest import import_paths
from replica.app import Replica, serve
from webui import create_app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample" / "pprnet-blog-page.txt"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


_ANSWER = "tests.answer"


class _QuietHandler(WSGIRequestHandler):
    """Keeps the request log out of the test output, and closes what a dropped request left.

    When the browser drops a connection while werkzeug drains it (a favicon fetch cut short),
    werkzeug skips closing the answer, and the open static file later warns from the garbage
    collector, failing whichever test runs then."""

    def log_request(self, *args, **kwargs) -> None:
        pass

    def connection_dropped(self, error, environ=None) -> None:
        answer = (environ or {}).get(_ANSWER)
        if hasattr(answer, "close"):
            answer.close()


def _keeping_answer(app):
    """Lets the handler find a request's answer (its iterable) once the connection drops."""
    def wsgi(environ, start_response):
        environ[_ANSWER] = answer = app(environ, start_response)
        return answer
    return wsgi


@contextmanager
def served(app) -> Iterator[str]:
    """The app on a threaded local server for the length of the block; yields its address."""
    server = make_server("127.0.0.1", 0, _keeping_answer(app), threaded=True,
                         request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def base_url(tmp_path_factory) -> str:
    """The app over the six sample entries, served on 127.0.0.1 for the whole session."""
    folder = tmp_path_factory.mktemp("browser-data")
    import_paths(folder, [SAMPLE], source_url="https://socialsciences.uottawa.ca/pprnet/blog")
    app = create_app({"DATA_DIR": str(folder), "ANSWER_CACHE": 0}, environ={})
    with served(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing; install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


class PageProblems:
    """Console errors and uncaught exceptions seen by one page; some may be expected."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.expected: list[str] = []

    def watch(self, *pages) -> None:
        """Record every console error and uncaught exception of these pages."""
        for page in pages:
            page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
            page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    def expect(self, fragment: str) -> None:
        """Allow console errors containing `fragment` (e.g. the 404 of a page meant to be missing)."""
        self.expected.append(fragment)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(f in e for f in self.expected)]


@pytest.fixture(scope="session")
def contexts(browser, base_url):
    """One browser context per kind of visitor, shared by the session; pages are per test."""
    made: dict[tuple[bool, bool], object] = {}

    def get(js: bool, phone: bool):
        if (js, phone) not in made:
            context = browser.new_context(
                base_url=base_url, java_script_enabled=js, viewport=PHONE if phone else DESKTOP,
            )
            context.set_default_timeout(5000)
            made[(js, phone)] = context
        return made[(js, phone)]

    yield get
    for context in made.values():
        context.close()


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def open_page(contexts, problems):
    """open_page(js=True, phone=False) -> a fresh page (own history), 1280 or 390 pixels wide."""
    pages = []

    def make(js: bool = True, phone: bool = False):
        page = contexts(js, phone).new_page()
        problems.watch(page)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.close()
    assert problems.unexpected() == []


@pytest.fixture
def page(open_page):
    """A desktop page with JavaScript on."""
    return open_page()


@pytest.fixture
def nojs_page(open_page):
    """A desktop page with JavaScript off: everything must work through links and forms."""
    return open_page(js=False)


@pytest.fixture
def shot():
    """shot(page, name): save a full-page screenshot under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


ADMIN_TOKEN = "correct horse battery staple"


@dataclass
class AdminSite:
    url: str
    data: Path


@pytest.fixture
def admin_site(sample_template, tmp_path):
    """The app over a copy of the sample archive, admin on, crawls aimed at the replica."""
    data = tmp_path / "data"
    shutil.copytree(sample_template, data)
    with serve(Replica()) as blog:
        app = create_app({"DATA_DIR": str(data), "ANSWER_CACHE": 0, "ADMIN_TOKEN": ADMIN_TOKEN,
                          "CRAWL_BASE_URL": blog, "CRAWL_DELAY": 0.02}, environ={})
        with served(app) as url:
            yield AdminSite(url, data)


@pytest.fixture
def admin_context(browser, admin_site):
    """A browser context of its own (its own cookies: one admin session) on the admin site."""
    context = browser.new_context(base_url=admin_site.url, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def log_in(page, token: str = ADMIN_TOKEN) -> None:
    """Log in on /admin with a token (the right one unless told)."""
    page.goto("/admin")
    page.get_by_label("Admin token").fill(token)
    page.get_by_role("button", name="Log in").click()
