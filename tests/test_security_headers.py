"""Security headers on every route: a script policy of the page's own files, no sniffing, no
framing, a same-origin referrer, HSTS when configured, and admin pages never cached."""

from __future__ import annotations

import pytest
from conftest import PANIC
from test_admin_auth import TOKEN, login_form

from webui.headers import CONTENT_SECURITY_POLICY

ROUTES = ["/", "/?q=panic", f"/entries/{PANIC}", "/api/search?q=panic", f"/api/entries/{PANIC}",
          "/healthz", "/static/search.js", "/static/style.css", "/no-such-page",
          "/api/search?page=0", "/admin", "/api/admin/jobs"]


@pytest.fixture
def admin_client(sample_data, make_app):
    return make_app(sample_data, ADMIN_TOKEN=TOKEN, ANSWER_CACHE=0).test_client()


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_sends_the_security_headers(admin_client, path):
    response = admin_client.get(path)
    response.close()  # a static file's answer holds the file open
    headers = response.headers

    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # not configured for HTTPS


def test_the_policy_allows_only_the_sites_own_scripts_and_no_framing():
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))

    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_pages_hold_no_inline_script(admin_client):
    for path in ("/", "/?q=therapz", f"/entries/{PANIC}", "/admin"):
        html = admin_client.get(path).get_data(as_text=True)
        for tag in html.split("<script")[1:]:
            assert tag.lstrip().startswith("src="), tag[:80]
        assert " onclick=" not in html and " onload=" not in html and "javascript:" not in html


def test_hsts_is_sent_when_configured_for_https(sample_data, make_app):
    client = make_app(sample_data, HSTS_SECONDS=31536000).test_client()

    assert client.get("/").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("path", ["/admin", "/api/admin/jobs", "/admin/jobs/nope"])
def test_admin_pages_are_never_stored(admin_client, path):
    admin_client.post("/admin/login", data={"token": TOKEN, "csrf_token": login_form(admin_client)})

    response = admin_client.get(path)

    assert response.headers["Cache-Control"] == "no-store"


def test_the_login_page_is_never_stored_either(admin_client):
    assert admin_client.get("/admin").headers["Cache-Control"] == "no-store"
