"""The deployment as shipped: `pprsearch serve --workers 2` behind Debian's nginx running
deploy/nginx/pprsearch.conf on 127.0.0.1, and the server's /metrics.

Pages, API and static files through the proxy; the admin throttle per forwarded client;
answers kept by the proxy and revalidated (304 from the app) until a reindex changes them;
/metrics summed over both workers, parsed by prometheus_client's own parser.

Without nginx the proxy tests are skipped, except in CI (`CI=true`), where they fail:
`.ci/run` installs it.
"""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from conftest import PANIC, cli_env
from prometheus_client.parser import text_string_to_metric_families

from bench import proxy

TOKEN = "deploy-token-4b7a"
MAX_AGE = 1  # seconds the proxy may answer from its copy before asking the app again


@pytest.fixture(scope="module")
def backend(sample_template, tmp_path_factory):
    """The server, configured as behind deploy/'s nginx with one more trusted proxy in front
    of it (a CDN, played by the tests, which set X-Forwarded-For themselves)."""
    folder = tmp_path_factory.mktemp("deploy")
    data = folder / "data"
    shutil.copytree(sample_template, data)
    (data / "config.py").write_text(
        f'PROXY_FIX_X_FOR = 2\nHTTP_SHARED_MAX_AGE = {MAX_AGE}\nMETRICS = "local"\n', encoding="utf-8")
    port = proxy.free_port()
    with proxy.server(data, port, cli_env(PPRSEARCH_ADMIN_TOKEN=TOKEN)) as base:
        yield {"base": base, "port": port, "data": data, "folder": folder}


@pytest.fixture(scope="module")
def nginx_binary():
    binary = proxy.nginx_binary()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail(proxy.INSTALL_HINT)
        pytest.skip(proxy.INSTALL_HINT)
    return binary


@pytest.fixture(scope="module")
def site(backend, nginx_binary):
    """nginx with the shipped site file in front of the server; its base URL."""
    with proxy.nginx(backend["folder"] / "nginx", proxy.free_port(), backend["port"],
                     nginx_binary) as base:
        yield base


def get(url: str, **kwargs) -> requests.Response:
    return requests.get(url, timeout=10, **kwargs)


def bare(etag: str) -> str:
    """An ETag without the weak mark nginx adds when it compresses the answer."""
    return etag.removeprefix("W/")


def test_the_shipped_site_file_passes_nginx_t(nginx_binary, tmp_path):
    proxy.write_prefix(tmp_path, proxy.free_port(), proxy.free_port())

    checked = proxy.check_config(nginx_binary, tmp_path)

    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    filled = (tmp_path / "pprsearch.conf").read_text().splitlines()
    assert not [line for line in filled if "${" in line and not line.lstrip().startswith("#")]


def test_pages_api_and_static_files_through_the_proxy(site):
    page = get(site + "/?q=panic+disorder")
    assert page.status_code == 200
    assert f"/entries/{PANIC}" in page.text
    assert page.headers["Content-Encoding"] == "gzip"
    assert "X-Cache-Status" in page.headers

    api = get(site + "/api/search", params={"q": "panic disorder"})
    assert api.status_code == 200
    assert api.json()["hits"][0]["id"] == PANIC
    assert get(site + f"/api/entries/{PANIC}").json()["id"] == PANIC
    assert get(site + f"/entries/{PANIC}").status_code == 200

    css = get(site + "/static/style.css?v=1")
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert "immutable" in css.headers["Cache-Control"]
    assert "max-age=31536000" in css.headers["Cache-Control"]

    bad = get(site + "/api/search", params={"sort": "bogus"})
    assert bad.status_code == 400
    assert bad.json()["error"]["param"] == "sort"


def test_the_admin_throttle_counts_each_forwarded_client(site):
    def wrong_token(client: str) -> int:
        return requests.post(site + "/api/admin/reindex", timeout=10, headers={
            "X-Forwarded-For": client, "Authorization": "Bearer not-the-token"}).status_code

    # The throttle is per worker: by 11 tries one of the two has seen 5 and refuses.
    statuses = []
    while 429 not in statuses and len(statuses) < 11:
        statuses.append(wrong_token("203.0.113.7"))
    assert statuses[-1] == 429, statuses
    assert set(statuses[:-1]) == {401}
    # Every request reaches the app from nginx's address; only the forwarded client differs.
    # (Counted by that address, some of these 4 would meet the worker refusing the first.)
    assert [wrong_token("198.51.100.9") for _ in range(4)] == [401] * 4


