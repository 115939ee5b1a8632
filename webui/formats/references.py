"""One reference written in any citation format: the table the cite route and export share."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from crawler.reference import Reference

from . import apa, bibtex, csl, ris


@dataclass(frozen=True)
class Writer:
    """How one format is served: its content type, file extension and writer."""

    content_type: str
    extension: str
    write: Callable[[Reference, str], str]  # (reference, key) -> the file's text


WRITERS = {
    "ris": Writer(ris.CONTENT_TYPE, "ris", lambda ref, key: ris.ris_record(ref, key)),
    "bibtex": Writer(bibtex.CONTENT_TYPE, "bib", lambda ref, key: bibtex.bibtex_entry(ref, key)),
    "csl-json": Writer(csl.CONTENT_TYPE, "json",
                       lambda ref, key: json.dumps([csl.csl_item(ref, key)], ensure_ascii=False, indent=2) + "\n"),
    "apa": Writer("text/plain; charset=utf-8", "txt", lambda ref, key: apa.apa_text(ref) + "\n"),
}
