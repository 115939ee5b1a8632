"""The app's long-lived search service and its per-request archive connection."""

from __future__ import annotations

from flask import Flask, current_app, g

from index.archive import Archive
from search.service import SearchService


def init_app(app: Flask) -> None:
    app.extensions["pprsearch"] = SearchService(
        app.config["DATA_DIR"], answer_cache=app.config["ANSWER_CACHE"]
    )
    app.teardown_appcontext(_close_archive)


def search_service() -> SearchService:
    """The process's search service: its searchers are reused across requests."""
    return current_app.extensions["pprsearch"]


def archive() -> Archive:
    """This request's archive connection, closed when the request ends."""
    if "archive" not in g:
        g.archive = Archive(current_app.config["DATA_DIR"])
    return g.archive


def _close_archive(exc: BaseException | None = None) -> None:
    archive = g.pop("archive", None)
    if archive is not None:
        archive.close()
