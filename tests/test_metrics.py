"""/metrics in one process: off by default, never public, parsed by prometheus_client's own
parser. (Across gunicorn's workers: tests/test_deploy.py.)"""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "metrics-token-e03f"


def _families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def test_metrics_are_off_by_default(client):
    assert client.get("/metrics").status_code == 404


def test_token_mode_needs_the_admin_token(make_app, sample_data):
    client = make_app(sample_data, ADMIN_TOKEN=TOKEN, METRICS="token").test_client()

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    assert answer.headers["Cache-Control"] == "no-store"


def test_local_mode_refuses_what_came_through_a_proxy(make_app, sample_data):
    client = make_app(sample_data, METRICS="local", PROXY_FIX_X_FOR=1).test_client()

    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 404
    remote = client.get("/metrics", environ_overrides={"REMOTE_ADDR": "192.0.2.1"})
    assert remote.status_code == 404


def test_requests_searches_and_the_index_are_counted(make_app, sample_data):
    client = make_app(sample_data, METRICS="local").test_client()
    before = _families(client.get("/metrics").get_data(as_text=True))

    assert client.get("/api/search?q=panic").status_code == 200
    etag = client.get("/api/search?q=panic").headers["ETag"]
    assert client.get("/api/search?q=panic", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/api/search?sort=bogus").status_code == 400
    after = _families(client.get("/metrics").get_data(as_text=True))

    def total(families, name, **labels) -> float:
        family = families.get(name)
        return sum(s.value for s in (family.samples if family else ())
                   if s.name == f"{name}_total" and labels.items() <= s.labels.items())

    def grew(name, **labels) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    requests = "pprsearch_http_requests"
    assert grew(requests, route="/api/search", status="200") == 2
    assert grew(requests, route="/api/search", status="304") == 1
    assert grew(requests, route="/api/search", status="400") == 1
    assert grew("pprsearch_answer_cache_lookups", result="hit") >= 1
    count = [s for s in after["pprsearch_search_seconds"].samples
             if s.name == "pprsearch_search_seconds_count" and s.labels["route"] == "/api/search"]
    assert count and count[0].value >= 2
    assert after["pprsearch_index_entries"].samples[0].value == 6
    assert after["pprsearch_index_age_seconds"].samples[0].value >= 0
    assert after["pprsearch_job_runs"].type == "counter"
