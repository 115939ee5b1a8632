"""An Atom feed (RFC 4287) of entries, written with ElementTree so every value is escaped."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Iterable
from xml.etree import ElementTree as ET

from crawler.records import Entry

from .apa import apa_text
from .citable import BLOG_AUTHOR, BLOG_URL, paper

CONTENT_TYPE = "application/atom+xml; charset=utf-8"
ATOM = "http://www.w3.org/2005/Atom"
# Ids are derived from the entry's own id, so a feed reader sees an entry once, whatever the
# host name or the search that brought it.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BLOG_URL)


@dataclass(frozen=True)
class FeedItem:
    entry: Entry
    changed: str  # when the archive last changed the entry, ISO 8601
    page_url: str  # the entry's page on this site


def entry_urn(entry_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, entry_id)}"


def month_start(month: str) -> str:
    return f"{month}-01T00:00:00Z" if len(month) == 7 else "1970-01-01T00:00:00Z"


def _stamp(iso: str) -> str:
    return iso.replace("+00:00", "Z") if iso else ""


def updated(item: FeedItem) -> str:
    """The later of the entry's month and its last change: a re-import that changes nothing
    leaves it alone."""
    return max(month_start(item.entry.month), _stamp(item.changed))


def atom_feed(title: str, feed_id: str, self_url: str, html_url: str,
              items: Iterable[FeedItem]) -> bytes:
    ET.register_namespace("", ATOM)

    def sub(parent, tag: str, text: str = "", **attrs) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "title", title)
    sub(feed, "id", feed_id)
    sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(feed, "link", rel="alternate", type="text/html", href=html_url)
    author = sub(feed, "author")
    sub(author, "name", BLOG_AUTHOR)
    sub(author, "uri", BLOG_URL)
    items = list(items)
    newest = max((updated(i) for i in items), default="1970-01-01T00:00:00Z")
    sub(feed, "updated", newest)
    for item in items:
        entry = item.entry
        node = sub(feed, "entry")
        sub(node, "id", entry_urn(entry.id))
        sub(node, "title", entry.title)
        sub(node, "published", month_start(entry.month))
        sub(node, "updated", updated(item))
        sub(node, "link", rel="alternate", type="text/html", href=item.page_url)
        if entry.url.startswith(("http://", "https://")):
            sub(node, "link", rel="related", type="text/html", href=entry.url)
        for topic in entry.topics:
            sub(node, "category", term=topic)
        ref = paper(entry)
        text = (apa_text(ref) + "\n\n" if ref else "") + entry.summary
        sub(node, "summary", text, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
