"""The app's long-lived search service and its per-request archive connection."""

from __future__ import annotations

from flask import Flask, current_app, g

from crawler.crawl import DEFAULT_BASE_URL
from crawler.records import Entry
from search import deadline

from index.archive import Archive
from index.querylog import QueryLog, filters_of
from search.errors import EntryNotFound, EntryRetired
from search.service import SearchService


def init_app(app: Flask, answer_looked_up=None) -> None:
    """`answer_looked_up` is told of each answer-cache lookup (the metrics count them)."""
    app.extensions["pprsearch"] = SearchService(
        app.config["DATA_DIR"], answer_cache=app.config["ANSWER_CACHE"],
        answer_looked_up=answer_looked_up,
    )
    app.extensions["pprsearch.queries"] = QueryLog(app.config["DATA_DIR"]) if app.config.get("QUERY_LOG") else None
    app.teardown_appcontext(_close_archive)
    seconds = float(app.config["REQUEST_DEADLINE_SECONDS"] or 0)

    @app.before_request
    def start_deadline() -> None:
        # Every request's search work stops at this deadline (503), freeing the worker.
        g.deadline = deadline.start(seconds)

    @app.teardown_request
    def stop_deadline(exc: BaseException | None = None) -> None:
        token = g.pop("deadline", None)
        if token is not None:
            deadline.stop(token)


def search_service() -> SearchService:
    """The process's search service: its searchers are reused across requests."""
    return current_app.extensions["pprsearch"]


def count_search(request, result) -> None:
    """Note a search people asked for (pages and API; a further page of one is not a new one),
    unless QUERY_LOG is off."""
    queries = current_app.extensions.get("pprsearch.queries")
    if queries is not None and request.page == 1:
        queries.record(request.q, filters_of(request), result.total)


def archive() -> Archive:
    """This request's archive connection, closed when the request ends."""
    if "archive" not in g:
        g.archive = Archive(current_app.config["DATA_DIR"])
    return g.archive


def _close_archive(exc: BaseException | None = None) -> None:
    archive = g.pop("archive", None)
    if archive is not None:
        archive.close()


def find_entry(entry_id: str) -> tuple[Entry | None, str | None]:
    """The live entry an address names, or (None, the id it has now) when it was renamed.

    EntryNotFound for an id never known; EntryRetired for an entry the blog no longer lists.
    """
    store = archive()
    found = store.get(entry_id)
    if found is None:
        moved = store.moved_to(entry_id)
        if moved is None:
            raise EntryNotFound(entry_id)
        return None, moved
    retired_at = store.retired_at(found.id)
    if retired_at:
        blog = (current_app.config.get("CRAWL_BASE_URL") or DEFAULT_BASE_URL).rstrip("/") + "/blog"
        raise EntryRetired(found.id, found.title, found.url or blog, retired_at)
    return found, None
