"""Fixtures and expectations for the crawler's tests: the replica blog on a real local server.

Test modules import what they use from here (`from conftest_crawl import replica, ...`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterator

import pytest

from crawler.citation import parse_citation
from crawler.ids import entry_id
from crawler.records import Entry
from crawler.tagging import tag_entry
from crawler.vocabulary import SITE_TYPE_IDS
from crawler.textpage import _month as month_of
from replica.app import Replica, serve
from replica.content import PER_PAGE, POSTS, TOPICS, TYPES, Post
from replica.pages import link

logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise here


@dataclass
class Served:
    """A replica being served: its state and request log, and the blog's base URL."""

    site: Replica
    base_url: str

    @property
    def origin(self) -> str:
        return self.base_url.removesuffix("/pprnet")

    def paths(self) -> list[str]:
        return self.site.paths()


@pytest.fixture
def replica() -> Iterator[Served]:
    """A fresh replica (its 503 answered once) on 127.0.0.1, for one test."""
    site = Replica()
    with serve(site) as base_url:
        yield Served(site, base_url)


@pytest.fixture
def steady_replica() -> Iterator[Served]:
    """A fresh replica whose pages never answer 503: for tests about something else."""
    site = Replica(busy_answers=0)
    with serve(site) as base_url:
        yield Served(site, base_url)


def theme_of(post: Post, posts: tuple[Post, ...] = POSTS) -> str:
    """How the blog's own listing shows a post: "rows", "flat" or "teasers" (pages 1-3)."""
    return ("rows", "flat", "teasers")[posts.index(post) // PER_PAGE]


def listed_entry(post: Post, origin: str = "", posts: tuple[Post, ...] = POSTS) -> Entry:
    """The entry as the blog's listing (of `posts`) shows it, before any tag or entry page is
    read."""
    summary = list(post.summary)
    citation, implications = post.citation, post.implications
    if theme_of(post, posts) == "teasers":  # the start only; the rest is on the entry's own page
        summary, implications = summary[:1], ""
    parts = parse_citation(citation)
    month = month_of(post.month)
    url = "" if theme_of(post, posts) == "flat" or not origin else origin + link(post)
    return Entry(
        id=entry_id(month, post.title), month=month, title=post.title, citation=citation,
        summary="\n\n".join(summary), implications=implications, url=url,
        authors=parts.authors if citation else (), pub_year=parts.year if citation else None,
        journal=parts.journal if citation else "", doi=parts.doi if citation else "",
    )


def crawled_entry(post: Post, origin: str, posts: tuple[Post, ...] = POSTS) -> Entry:
    """The entry a crawl of the replica (publishing `posts`) should leave in the archive."""
    entry = listed_entry(post, origin, posts)
    if theme_of(post, posts) == "teasers" and post.page not in ("gone", "private"):
        entry = entry.replace(summary="\n\n".join(post.summary), implications=post.implications)
    topics = tuple(name for ident, name in TOPICS if ident in post.topics)
    kind = next((name for ident, name in TYPES if ident in post.types), "")
    entry = tag_entry(entry.replace(topics=topics, research_type=kind))
    if entry.type_inferred:  # an inferred type takes the site's label for that kind
        site_labels = {SITE_TYPE_IDS[ident]: name for ident, name in TYPES}
        entry = entry.replace(research_type=site_labels[entry.research_type])
    return entry


def expected_archive(origin: str, posts: tuple[Post, ...] = POSTS) -> dict[str, Entry]:
    """Every replica entry, as a complete crawl leaves it, by id."""
    return {entry.id: entry for entry in (crawled_entry(post, origin, posts) for post in posts)}


def post(slug: str) -> Post:
    return next(p for p in POSTS if p.slug == slug)
