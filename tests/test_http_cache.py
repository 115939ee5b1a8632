"""HTTP caching: ETags from the index generation and the request, 304 before any search, new
ETags after a reindex; Cache-Control per kind of answer; trusted proxies' client addresses."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import PANIC

from index.rebuild import rebuild
from webui.config import ConfigError, load

READS = ["/?q=panic", "/api/search?q=panic", f"/entries/{PANIC}", f"/api/entries/{PANIC}",
         "/feed.atom?q=psychodynamic"]
TOKEN = "http-cache-token-5d1e"


@pytest.mark.parametrize("url", READS)
def test_a_read_carries_an_etag_and_a_public_lifetime(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=60, must-revalidate"


@pytest.mark.parametrize("url", READS)
def test_a_conditional_request_is_answered_304_without_searching(client, app, url, monkeypatch):
    etag = client.get(url).headers["ETag"]

    def no_search(*args, **kwargs):
        raise AssertionError("searched for a request the client already holds the answer to")

    service = app.extensions["pprsearch"]
    monkeypatch.setattr(service, "search", no_search)
    monkeypatch.setattr(service, "related", no_search)
    again = client.get(url, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "public, max-age=0, s-maxage=60, must-revalidate"
    # A weak form of the same tag (what a gzipping proxy forwards) validates too.
    assert client.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304


def test_etags_differ_by_request_and_by_fragment(client):
    tags = {client.get(url).headers["ETag"] for url in READS + ["/?q=panic&page=1", "/?q=cbt"]}
    assert len(tags) == len(READS) + 2
    fragment = client.get("/?q=panic", headers={"X-Requested-With": "fetch"})
    assert fragment.headers["ETag"] not in tags
    # The page's script asks for just the results: never stored, and kept apart by the header.
    assert fragment.headers["Cache-Control"] == "no-store"
    assert "X-Requested-With" in fragment.headers["Vary"]
    assert "X-Requested-With" in client.get("/?q=panic").headers["Vary"]


def test_every_etag_changes_after_a_reindex(client, sample_data):
    before = {url: client.get(url).headers["ETag"] for url in READS}

    rebuild(sample_data)

    for url in READS:
        answer = client.get(url, headers={"If-None-Match": before[url]})
        assert answer.status_code == 200, url
        assert answer.headers["ETag"] != before[url]


def test_browsers_revalidate_every_time_shared_caches_keep_a_while(client):
    """max-age=0 keeps a reader of the server itself from a page older than the index (the
    browser test of an admin's crawl reads a search again right after it); only shared caches
    (s-maxage) may answer from their copy for a while."""
    cache_control = client.get("/?q=panic").headers["Cache-Control"]
    assert "max-age=0" in cache_control.split(", ")
    assert "s-maxage=60" in cache_control.split(", ")


def test_errors_redirects_admin_and_health_are_not_cached(make_app, sample_data):
    client = make_app(sample_data, ADMIN_TOKEN=TOKEN).test_client()

    for url in ("/api/search?sort=bogus", "/entries/2099-01-nothing", "/api/entries/2099-01-x"):
        answer = client.get(url)
        assert answer.status_code in (400, 404)
        assert "ETag" not in answer.headers
        assert "public" not in answer.headers.get("Cache-Control", "")
    for url in ("/healthz", "/admin", "/api/admin/jobs"):
        answer = client.get(url, headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 200, url
        assert answer.headers["Cache-Control"] == "no-store", url


def test_http_max_age_zero_asks_every_time(make_app, sample_data):
    client = make_app(sample_data, HTTP_SHARED_MAX_AGE=0).test_client()
    assert client.get("/api/search?q=panic").headers["Cache-Control"] == "public, no-cache"


def test_static_urls_carry_a_content_version(client):
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    stylesheet = urlsplit(soup.select_one('link[rel="stylesheet"]')["href"])

    assert stylesheet.path == "/static/style.css"
    assert stylesheet.query.startswith("v=") and len(stylesheet.query) > 4
    with client.get(f"{stylesheet.path}?{stylesheet.query}") as served:
        assert served.status_code == 200


def _wrong_tokens(client, headers: dict, times: int) -> list[int]:
    return [client.post("/api/admin/reindex", headers={**headers, "Authorization": "Bearer nope"}
                        ).status_code for _ in range(times)]


def test_behind_a_trusted_proxy_the_throttle_counts_forwarded_clients(make_app, sample_data):
    client = make_app(sample_data, ADMIN_TOKEN=TOKEN, PROXY_FIX_X_FOR=1).test_client()

    assert _wrong_tokens(client, {"X-Forwarded-For": "203.0.113.7"}, 6)[-1] == 429
    # Another client behind the same proxy is not held up by the first one's guesses.
    assert _wrong_tokens(client, {"X-Forwarded-For": "198.51.100.9"}, 1) == [401]


def test_without_trusted_proxies_a_client_cannot_choose_its_address(make_app, sample_data):
    client = make_app(sample_data, ADMIN_TOKEN=TOKEN).test_client()

    _wrong_tokens(client, {"X-Forwarded-For": "203.0.113.7"}, 5)
    assert _wrong_tokens(client, {"X-Forwarded-For": "198.51.100.9"}, 1) == [429]


@pytest.mark.parametrize("given, message", [
    ({"PROXY_FIX_X_FOR": "two"}, "PROXY_FIX_X_FOR must be a whole number"),
    ({"HTTP_SHARED_MAX_AGE": -1}, "HTTP_SHARED_MAX_AGE must be a whole number"),
    ({"METRICS": "public"}, "METRICS must be one of token, local"),
    ({"METRICS": "token"}, 'METRICS = "token" needs PPRSEARCH_ADMIN_TOKEN'),
])
def test_bad_settings_name_the_problem(tmp_path, given, message):
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, environ={}, overrides=given)


def test_settings_from_the_environment(tmp_path):
    settings = load(tmp_path, environ={"PPRSEARCH_PROXY_FIX_X_FOR": "1", "PPRSEARCH_METRICS": "local"})
    assert (settings["PROXY_FIX_X_FOR"], settings["METRICS"], settings["HTTP_SHARED_MAX_AGE"]) == (1, "local", 60)
    assert load(tmp_path, environ={})["METRICS"] is None
