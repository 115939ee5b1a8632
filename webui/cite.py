"""Citing an entry: its paper or the summary itself, as a download or on a plain page."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from crawler.errors import ProductError
from crawler.records import Entry
from search.errors import BadParameter, EntryNotFound

from .formats import citable
from .formats.apa import apa_html, apa_text
from .formats.references import WRITERS
from .services import archive


class NothingToCite(ProductError):
    """An entry printing no reference for its paper was asked to cite it."""

    status = 404
    code = "no_citation"

    def __init__(self, entry_id: str):
        super().__init__(f"The entry {entry_id!r} prints no reference for its paper; "
                         "cite the summary instead (of=summary).")


bp = Blueprint("cite", __name__)


def _entry(entry_id: str) -> Entry:
    found = archive().get(entry_id)
    if found is None:
        raise EntryNotFound(entry_id)
    return found


def _choice(param: str, allowed, default: str) -> str:
    value = request.args.get(param, default).strip().lower() or default
    if value not in allowed:
        raise BadParameter(param, f"{param} must be one of {', '.join(allowed)}, not {value[:40]!r}.")
    return value


def download(body: str, content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


@bp.get("/api/entries/<entry_id>/cite")
def cite(entry_id: str):
    """The entry's paper (or, with of=summary, the summary) in one citation format."""
    fmt = _choice("format", tuple(WRITERS), "")
    of = _choice("of", citable.KINDS, "paper")
    entry = _entry(entry_id)
    ref = citable.paper(entry) if of == "paper" else citable.summary(entry)
    if ref is None:
        raise NothingToCite(entry_id)
    writer = WRITERS[fmt]
    suffix = "" if of == "paper" else "-summary"
    return download(writer.write(ref, citable.key(ref, entry.id)), writer.content_type,
                    f"{entry.id}{suffix}.{writer.extension}")


@bp.get("/entries/<entry_id>/cite")
def cite_page(entry_id: str):
    """The references to copy and the downloads; the Cite dialog shows the same part."""
    entry = _entry(entry_id)
    paper = citable.paper(entry)
    choices = [("paper", "The paper", paper), ("summary", "This PPRNet summary", citable.summary(entry))]
    refs = [
        {"of": of, "label": label, "text": apa_text(ref), "html": apa_html(ref)}
        for of, label, ref in choices if ref is not None
    ]
    partial = request.headers.get("X-Requested-With") == "fetch"
    response = Response(render_template(
        "_cite.html" if partial else "cite.html", entry=entry, refs=refs,
        formats=[(name, label) for name, label in _LABELS if name in WRITERS],
    ))
    response.vary.add("X-Requested-With")
    return response


_LABELS = (("ris", "RIS (EndNote, Zotero, Mendeley)"), ("bibtex", "BibTeX"),
           ("csl-json", "CSL-JSON"), ("apa", "APA text"))
