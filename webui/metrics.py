"""/metrics in Prometheus's text format, when METRICS is configured (never public by default).

Moving parts: counters and a histogram updated as requests are answered, and figures read
from the data folder when /metrics is scraped (index entries and age, job runs and failures).
Under `pprsearch serve` several worker processes answer requests: webui/server.py points
prometheus_client's multiprocess mode at a folder of its own (PROMETHEUS_MULTIPROC_DIR, set
before any worker imports this module), and a scrape adds up every worker's files. Outside
it (tests, a single process) the counters live in this process.

Imported only when METRICS is set, so a server without metrics never loads prometheus_client.
"""

from __future__ import annotations

import calendar
import os
import time

from flask import Blueprint, Flask, abort, current_app, g, request
from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram,
                               generate_latest, multiprocess)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from index.archive import Archive
from index.errors import IndexNotBuilt
from index.store import IndexStore

from .auth import bearer_token, check_token

bp = Blueprint("metrics", __name__)

# Created outside any registry: a scrape gathers them (or their multiprocess files) afresh.
REQUESTS = Counter("pprsearch_http_requests", "HTTP requests answered, by route and status.",
                   ["route", "method", "status"], registry=None)
SEARCH_SECONDS = Histogram(
    "pprsearch_search_seconds", "Time to answer a search (page or API) with a 200, in seconds.",
    ["route"], registry=None,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ANSWERS = Counter("pprsearch_answer_cache_lookups",
                  "Searches looked up in the per-process answer cache, by result (hit, miss).",
                  ["result"], registry=None)
_SEARCHES = frozenset({"pages.search", "api.search"})
_LOOPBACK = frozenset({"127.0.0.1", "::1"})


def answer_looked_up(hit: bool) -> None:
    """SearchService's report of each answer-cache lookup."""
    ANSWERS.labels(result="hit" if hit else "miss").inc()


class _DataFolder:
    """Figures read from the data folder at scrape time: the same for every worker."""

    def __init__(self, data_folder: str):
        self.data_folder = data_folder

    def collect(self):
        entries = GaugeMetricFamily("pprsearch_index_entries", "Entries in the serving index.")
        age = GaugeMetricFamily("pprsearch_index_age_seconds",
                                "Seconds since the serving index generation was built.")
        try:
            generation = IndexStore(self.data_folder).current()
        except IndexNotBuilt:
            generation = None
        if generation is not None:
            entries.add_metric([], generation.entries)
            try:
                built = calendar.timegm(time.strptime(generation.built_at, "%Y-%m-%dT%H:%M:%SZ"))
            except ValueError:  # an index whose info file says nothing of when it was built
                built = None
            if built is not None:
                age.add_metric([], max(0.0, time.time() - built))
        yield entries
        yield age
        runs = CounterMetricFamily("pprsearch_job_runs", "Jobs run (reindex, crawl), by kind.",
                                   labels=["kind"])
        failures = CounterMetricFamily("pprsearch_job_failures", "Jobs that failed, by kind.",
                                       labels=["kind"])
        with Archive(self.data_folder) as archive:
            rows = archive.db.execute(
                "SELECT kind, COUNT(*), SUM(state = 'failed') FROM jobs "
                "WHERE state IN ('done', 'failed') GROUP BY kind ORDER BY kind"
            ).fetchall()
        for kind, count, failed in rows:
            runs.add_metric([kind], count)
            failures.add_metric([kind], failed or 0)
        yield runs
        yield failures


def _allowed() -> None:
    """METRICS = "token": the admin token; "local": a client on this machine, not via a proxy."""
    if current_app.config["METRICS"] == "token":
        check_token(bearer_token())
        return
    peer = request.environ.get("werkzeug.proxy_fix.orig", request.environ).get("REMOTE_ADDR")
    if peer not in _LOOPBACK or "X-Forwarded-For" in request.headers:
        abort(404)


@bp.get("/metrics")
def metrics():
    _allowed()
    registry = CollectorRegistry()
    # prometheus_client's own switch: set by webui/server.py before the workers started.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for metric in (REQUESTS, SEARCH_SECONDS, ANSWERS):
            registry.register(metric)
    registry.register(_DataFolder(current_app.config["DATA_DIR"]))
    return generate_latest(registry), 200, {"Content-Type": CONTENT_TYPE_LATEST}


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _answered(response):
    route = request.url_rule.rule if request.url_rule is not None else "(no route)"
    REQUESTS.labels(route=route, method=request.method, status=str(response.status_code)).inc()
    started = g.get("metrics_started")
    if request.endpoint in _SEARCHES and response.status_code == 200 and started is not None:
        SEARCH_SECONDS.labels(route=route).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    """Count requests and serve /metrics; registered before the HTTP cache's hooks, so a 304
    answered before the view is timed and counted too."""
    app.before_request(_started)
    app.after_request(_answered)
    app.register_blueprint(bp)
