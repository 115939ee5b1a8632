"""The JSON API: the same answers the pages render, for scripts."""

from __future__ import annotations

import json
import os

from flask import Blueprint, jsonify, make_response, request, url_for

from index.errors import IndexCorrupt, IndexNotBuilt
from search.params import parse_request
from search.records import QUERY_MAX_CHARS

from .fastjson import jsonify_fast
from .services import count_search, find_entry, search_service

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():
    req = parse_request(request.args.getlist)
    result = search_service().search(req)
    count_search(req, result)
    return jsonify_fast(result.to_dict(base=url_for("pages.search")))


@bp.get("/api/suggest")
def suggest():
    """Suggestions for a query being typed. `format=opensearch`: the OpenSearch suggestions
    shape, `[query, [completions]]`, for browsers' search bars."""
    q = request.args.get("q", "")[:QUERY_MAX_CHARS]
    found = search_service().complete(q)
    if request.args.get("format") == "opensearch":
        response = make_response(json.dumps([q, [c.q for c in found]], ensure_ascii=False))
        response.content_type = "application/x-suggestions+json; charset=utf-8"
        return response
    return jsonify({
        "query": q,
        "suggestions": [
            {"q": c.q, "text": c.text, "kind": c.kind, "label": c.label, "count": c.count,
             "url": url_for("pages.search", q=c.q)}
            for c in found
        ],
    })


@bp.get("/api/entries/<entry_id>")
def entry(entry_id: str):
    found, moved = find_entry(entry_id)
    if moved:  # renamed: say so, and where it is now
        target = url_for("api.entry", entry_id=moved)
        response = jsonify({"moved": {"from": entry_id, "to": moved, "url": target}})
        response.status_code = 301
        response.headers["Location"] = target
        return response
    related = search_service().related(entry_id)
    evidence = search_service().evidence(entry_id)  # None from an index that predates it
    return jsonify({
        **found.to_dict(),
        "year": found.year,
        "evidence": evidence.to_dict() if evidence else None,
        "related": [
            {"id": r.id, "title": r.title, "month": r.month,
             "url": url_for("api.entry", entry_id=r.id)}
            for r in related
        ],
    })


@bp.get("/healthz")
def healthz():
    """"ok" only while the index served is the current one and passes its checks; 503 when it
    is missing, damaged with nothing to fall back on ("corrupt"), or damaged while an older
    generation answers ("degraded")."""
    service = search_service()
    try:
        generation = service.view().generation
    except IndexNotBuilt as exc:
        return jsonify({"status": "no_index", "entries": 0, "message": str(exc)}), 503
    except IndexCorrupt as exc:
        return jsonify({"status": "corrupt", "entries": 0, "message": str(exc),
                        "worker": os.getpid()}), 503
    health = service.health()
    body = {
        "status": health["status"],
        "entries": generation.entries,
        "index_version": generation.name,
        "index_built_at": generation.built_at,
        # False after an upgrade that changed the text analysis: run `pprsearch reindex`.
        "index_analysis_current": generation.current_analysis,
        # False for an index built before evidence was read, or by other patterns: reindex.
        "index_evidence_current": generation.current_evidence,
        "worker": os.getpid(),  # which serving process answered, for checks across workers
    }
    if health["status"] != "ok":
        body["message"] = (f"The current index {health['current']} is damaged "
                           f"({health['problem']}); answering from {generation.name}. "
                           "Run `pprsearch reindex`.")
        return jsonify(body), 503
    return jsonify(body)
