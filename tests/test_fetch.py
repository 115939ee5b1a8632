"""The polite HTTP client against a small local server that logs what it is asked: the delay,
robots.txt, conditional requests, retries with backoff and Retry-After, redirects, timeouts."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from typing import Iterator

import pytest
from flask import Flask, make_response, request

from crawler.fetch import USER_AGENT, Fetcher, FetchResult, _retry_after
from replica.app import Hit, serve_app

LAST_MODIFIED = "Sun, 30 Jun 2024 12:00:00 GMT"


@dataclass
class Probe:
    """A server whose pages misbehave on purpose, and the log of what it was asked."""

    origin: str = ""
    robots: tuple[int, str] = (200, "User-agent: *\nDisallow: /private/\n")
    hits: list[Hit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]

    def gaps(self) -> list[float]:
        return [b.at - a.at for a, b in zip(self.hits, self.hits[1:])]

    def app(self) -> Flask:
        app = Flask(__name__)

        @app.before_request
        def arrive():
            self.hits.append(Hit(time.monotonic(), request.path, dict(request.headers)))
            self.counts[request.path] = self.counts.get(request.path, 0) + 1

        @app.get("/robots.txt")
        def robots():
            status, text = self.robots
            return text, status, {"Content-Type": "text/plain"}

        @app.get("/page")
        def page():
            response = make_response("<p>hello</p>")
            response.set_etag("v1")
            response.headers["Last-Modified"] = LAST_MODIFIED
            return response.make_conditional(request)

        @app.get("/busy")
        def busy():
            if self.counts["/busy"] == 1:
                return "busy", 503, {"Retry-After": "1"}
            return "done"

        @app.get("/limited")
        def limited():
            return ("slow down", 429) if self.counts["/limited"] <= 2 else "done"

        @app.get("/broken")
        def broken():
            return "oops", 500

        @app.get("/patience")
        def patience():
            return "later", 503, {"Retry-After": "3600"}

        @app.get("/slow")
        def slow():
            time.sleep(0.6)
            return "late"

        @app.get("/moved")
        def moved():
            return "", 302, {"Location": "/page"}

        @app.get("/moved-private")
        def moved_private():
            return "", 301, {"Location": "/private/x"}

        @app.get("/private/x")
        def private():
            return "secret"

        return app


@pytest.fixture
def probe() -> Iterator[Probe]:
    server = Probe()
    with serve_app(server.app()) as origin:
        server.origin = origin
        yield server


def quick(**options) -> Fetcher:
    """A fetcher that waits little, for tests that are not about waiting."""
    return Fetcher(**{"delay": 0, "backoff": 0.01, **options})


def test_a_page_comes_back_as_a_plain_record_naming_the_crawler(probe):
    with quick() as fetcher:
        result = fetcher.fetch(probe.origin + "/page")
    assert result == FetchResult(
        probe.origin + "/page", 200, b"<p>hello</p>", "text/html; charset=utf-8", '"v1"',
        LAST_MODIFIED, final_url=probe.origin + "/page", attempts=1)
    assert result.ok and not result.not_modified
    assert {hit.headers["User-Agent"] for hit in probe.hits} == {USER_AGENT}
    assert "contact" in USER_AGENT and "https://" in USER_AGENT


def test_the_delay_is_kept_between_requests(probe):
    with Fetcher(delay=0.2) as fetcher:
        for _ in range(3):
            assert fetcher.fetch(probe.origin + "/page").ok
    assert probe.paths() == ["/robots.txt", "/page", "/page", "/page"]
    assert min(probe.gaps()) >= 0.2


def test_validators_make_a_conditional_request(probe):
    with quick() as fetcher:
        by_etag = fetcher.fetch(probe.origin + "/page", etag='"v1"')
        by_date = fetcher.fetch(probe.origin + "/page", last_modified=LAST_MODIFIED)
    assert by_etag.not_modified and by_date.not_modified and by_etag.body == b""
    assert probe.hits[1].headers.get("If-None-Match") == '"v1"'
    assert probe.hits[2].headers.get("If-Modified-Since") == LAST_MODIFIED
    assert "If-None-Match" not in probe.hits[2].headers


def test_a_503_is_tried_again_after_its_retry_after(probe):
    with quick() as fetcher:
        result = fetcher.fetch(probe.origin + "/busy")
    assert (result.ok, result.body, result.attempts) == (True, b"done", 2)
    busy = [hit for hit in probe.hits if hit.path == "/busy"]
    assert busy[1].at - busy[0].at >= 1.0


def test_a_429_without_retry_after_backs_off_doubling(probe):
    with quick(backoff=0.1) as fetcher:
        result = fetcher.fetch(probe.origin + "/limited")
    assert (result.ok, result.attempts) == (True, 3)
    first, second = probe.gaps()[1:]
    assert first >= 0.1 and second >= 0.2


def test_retries_are_capped_and_the_reason_kept(probe):
    with quick(retries=2) as fetcher:
        result = fetcher.fetch(probe.origin + "/broken")
    assert (result.ok, result.status, result.attempts) == (False, 500, 3)
    assert result.error == "HTTP 500 INTERNAL SERVER ERROR"
    assert probe.paths().count("/broken") == 3


def test_a_retry_after_beyond_the_longest_wait_is_not_waited_for(probe):
    with quick(max_wait=10) as fetcher:
        started = time.monotonic()
        result = fetcher.fetch(probe.origin + "/patience")
    assert time.monotonic() - started < 5
    assert result.error == "HTTP 503 SERVICE UNAVAILABLE; asked to wait 3600 s"
    assert probe.paths().count("/patience") == 1


def test_client_errors_are_not_retried(probe):
    with quick() as fetcher:
        result = fetcher.fetch(probe.origin + "/nowhere")
    assert (result.status, result.error, result.attempts) == (404, "HTTP 404 NOT FOUND", 1)


def test_a_slow_page_times_out(probe):
    with quick(timeout=0.2, retries=0) as fetcher:
        result = fetcher.fetch(probe.origin + "/slow")
    assert result.error.startswith("connection failed: ReadTimeout")


def test_robots_txt_keeps_the_crawler_out(probe):
    with quick() as fetcher:
        assert not fetcher.allowed(probe.origin + "/private/x")
        result = fetcher.fetch(probe.origin + "/private/x")
        moved = fetcher.fetch(probe.origin + "/moved-private")
        followed = fetcher.fetch(probe.origin + "/moved")
    assert result.error == "disallowed by robots.txt"
    assert moved.error == f"redirected to {probe.origin}/private/x, which robots.txt disallows"
    assert followed.ok and followed.final_url == probe.origin + "/page"
    assert "/private/x" not in probe.paths() and probe.paths().count("/robots.txt") == 1


def test_no_robots_txt_means_everything_is_allowed(probe):
    probe.robots = (404, "not here")
    with quick() as fetcher:
        assert fetcher.fetch(probe.origin + "/private/x").ok


def test_an_unreachable_robots_txt_means_nothing_is_fetched(probe):
    probe.robots = (503, "down")
    with quick(retries=1) as fetcher:
        result = fetcher.fetch(probe.origin + "/page")
    assert result.error == ("not fetched: robots.txt could not be read "
                            "(HTTP 503 SERVICE UNAVAILABLE)")
    assert probe.paths() == ["/robots.txt", "/robots.txt"]


def test_robots_crawl_delay_is_kept_when_longer(probe):
    probe.robots = (200, "User-agent: *\nCrawl-delay: 0.3\n")
    with quick() as fetcher:
        fetcher.fetch(probe.origin + "/page")
        fetcher.fetch(probe.origin + "/page")
    assert min(probe.gaps()) >= 0.3


def test_a_closed_port_fails_with_connection_errors_after_retries():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with quick(retries=2) as fetcher:
        result = fetcher.fetch(f"http://127.0.0.1:{port}/page")
    assert result.error.startswith("not fetched: robots.txt could not be read (connection failed: ")


def test_retry_after_reads_seconds_and_dates():
    assert _retry_after("7") == 7.0
    assert _retry_after(None) == 0.0 and _retry_after("soon") == 0.0
    in_a_minute = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 60))
    assert 55 <= _retry_after(in_a_minute) <= 61
