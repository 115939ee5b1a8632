"""Taking a whole search away: every hit as a file, streamed as it is written."""

from __future__ import annotations

from dataclasses import replace
from itertools import chain
from typing import Iterator

from flask import Blueprint, Response, request, stream_with_context, url_for

from crawler.records import Entry
from search.errors import BadParameter
from search.params import parse_request
from search.records import PER_PAGE_DEFAULT, SearchRequest

from .formats.exports import EXPORTS, write
from .services import archive, search_service

bp = Blueprint("export", __name__)


@bp.app_template_global()
def export_url(req: SearchRequest, fmt: str) -> str:
    """Every result of the search `req` as a file (its page and page size do not matter)."""
    query = replace(req, page=1, per_page=PER_PAGE_DEFAULT).query_string()
    return f"{url_for('export.export')}?{query + '&' if query else ''}format={fmt}"


@bp.get("/export")
def export():
    """Every hit of the search in the URL (not one page) as ris, bibtex, csv or jsonl."""
    fmt = request.args.get("format", "").strip().lower()
    if fmt not in EXPORTS:
        raise BadParameter("format", f"format must be one of {', '.join(EXPORTS)}, not {fmt[:40]!r}.")
    req = parse_request(request.args.getlist)
    ids = search_service().all_ids(req)
    # The first page is searched now, so a bad request is answered 400 rather than cut mid-file.
    first = next(ids, None)

    def page_url(entry_id: str) -> str:
        return url_for("pages.entry", entry_id=entry_id, _external=True)

    def entries() -> Iterator[Entry]:
        store = archive()
        for entry_id in chain([first] if first else [], ids):
            entry = store.get(entry_id)
            if entry is not None:  # left the archive since the index was built
                yield entry

    kind = EXPORTS[fmt]
    response = Response(stream_with_context(write(entries(), fmt, page_url)),
                        content_type=kind.content_type)
    response.headers.set("Content-Disposition", "attachment",
                         filename=f"pprnet-search.{kind.extension}")
    return response
