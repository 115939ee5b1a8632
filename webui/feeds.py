"""Following and finding the site: a search's Atom feed, the OpenSearch description, the sitemap."""

from __future__ import annotations

import uuid
from dataclasses import replace

from flask import Blueprint, Response, request, url_for

from search.params import parse_request
from search.records import PER_PAGE_DEFAULT, SearchRequest

from . import present
from .formats.atom import CONTENT_TYPE, FeedItem, atom_feed
from .formats.sitexml import OPENSEARCH_TYPE, SITEMAP_TYPE, opensearch, sitemap
from .services import archive, search_service

bp = Blueprint("feeds", __name__)
FEED_SIZE = 20  # newest entries a feed carries


@bp.get("/feed.atom")
def feed():
    """The newest entries matching the search in the URL (its sort and page are ignored)."""
    req = replace(parse_request(request.args.getlist), sort="newest", page=1, per_page=FEED_SIZE)
    result = search_service().search(req)
    store = archive()
    items = []
    for hit in result.hits:
        found = store.get_with_change(hit.id)
        if found is not None:
            entry, changed = found
            items.append(FeedItem(entry, changed, url_for("pages.entry", entry_id=entry.id, _external=True)))
    query = replace(req, sort="relevance", per_page=PER_PAGE_DEFAULT).query_string()
    html_url = url_for("pages.search", _external=True) + (f"?{query}" if query else "")
    self_url = url_for("feeds.feed", _external=True) + (f"?{query}" if query else "")
    title = present.page_title(replace(req, page=1))
    feed_id = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'pprnet-search:feed?' + query)}"
    return Response(atom_feed(title, feed_id, self_url, html_url, items), content_type=CONTENT_TYPE)


@bp.app_template_global()
def feed_url(req: SearchRequest) -> str:
    """The feed following the search `req` (sort and page do not matter to it)."""
    query = replace(req, sort="relevance", page=1, per_page=PER_PAGE_DEFAULT).query_string()
    return url_for("feeds.feed") + (f"?{query}" if query else "")


@bp.get("/opensearch.xml")
def opensearch_description():
    body = opensearch(
        search_url=url_for("pages.search", _external=True) + "?q=",
        feed_url=url_for("feeds.feed", _external=True) + "?q=",
        icon_url=url_for("static", filename="favicon.svg", _external=True),
        description_url=url_for("feeds.opensearch_description", _external=True),
    )
    return Response(body, content_type=OPENSEARCH_TYPE)


@bp.get("/sitemap.xml")
def sitemap_xml():
    """Every entry's page, with the day the archive last changed it."""
    pages = [(url_for("pages.entry", entry_id=entry_id, _external=True), changed[:10])
             for entry_id, changed in archive().changed_at()]
    pages.insert(0, (url_for("pages.search", _external=True), ""))
    return Response(sitemap(pages), content_type=SITEMAP_TYPE)
