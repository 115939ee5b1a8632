"""The index package's errors: the archive, the index generations and the jobs over them."""

from crawler.errors import ProductError


class IndexError_(ProductError):
    """Base of the archive's and the index's errors."""


class ArchiveError(IndexError_):
    """The archive cannot be opened, read or written."""

    status = 503
    code = "archive_unavailable"


class IndexNotBuilt(IndexError_):
    """There is no index yet in the data folder."""

    status = 503
    code = "no_index"

    def __init__(self, folder: str):
        super().__init__(
            f"No search index in {folder}. Run `pprsearch import FILE` or `pprsearch reindex` first."
        )


class IndexBusy(IndexError_):
    """Another process is building the index right now."""

    status = 409
    code = "busy"


class IndexBuildFailed(IndexError_):
    """A new index generation could not be written (a full disk, a folder not writable)."""

    status = 503
    code = "build_failed"

class IndexCorrupt(IndexError_):
    """No index generation in the data folder passes its check (sizes and checksums)."""

    status = 503
    code = "index_corrupt"

    def __init__(self, folder: str, problems: str):
        super().__init__(
            f"The search index in {folder} is damaged ({problems}). Run `pprsearch reindex` to "
            "rebuild it from the archive."
        )
