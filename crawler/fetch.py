"""Polite HTTP for the crawler: one session, robots.txt obeyed, a pause between requests,
capped retries with backoff, conditional requests.

Every request ends in a frozen `FetchResult`, failures included, so one bad page never stops a
crawl and no `requests` object leaves this module.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from typing import Callable
from urllib.parse import urljoin, urlsplit

import requests
from protego import Protego

log = logging.getLogger(__name__)

# Defaults, in one place; the CLI's --delay maps onto `delay`.
USER_AGENT = "PPRNetSearch/0.1 (+https://github.com/pprnet-search; contact: see README)"
ROBOTS_AGENT = "PPRNetSearch"  # the name robots.txt rules are matched against
DEFAULT_DELAY = 1.0  # seconds between the end of one request and the start of the next
DEFAULT_TIMEOUT = (10.0, 30.0)  # connect, read (seconds)
DEFAULT_RETRIES = 3  # further tries after a connection error, a 429 or a 5xx
DEFAULT_BACKOFF = 2.0  # seconds before the first retry, doubled for each one after it
MAX_WAIT = 120.0  # the longest Retry-After obeyed; a server asking for more is given up on
MAX_BYTES = 10 * 1024 * 1024  # no page of the blog comes near this
MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class FetchResult:
    """What one fetch came to: a page, a "not modified", or the reason it failed."""

    url: str
    status: int = 0  # the HTTP status; 0 when no answer came
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    final_url: str = ""  # after redirects
    error: str = ""  # why it failed, for the crawl's summary; "" when it did not
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return not self.error and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return not self.error and self.status == 304


class Fetcher:
    """One polite HTTP client; use it as a context manager so its connections are closed."""

    def __init__(self, delay: float = DEFAULT_DELAY, *, timeout: float | tuple = DEFAULT_TIMEOUT,
                 retries: int = DEFAULT_RETRIES, backoff: float = DEFAULT_BACKOFF,
                 max_wait: float = MAX_WAIT, user_agent: str = USER_AGENT,
                 sleep: Callable[[float], None] = time.sleep):
        self.delay = max(0.0, float(delay))
        self.timeout, self.retries = timeout, retries
        self.backoff, self.max_wait = backoff, max_wait
        self.user_agent = user_agent
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": user_agent, "Accept": "text/html,*/*;q=0.5"})
        self._sleep = sleep
        self._last: float | None = None  # when the previous request ended
        self._robots: dict[str, Protego | str | None] = {}
        self._crawl_delay: dict[str, float] = {}
        self.requests = 0

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    # robots.txt

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets this crawler fetch `url` (read once per site)."""
        return not self.refusal(url)

    def refusal(self, url: str) -> str:
        """Why robots.txt keeps this crawler from `url`; "" when it does not."""
        origin = _origin(url)
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        rules = self._robots[origin]
        if isinstance(rules, str):
            return rules
        if rules is not None and not rules.can_fetch(url, ROBOTS_AGENT):
            return "disallowed by robots.txt"
        return ""

    def _read_robots(self, origin: str) -> Protego | str | None:
        """The site's rules: None when it has none (all allowed); a reason to fetch nothing
        there when robots.txt cannot be reached (RFC 9309)."""
        result = self._fetch(origin + "/robots.txt", {}, robots=False)
        if result.ok:
            rules = Protego.parse(result.body.decode("utf-8", errors="replace"))
            wanted = rules.crawl_delay(ROBOTS_AGENT)
            if wanted:
                self._crawl_delay[origin] = float(wanted)
            return rules
        if 400 <= result.status < 500:
            return None
        log.warning("robots.txt of %s unreachable (%s); fetching nothing there",
                    origin, result.error)
        return f"not fetched: robots.txt could not be read ({result.error})"

    # Fetching

    def fetch(self, url: str, etag: str = "", last_modified: str = "") -> FetchResult:
        """GET `url`, conditionally when validators are given; robots.txt is checked first."""
        refusal = self.refusal(url)
        if refusal:
            return FetchResult(url, error=refusal)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._fetch(url, headers)

    def _fetch(self, url: str, headers: dict, robots: bool = True) -> FetchResult:
        """Follow redirects (robots.txt checked at each hop), retrying what may pass."""
        target = url
        for _ in range(MAX_REDIRECTS + 1):
            result, location = self._retrying(target, headers)
            if not location:
                return replace(result, url=url, final_url=target)
            target = urljoin(target, location)
            if robots and not self.allowed(target):
                return FetchResult(url, result.status, error=f"redirected to {target}, "
                                   "which robots.txt disallows", attempts=result.attempts)
            headers = {}  # the validators were for the first address
        return FetchResult(url, error=f"more than {MAX_REDIRECTS} redirects")

    def _retrying(self, url: str, headers: dict) -> tuple[FetchResult, str]:
        """One address, tried again after connection errors, 429s and 5xx, up to the cap."""
        attempt = 0
        while True:
            attempt += 1
            result, wait, location = self._once(url, headers)
            result = replace(result, attempts=attempt)
            if wait is None or attempt > self.retries:
                return result, location
            wait = wait or self.backoff * 2 ** (attempt - 1)
            if wait > self.max_wait:
                return replace(result, error=f"{result.error}; asked to wait {wait:.0f} s"), ""
            log.info("retrying %s in %.1f s (%s)", url, wait, result.error)
            self._pause(wait)

    def _once(self, url: str, headers: dict) -> tuple[FetchResult, float | None, str]:
        """One request: its result, the wait before a retry (0: back off; None: do not
        retry), and where a redirect points."""
        self._pause()
        self.requests += 1
        try:
            with self.session.get(url, headers=headers, timeout=self.timeout, stream=True,
                                  allow_redirects=False) as response:
                body = _read(response)
        except (requests.ConnectionError, requests.Timeout,
                requests.exceptions.ChunkedEncodingError) as exc:
            return FetchResult(url, error=f"connection failed: {_reason(exc)}"), 0.0, ""
        except _TooBig:
            return FetchResult(url, error=f"larger than {MAX_BYTES // 2**20} MB"), None, ""
        except requests.RequestException as exc:
            return FetchResult(url, error=f"request failed: {_reason(exc)}"), None, ""
        finally:
            self._last = time.monotonic()
        status, got = response.status_code, response.headers
        if status in _REDIRECTS and got.get("Location"):
            return FetchResult(url, status), None, got["Location"]
        error = f"HTTP {status} {response.reason or ''}".strip()
        if status == 429 or status >= 500:
            return FetchResult(url, status, error=error), _retry_after(got.get("Retry-After")), ""
        if status >= 400:
            return FetchResult(url, status, error=error), None, ""
        return FetchResult(url, status, body, got.get("Content-Type", ""), got.get("ETag", ""),
                           got.get("Last-Modified", "")), None, ""

    def _pause(self, at_least: float = 0.0) -> None:
        """Sleep so that the delay (or robots.txt's Crawl-delay, or a retry's wait) is kept."""
        if self._last is None:
            return
        wanted = max(self.delay, at_least, *self._crawl_delay.values(), 0.0)
        left = self._last + wanted - time.monotonic()
        if left > 0:
            self._sleep(left)


class _TooBig(Exception):
    pass


def _read(response: requests.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            raise _TooBig
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_after(value: str | None) -> float:
    """Seconds a Retry-After header asks for (a number or an HTTP date); 0 when absent."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _reason(exc: Exception) -> str:
    return exc.__class__.__name__ if not str(exc) else f"{exc.__class__.__name__}: {str(exc)[:200]}"
