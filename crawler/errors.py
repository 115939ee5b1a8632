"""The product's exception tree, rooted here in the first layer so every layer can extend it.

Each error the product raises on purpose carries a message a person can act on, the HTTP status
it answers with and a short code; the web (webui/errors.py) and the CLI (webui/cli.py) each turn
them into an answer in one place. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class ProductError(Exception):
    """Root of the errors raised on purpose: a message for a person, an HTTP status, a code."""

    status = 500
    code = "error"
    link = ""  # where the reader can go instead, when there is such a place

    def __init__(self, message: str, *, param: str | None = None):
        super().__init__(message)
        self.message = message
        self.param = param  # the request parameter at fault, when one is

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer needs besides the status (Retry-After, WWW-Authenticate)."""
        return {}

    def details(self) -> dict:
        """More for the JSON error body than code, message and param."""
        return {}


class CrawlerError(ProductError):
    """Something went wrong getting entries in."""


class ImportFileError(CrawlerError):
    """A file could not be read or is of no kind the importer knows."""

    status = 400
    code = "bad_import"

