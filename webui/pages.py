"""The pages people use: the search page and one page per entry."""

from __future__ import annotations

import time
from dataclasses import replace
from urllib.parse import urlencode

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from index.errors import IndexNotBuilt
from search.errors import BadParameter
from search.params import parse_request
from search.records import QUERY_MAX_CHARS, SORTS

from . import present
from .evidence_view import evidence_line, evidence_rows
from .services import count_search, find_entry, search_service

bp = Blueprint("pages", __name__)


def _forgiving_search(args: MultiDict):
    """Search with what can be used of the URL, and say what was left out.

    A page never fails on a bad parameter: the bad value is dropped, the rest still searches.
    """
    args = MultiDict(args)
    notes: list[str] = []
    for _ in range(10):
        try:
            req = parse_request(args.getlist)
            result = search_service().search(req)
        except BadParameter as exc:
            notes.append(exc.message)
            if exc.value is not None:
                # Values are read stripped ("x " is "x"): drop every spelling of the bad one.
                args.setlist(exc.param,
                             [v for v in args.getlist(exc.param) if v.strip() != exc.value])
            else:
                args.poplist(exc.param)
            if exc.param == "q" and exc.code == "too_long":
                args["q"] = request.args.get("q", "")[:QUERY_MAX_CHARS].rsplit(" ", 1)[0]
            continue
        if req.page > result.pages:
            notes.append(f"There is no page {req.page} of these results; here is page {result.pages}.")
            req = req.at_page(result.pages)
            result = search_service().search(req)
        return req, result, notes
    raise BadParameter("q", "This address holds too many bad parameters to search.")


@bp.get("/")
def search():
    """The search page; asked by the page's script (`X-Requested-With: fetch`), only its parts.

    Both answers come from the same templates, so the page looks the same with or without
    JavaScript; the fragment is never stored, and caches keep the two apart by the header.
    """
    started = time.perf_counter()
    req, result, notes = _forgiving_search(request.args)
    took = time.perf_counter() - started
    count_search(req, result)
    suggestion_qs = replace(req, q=result.suggestion.q, page=1).query_string() if result.suggestion else ""
    partial = request.headers.get("X-Requested-With") == "fetch"
    response = make_response(render_template(
        "_parts.html" if partial else "search.html",
        req=req, result=result, notes=notes, sorts=SORTS, suggestion_qs=suggestion_qs,
        sentence=present.result_sentence(result), filters=present.active_filters(req),
        title=present.page_title(req), pages=present.page_numbers(req.page, result.pages),
        took=present.duration(took), autofocus=not req.params(),
    ))
    response.vary.add("X-Requested-With")
    if partial:
        response.cache_control.no_store = True
    return response


@bp.get("/entries/<entry_id>")
def entry(entry_id: str):
    found, moved = find_entry(entry_id)
    if moved:  # renamed: the old address leads to the new one for good
        query = request.query_string.decode("ascii", "replace")
        return redirect(url_for("pages.entry", entry_id=moved) + (f"?{query}" if query else ""), 301)
    try:
        related = search_service().related(entry_id)
        evidence = search_service().evidence(entry_id)
    except IndexNotBuilt:
        related, evidence = (), None
    back = _search_context(entry_id)
    return render_template(
        "entry.html", entry=found, related=related, back=back,
        req=back["request"] if back else None,
        citation=present.citation_html(found.citation),
        month=present.month_label(found.month),
        evidence_card=evidence_rows(evidence),
        evidence_missing=evidence is None,
        description=present.description(found.summary),
    )


def _search_context(entry_id: str) -> dict | None:
    """The search the reader came from (carried in the URL), with previous and next entries.

    The reader's own results page is searched again (usually straight from the answer cache),
    and the neighbouring page only when the entry sits at an edge of it.
    """
    if not any(k in request.args
               for k in ("q", "topic", "type", "year", "design", "participants", "sort", "page")):
        return None
    try:
        req = parse_request(request.args.getlist)
        result = search_service().search(req)
    except (BadParameter, IndexNotBuilt):
        return None
    context = {"request": req, "query_string": req.query_string(), "previous": None,
               "next": None, "previous_qs": "", "next_qs": ""}
    ids = [h.id for h in result.hits]
    if entry_id not in ids:
        return context
    i = ids.index(entry_id)
    context["position"] = ((req.page - 1) * req.per_page + i + 1, result.total)
    neighbours = (("previous", i - 1, req.page - 1, -1), ("next", i + 1, req.page + 1, 0))
    for name, at, other_page, edge in neighbours:
        if 0 <= at < len(ids):
            context[name], context[f"{name}_qs"] = result.hits[at], req.query_string()
        elif 1 <= other_page <= result.pages:
            other = req.at_page(other_page)
            hits = search_service().search(other).hits
            if hits:
                context[name], context[f"{name}_qs"] = hits[edge], other.query_string()
    return context


@bp.app_template_global()
def with_params(query_string: str) -> str:
    """The search page's URL for a query string."""
    base = url_for("pages.search")
    return f"{base}?{query_string}" if query_string else base


@bp.app_template_global()
def entry_url(entry_id: str, query_string: str | None = None) -> str:
    """An entry's page; with the search it was reached from, for "back" and previous/next.

    Browsing everything is a search too: its empty query string is carried as `q=`.
    """
    url = url_for("pages.entry", entry_id=entry_id)
    if query_string is None:
        return url
    return f"{url}?{query_string or 'q='}"


@bp.app_template_global()
def filtered(param: str, value: str) -> str:
    """The search page listing every entry with one facet value, e.g. one topic."""
    return with_params(urlencode([(param, value)]))


bp.add_app_template_global(evidence_line, "evidence_line")
@bp.app_template_filter("citation_html")
def citation_filter(citation: str, marked: str = ""):
    """A citation with its DOI as a link, for every place one shows (with a search's marks)."""
    return present.citation_html(citation, marked)


bp.add_app_template_global(present.source_line, "source_line")
bp.add_app_template_global(present.doi_of, "doi_of")


@bp.app_template_filter("month_label")
def month_label(month: str) -> str:
    return present.month_label(month)