def _cache_status(url: str, **kwargs) -> tuple[str, requests.Response]:
    response = get(url, **kwargs)
    assert response.status_code == 200, response.text
    return response.headers["X-Cache-Status"], response


def test_the_proxy_keeps_answers_and_revalidates_them_after_a_reindex(site, backend):
    url = site + "/api/search?q=depression&per_page=3"
    first, answer = _cache_status(url)
    assert first in ("MISS", "EXPIRED", "REVALIDATED")
    etag = bare(answer.headers["ETag"])
    assert _cache_status(url)[0] == "HIT"

    # Expired: the proxy asks with the ETag, the app answers 304, the kept copy goes out.
    time.sleep(MAX_AGE + 1.1)
    status, again = _cache_status(url)
    assert status == "REVALIDATED"
    assert bare(again.headers["ETag"]) == etag
    assert again.json() == answer.json()
    # A client holding the answer gets a 304 from the proxy.
    assert get(url, headers={"If-None-Match": answer.headers["ETag"]}).status_code == 304

    started = requests.post(site + "/api/admin/reindex", timeout=10,
                            headers={"Authorization": f"Bearer {TOKEN}"})
    assert started.status_code == 202, started.text
    job_url = site + started.json()["url"]
    deadline = time.monotonic() + 30
    while (job := get(job_url, headers={"Authorization": f"Bearer {TOKEN}"}).json())["state"] in (
            "queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert job["state"] == "done", job

    time.sleep(MAX_AGE + 1.1)
    status, fresh = _cache_status(url)
    assert status == "EXPIRED"  # revalidation asked, and the app had a new answer
    assert bare(fresh.headers["ETag"]) != etag
    assert _cache_status(url)[0] == "HIT"
    assert get(url, headers={"If-None-Match": answer.headers["ETag"]}).status_code == 200


def test_metrics_are_never_served_through_the_proxy(site):
    assert get(site + "/metrics").status_code == 404


def _samples(text: str) -> dict[str, list]:
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def test_metrics_add_up_every_worker(backend):
    base = backend["base"]
    before = _samples(get(base + "/metrics").text)
    # Asked 8 at a time until both workers have answered (the second may still be starting):
    # requests sent one by one can all be taken by the worker that has just answered, which is
    # back at accept first; a burst reaches both.
    workers: set[int] = set()
    asked = 0
    deadline = time.monotonic() + 30
    with ThreadPoolExecutor(max_workers=8) as pool:
        while (len(workers) < 2 or asked < 40) and time.monotonic() < deadline:
            workers.update(pool.map(
                lambda _: get(base + "/healthz", headers={"Connection": "close"}).json()["worker"],
                range(8)))
            asked += 8
            time.sleep(0.02)
    for n in range(5):
        assert get(base + "/api/search", params={"q": f"panic {n}"}).status_code == 200

    families = _samples(get(base + "/metrics").text)

    def count(samples, **labels) -> float:
        return sum(s.value for s in samples
                   if s.name.endswith("_total") and labels.items() <= s.labels.items())

    healthz = count(families["pprsearch_http_requests"], route="/healthz", status="200")
    healthz_before = count(before.get("pprsearch_http_requests", []), route="/healthz", status="200")
    assert healthz - healthz_before == asked
    assert len(workers) == 2, f"only one worker answered {asked} requests in 30 s"
    searches = [s for s in families["pprsearch_search_seconds"]
                if s.name == "pprsearch_search_seconds_count" and s.labels["route"] == "/api/search"]
    assert sum(s.value for s in searches) >= 5
    assert count(families["pprsearch_answer_cache_lookups"]) >= 5
    (entries,) = families["pprsearch_index_entries"]
    assert entries.value == 6
    (age,) = families["pprsearch_index_age_seconds"]
    assert age.value >= 0
    assert "pprsearch_job_runs" in families and "pprsearch_job_failures" in families
    # Through a proxy (a forwarded request), even on this machine, the answer is no.
    assert get(base + "/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 404
