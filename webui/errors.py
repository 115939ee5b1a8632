"""Turning exceptions into responses, in one place: JSON under /api, a friendly page elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from crawler.errors import ProductError

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, code: str, message: str, param: str | None = None,
                   details: dict | None = None, link: str = "") -> Response:
    """The one error shape: JSON under /api, the friendly page elsewhere; `link` is where the
    reader can go instead (a retired entry's page on the blog)."""
    if _wants_json():
        body = {"error": {"code": code, "message": message}}
        if param:
            body["error"]["param"] = param
        if link:
            body["error"]["url"] = link
        body.update(details or {})
        return make_response(jsonify(body), status)
    return make_response(
        render_template("error.html", status=status, message=message, link=link), status)


def init_app(app: Flask) -> None:
    @app.errorhandler(ProductError)
    def product_error(exc: ProductError):
        if exc.status >= 500:
            log.error("%s on %s: %s", type(exc).__name__, request.path, exc.message,
                      extra={"event": "error", "path": request.path, "status": exc.status,
                             "code": exc.code})
        response = error_response(exc.status, exc.code, exc.message, exc.param, exc.details(),
                                  exc.link)
        response.headers.update(exc.headers())
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        message = exc.description or exc.name
        if exc.code == 404 and not _wants_json():
            message = "There is no page at this address."
        return error_response(exc.code or 500, code, message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s", request.path,
                      extra={"event": "error", "path": request.path, "status": 500,
                             "code": "internal_error"})
        return error_response(500, "internal_error", "Something went wrong on our side; please try again.")
