"""Admin: start a reindex or a crawl as a background job and follow it, from the API or a page;
see the crawl schedule and what people search for, and add a synonym line for a query that
found nothing.

Registered only when an admin token is configured; without one these routes do not exist.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from flask import (Blueprint, current_app, flash, jsonify, redirect, render_template, request,
                   session, url_for)

from index import jobs as job_runner
from index.errors import IndexCorrupt, IndexNotBuilt
from index.jobs import JobRunning, Jobs
from index.querylog import QueryLog
from index.schedule import parse as parse_schedule
from index.schedule import status as schedule_status
from index.stats import archive_stats
from search.synonyms import DATA_FILE, add_line

from .auth import (AdminInputError, AuthError, check_csrf, check_token,
                   csrf_token, end_all_sessions, grant_session, is_admin, require_admin)
from .services import search_service

bp = Blueprint("admin", __name__)
SOURCES = ("archive", "crawl")


def _jobs() -> Jobs:
    return Jobs(current_app.config["DATA_DIR"])


def _start(source: str, reparse: bool = False, base_url: str | None = None,
           max_pages: int | None = None):
    """Create the job, hand it to a process of its own, and return its record."""
    if not isinstance(source, str) or source not in SOURCES:
        raise AdminInputError(
            "source", f"source must be one of {', '.join(SOURCES)}, not {str(source)[:40]!r}.")
    if source == "crawl":
        configured = current_app.config.get("CRAWL_BASE_URL")
        if base_url and base_url.rstrip("/") != (configured or "").rstrip("/"):
            # A web request never chooses what the server fetches: `pprsearch crawl
            # --base-url` does, from the machine's own shell.
            raise AdminInputError(
                "base_url", "A crawl started here fetches only the configured CRAWL_BASE_URL; "
                "use `pprsearch crawl --base-url URL` to crawl another address.")
        base_url = configured
        if base_url and urlparse(base_url).scheme not in ("http", "https"):
            raise AdminInputError("base_url", "base_url must be an http or https address.")
        params = {"base_url": base_url, "delay": float(current_app.config["CRAWL_DELAY"]),
                  "max_pages": max_pages}
        job = _jobs().create("crawl", params)
    else:
        job = _jobs().create("reindex", {"reparse": bool(reparse)})
    job_runner.spawn(current_app.config["DATA_DIR"], job.id, current_app.config.get("LOG_FORMAT", "text"))
    return job


# API

@bp.post("/api/admin/reindex")
@require_admin
def api_start():
    body = {}
    if request.get_data(cache=True).strip():
        body = request.get_json(force=True, silent=True)
        if not isinstance(body, dict):
            raise AdminInputError("body", 'The body must be a JSON object, like {"source": "archive"}.')
    max_pages = body.get("max_pages")
    if max_pages is not None and (type(max_pages) is not int or max_pages < 1):
        raise AdminInputError("max_pages", "max_pages must be a positive whole number.")
    reparse = body.get("reparse", False)
    if not isinstance(reparse, bool):
        raise AdminInputError("reparse", "reparse must be true or false.")
    base_url = body.get("base_url")
    if base_url is not None and not isinstance(base_url, str):
        raise AdminInputError("base_url", "base_url must be an http or https address.")
    job = _start(body.get("source", "archive"), reparse, base_url, max_pages)
    return jsonify({"job": job.to_dict(), "url": url_for("admin.api_job", job_id=job.id)}), 202


@bp.get("/api/admin/jobs/<job_id>")
@require_admin
def api_job(job_id: str):
    return jsonify(_jobs().get(job_id).to_dict())


@bp.get("/api/admin/jobs")
@require_admin
def api_jobs():
    return jsonify({"jobs": [job.to_dict() for job in _jobs().recent(20)]})


# Page

@bp.get("/admin")
def dashboard():
    if not is_admin():
        return render_template("admin_login.html", csrf=csrf_token())
    config = current_app.config
    schedule = (schedule_status(config["DATA_DIR"], parse_schedule(config["CRAWL_SCHEDULE"]))
                if config.get("CRAWL_SCHEDULE") else None)
    queries = QueryLog(config["DATA_DIR"]) if config.get("QUERY_LOG") else None
    try:
        top = queries.top(20) if queries else []
        nothing = queries.top(20, zero_only=True) if queries else []
    finally:
        if queries:
            queries.close()
    return render_template(
        "admin.html", csrf=csrf_token(), stats=archive_stats(config["DATA_DIR"]),
        jobs=_jobs().recent(10), active=_jobs().active(),
        crawl_base_url=config.get("CRAWL_BASE_URL") or "the live PPRNet blog",
        health=_index_health(),
        schedule=schedule, query_log=bool(queries), top_queries=top, zero_queries=nothing,
    )


def _index_health() -> dict:
    """How search is served, for the dashboard: a damaged index is shown, not hidden."""
    service = search_service()
    try:
        service.view()
    except IndexNotBuilt:
        return {"status": "ok", "problem": None}
    except IndexCorrupt as exc:
        return {"status": "corrupt", "problem": str(exc), "serving": None}
    return service.health()


@bp.post("/admin/login")
def login():
    check_csrf()
    try:
        check_token(request.form.get("token", ""))
    except AuthError:
        flash("That token is not right.", "error")
        return render_template("admin_login.html", csrf=csrf_token()), 401
    grant_session()
    return redirect(url_for("admin.dashboard"))


@bp.post("/admin/logout")
def logout():
    check_csrf()
    if is_admin():
        end_all_sessions()  # a copy of this cookie, anywhere, stops working too
    session.clear()
    return redirect(url_for("admin.dashboard"))


@bp.post("/admin/jobs")
def start_from_page():
    if not is_admin():
        raise AuthError("Log in first.")
    check_csrf()
    if request.form.get("reparse", "on") != "on":
        raise AdminInputError("reparse", "reparse is a checkbox: 'on' or left out.")
    try:
        job = _start(request.form.get("source", "archive"), request.form.get("reparse") == "on")
    except JobRunning as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.job_page", job_id=exc.job.id))
    return redirect(url_for("admin.job_page", job_id=job.id))


@bp.post("/admin/synonyms")
def add_synonym():
    """Add a line to the data folder's synonyms file; the next search uses it."""
    if not session.get("admin"):
        raise AuthError("Log in first.")
    check_csrf()
    line = f"{request.form.get('query', '')} = {request.form.get('means', '')}"
    try:
        forms = add_line(Path(current_app.config["DATA_DIR"]) / DATA_FILE, line)
    except ValueError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Added \"{' = '.join(f.text for f in forms)}\": the next search uses it.", "info")
    return redirect(url_for("admin.dashboard") + "#queries-h")


@bp.get("/admin/jobs/<job_id>")
def job_page(job_id: str):
    if not is_admin():
        return redirect(url_for("admin.dashboard"))
    return render_template("admin_job.html", job=_jobs().get(job_id), csrf=csrf_token())


def init_app(app) -> None:
    """Register the admin routes, if a token is configured; their errors are product errors,
    answered by webui/errors.py."""
    if not app.config.get("ADMIN_TOKEN"):
        return
    Jobs(app.config["DATA_DIR"]).recover()
    app.register_blueprint(bp)
