"""Turning exceptions into responses, in one place: JSON under /api, a friendly page elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from index.errors import IndexBusy, IndexCorrupt, IndexNotBuilt
from search.errors import BadParameter, DeadlineExceeded, EntryNotFound

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, code: str, message: str, param: str | None = None) -> Response:
    """The one error shape: JSON under /api, the friendly page elsewhere."""
    if _wants_json():
        body = {"error": {"code": code, "message": message}}
        if param:
            body["error"]["param"] = param
        return make_response(jsonify(body), status)
    return make_response(render_template("error.html", status=status, message=message), status)


def init_app(app: Flask) -> None:
    @app.errorhandler(BadParameter)
    def bad_parameter(exc: BadParameter):
        return error_response(400, exc.code, exc.message, exc.param)

    # QueryTooCostly is a BadParameter of q (400, code query_too_costly): handled above, and
    # the page drops the query with its message like any bad parameter.
    @app.errorhandler(DeadlineExceeded)
    def too_slow(exc: DeadlineExceeded):
        response = error_response(exc.status, exc.code, exc.message)
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(EntryNotFound)
    def not_found(exc: EntryNotFound):
        return error_response(404, "not_found", str(exc))

    @app.errorhandler(IndexNotBuilt)
    def no_index(exc: IndexNotBuilt):
        return error_response(503, "no_index", str(exc))

    @app.errorhandler(IndexCorrupt)
    def corrupt(exc: IndexCorrupt):
        return error_response(503, "index_corrupt", str(exc))

    @app.errorhandler(IndexBusy)
    def busy(exc: IndexBusy):
        return error_response(409, "busy", str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        message = exc.description or exc.name
        if exc.code == 404 and not _wants_json():
            message = "There is no page at this address."
        return error_response(exc.code or 500, code, message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s", request.path)
        return error_response(500, "internal_error", "Something went wrong on our side; please try again.")
