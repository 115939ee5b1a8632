"""The index package's exceptions: one tree, each with a message a person can act on."""


class IndexError_(Exception):
    """Base of the archive's and the index's errors."""


class ArchiveError(IndexError_):
    """The archive cannot be opened, read or written."""


class IndexNotBuilt(IndexError_):
    """There is no index yet in the data folder."""

    def __init__(self, folder: str):
        super().__init__(
            f"No search index in {folder}. Run `pprsearch import FILE` or `pprsearch reindex` first."
        )


class IndexBusy(IndexError_):
    """Another process is building the index right now."""
