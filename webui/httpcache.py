"""HTTP caching: validators and lifetimes that let browsers, a CDN or the reverse proxy carry
the read load.

A search page, an API answer or an entry page depends only on the serving index generation,
the synonyms file and the request (its path and query, and whether the page's script asked
for just the results). Its ETag is a digest of exactly those, computed from the name in
`index/CURRENT` and a stat of the synonyms file, so a conditional request is answered 304
before any search runs, and every ETag changes when a reindex swaps a new generation in.

Static files get a content version in their URLs (`/static/style.css?v=...`), so the proxy
can let browsers keep them for a long time without serving an old script after an upgrade.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, g, request

from .services import search_service

# Endpoints whose answer is a function of (generation, synonyms, request) alone.
CACHEABLE = frozenset({"pages.search", "api.search", "pages.entry", "api.entry", "feeds.feed"})
# Answers that must never be stored: they carry a person's session or change by the second.
NEVER_STORED = frozenset({"api.healthz", "metrics.metrics"})


def current_etag() -> str | None:
    """This request's ETag, or None when no index is serving (nothing to validate against)."""
    service = search_service()
    generation = service.current_name()
    if generation is None:
        return None
    fragment = request.headers.get("X-Requested-With") == "fetch"
    key = repr((generation, service.synonyms.stamp(), request.full_path, fragment))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _validate(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    if request.endpoint == "pages.search":
        response.vary.add("X-Requested-With")
    shared = current_app.config["HTTP_SHARED_MAX_AGE"]
    # The usual case, no Cache-Control yet (looked for by name: `in` raises and catches an
    # HTTP exception when it is missing, ~3 us): written as one header (what the
    # cache_control object writes below, without parsing and writing it back per directive)
    if not any(name.lower() == "cache-control" for name, _ in response.headers):
        response.headers["Cache-Control"] = (
            f"public, max-age=0, s-maxage={shared}, must-revalidate" if shared
            else "public, no-cache")
        return response
    if response.cache_control.no_store:  # the page's fragment: never kept, by anyone
        return response
    response.cache_control.public = True
    if shared:
        # Browsers ask every time (answered 304 while the index is the same, without a
        # search), so a reindex shows at once; the proxy or a CDN answers for `shared` seconds.
        response.cache_control.max_age = 0
        response.cache_control.s_maxage = shared
        response.cache_control.must_revalidate = True
    else:
        response.cache_control.no_cache = True  # kept, but asked about every time
    return response


def _not_modified() -> Response | None:
    """A 304 for a request whose If-None-Match holds the current ETag; runs before the view."""
    g.etag = None
    if request.endpoint not in CACHEABLE or request.method not in ("GET", "HEAD"):
        return None
    g.etag = etag = current_etag()
    if etag is not None and request.if_none_match.contains_weak(etag):
        return _validate(current_app.response_class(status=304), etag)
    return None


def _cache_headers(response: Response) -> Response:
    etag = g.get("etag")
    if etag is not None and response.status_code == 200:
        _validate(response, etag)
    elif request.blueprint == "admin" or request.endpoint in NEVER_STORED:
        response.cache_control.no_store = True
    return response


def _static_version(endpoint: str, values: dict) -> None:
    """Adds `v`, a digest of the file, to static URLs: a new file is a new URL."""
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    versions = current_app.extensions.setdefault("pprsearch_static_versions", {})
    name = values["filename"]
    if name not in versions:
        path = Path(current_app.static_folder or "") / name
        try:
            versions[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        except OSError:
            versions[name] = None
    if versions[name]:
        values["v"] = versions[name]


def init_app(app: Flask) -> None:
    app.before_request(_not_modified)
    app.after_request(_cache_headers)
    app.url_defaults(_static_version)
