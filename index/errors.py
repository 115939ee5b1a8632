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


class IndexCorrupt(IndexError_):
    """No index generation in the data folder passes its check (sizes and checksums)."""

    def __init__(self, folder: str, problems: str):
        super().__init__(
            f"The search index in {folder} is damaged ({problems}). Run `pprsearch reindex` to "
            "rebuild it from the archive."
        )
