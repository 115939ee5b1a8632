"""The crawler's exceptions: one tree, each with a message a person can act on."""


class CrawlerError(Exception):
    """Something went wrong getting entries in."""


class ImportFileError(CrawlerError):
    """A file could not be read or is of no kind the importer knows."""


class FetchError(CrawlerError):
    """A page could not be fetched."""

    def __init__(self, message: str, url: str = "", status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status
