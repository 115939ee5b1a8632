"""The replica blog as a small Flask app on a real local server, logging every request.

It answers with the live site's address scheme (`/pprnet/blog?p=N&cat_1=ID&cat_2=ID`, a `p`
past the end giving page 1), ETag and Last-Modified validators with 304s, a robots.txt that
keeps robots out of `/pprnet/drafts/`, an entry page that fails with 503 once, and one that is
gone (404).
"""

from __future__ import annotations

import hashlib
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from flask import Flask, abort, g, make_response, request
from werkzeug.serving import make_server

from . import pages
from .content import POSTS, Post, pages_of

SAVED = Path(__file__).with_name("saved")  # saved pages; the old site's are served too
ROBOTS = "User-agent: *\nDisallow: /pprnet/drafts/\n"
LAST_MODIFIED = datetime(2024, 6, 30, 12, 0, tzinfo=timezone.utc)
MAIN_THEMES = ("rows", "flat", "teasers")  # the blog's pages 1, 2, 3


@dataclass
class Hit:
    """One request the replica answered."""

    at: float  # time.monotonic() on arrival
    path: str  # with its query string
    headers: dict[str, str]
    status: int = 0


@dataclass
class Replica:
    """The replica's state: what it publishes, how its pages answer, what it was asked."""

    posts: list[Post] = field(default_factory=lambda: list(POSTS))
    hits: list[Hit] = field(default_factory=list)
    flaky: dict[str, int] = field(default_factory=dict)  # slug -> 503s still to give
    hold: str = ""  # a path whose answer waits until `released` is set
    released: threading.Event = field(default_factory=threading.Event)
    busy_answers: int = 1  # how many 503s the "flaky" entry page gives first

    def __post_init__(self) -> None:
        self.flaky = {post.slug: self.busy_answers for post in self.posts if post.page == "flaky"}

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]

    def app(self) -> Flask:
        app = Flask(__name__)

        @app.before_request
        def arrive():
            query = request.query_string.decode("ascii")
            hit = Hit(time.monotonic(), request.path + (f"?{query}" if query else ""),
                      {k: v for k, v in request.headers.items()})
            self.hits.append(hit)
            g.hit = hit
            if self.hold and hit.path == self.hold:
                self.released.wait(20)

        @app.after_request
        def leave(response):
            g.hit.status = response.status_code
            return response

        @app.get("/robots.txt")
        def robots():
            return ROBOTS, 200, {"Content-Type": "text/plain; charset=utf-8"}

        @app.get("/pprnet/blog")
        def blog():
            filters = {k: request.args[k] for k in ("cat_1", "cat_2") if request.args.get(k)}
            listed = [p for p in self.posts if _listed(p, filters)]
            chunks = pages_of(tuple(listed))
            number = request.args.get("p", "1")
            number = int(number) if number.isdigit() else 1
            if not 1 <= number <= len(chunks):
                number = 1  # as the live site seems to: past the end is page 1 again
            theme = "rows" if filters else MAIN_THEMES[(number - 1) % len(MAIN_THEMES)]
            html = pages.listing(chunks[number - 1], number, len(chunks), filters, theme)
            return _conditional(html, etag=True)

        @app.get("/pprnet/eng/<name>")
        def old_site(name: str):
            path = SAVED / name
            if not name.startswith("pprnet_blog_") or not path.is_file():
                abort(404)
            return path.read_bytes(), 200, {"Content-Type": "text/html; charset=windows-1252"}

        @app.get("/pprnet/blog/<slug>")
        @app.get("/pprnet/drafts/<slug>")
        def entry(slug: str):
            post = next((p for p in self.posts if p.slug == slug), None)
            if post is None or post.page == "gone" or request.path != pages.link(post):
                abort(404)
            if self.flaky.get(slug):
                self.flaky[slug] -= 1
                return "Busy, try again shortly.", 503, {"Retry-After": "1"}
            return _conditional(pages.entry(post), etag=post.page != "lastmod")

        return app


def _listed(post: Post, filters: dict[str, str]) -> bool:
    return all(ident in (post.types if kind == "cat_1" else post.topics)
               for kind, ident in filters.items())


def _conditional(html: str, etag: bool):
    response = make_response(html)
    response.content_type = "text/html; charset=utf-8"
    response.last_modified = LAST_MODIFIED
    if etag:
        response.set_etag(hashlib.sha256(html.encode("utf-8")).hexdigest()[:24])
    return response.make_conditional(request)


@contextmanager
def serve_app(app) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1 (a free port) in a thread; yields its origin."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def serve(replica: Replica) -> Iterator[str]:
    """Serve the replica; yields the blog's base URL (`http://127.0.0.1:PORT/pprnet`)."""
    with serve_app(replica.app()) as origin:
        try:
            yield origin + "/pprnet"
        finally:
            replica.released.set()  # let a held request go before the server stops
