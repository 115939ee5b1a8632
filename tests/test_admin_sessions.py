"""Admin sessions end when they should (logout, a changed token, their lifetime), and the
cookie alone never drives the admin API: a state change needs the CSRF token from this origin."""

from __future__ import annotations

import pytest
from conftest import settle_jobs
from test_admin_auth import CSRF_INPUT, TOKEN, bearer, login_form

from index.jobs import Jobs


@pytest.fixture
def admin_app(sample_data, make_app):
    return make_app(sample_data, ADMIN_TOKEN=TOKEN, ANSWER_CACHE=0, SECRET_KEY="k" * 32)


def log_in(client) -> str:
    """Log in through the page; the dashboard's CSRF token."""
    client.post("/admin/login", data={"token": TOKEN, "csrf_token": login_form(client)})
    return CSRF_INPUT.search(client.get("/admin").get_data(as_text=True)).group(1)


def copy_cookie(source, target) -> None:
    target.set_cookie("session", source.get_cookie("session").value)


# CSRF on the admin JSON API (#17.2)

def test_a_cross_site_text_plain_post_with_the_cookie_starts_no_job(admin_app, sample_data):
    client = admin_app.test_client()
    log_in(client)

    forged = client.post("/api/admin/reindex", data='{"source": "archive"}',
                         content_type="text/plain",
                         headers={"Origin": "http://localhost:8081"})

    assert forged.status_code == 400
    assert forged.get_json()["error"]["code"] == "csrf_failed"
    assert Jobs(sample_data).recent() == []


def test_the_cookie_needs_the_csrf_header_and_the_same_origin(admin_app, sample_data):
    client = admin_app.test_client()
    csrf = log_in(client)

    assert client.post("/api/admin/reindex", json={}).status_code == 400
    assert client.post("/api/admin/reindex", json={},
                       headers={"X-CSRF-Token": "forged"}).status_code == 400
    assert client.post("/api/admin/reindex", json={}, headers={
        "X-CSRF-Token": csrf, "Origin": "http://localhost:8081"}).status_code == 400
    assert Jobs(sample_data).recent() == []
    try:
        started = client.post("/api/admin/reindex", json={}, headers={
            "X-CSRF-Token": csrf, "Origin": "http://localhost"})
        assert started.status_code == 202
    finally:
        settle_jobs(sample_data)
    # Reading needs no token: a cross-site page cannot read the answer anyway.
    assert client.get("/api/admin/jobs").status_code == 200


@pytest.mark.parametrize("body", ['[1, 2]', '"archive"', "source=crawl", "{not json", "null"])
def test_a_body_that_is_not_a_json_object_is_a_400(admin_app, sample_data, body):
    response = admin_app.test_client().post(
        "/api/admin/reindex", data=body, content_type="application/json", headers=bearer(TOKEN))

    assert response.status_code == 400
    assert response.get_json()["error"]["param"] == "body"
    assert Jobs(sample_data).recent() == []


def test_a_crawl_fetches_only_the_configured_base_url(sample_data, make_app):
    app = make_app(sample_data, ADMIN_TOKEN=TOKEN, ANSWER_CACHE=0,
                   CRAWL_BASE_URL="http://127.0.0.1:9/pprnet")

    response = app.test_client().post(
        "/api/admin/reindex", json={"source": "crawl", "base_url": "http://169.254.169.254/"},
        headers=bearer(TOKEN))

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["param"] == "base_url"
    assert "pprsearch crawl --base-url" in error["message"]
    assert Jobs(sample_data).recent() == []


# Sessions end (#17.4)

def test_logging_out_ends_a_copied_cookie_too(admin_app):
    browser, thief = admin_app.test_client(), admin_app.test_client()
    csrf = log_in(browser)
    copy_cookie(browser, thief)
    assert thief.get("/api/admin/jobs").status_code == 200

    assert browser.post("/admin/logout", data={"csrf_token": csrf}).status_code == 302

    assert thief.get("/api/admin/jobs").status_code == 401
    assert 'action="/admin/login"' in thief.get("/admin").get_data(as_text=True)
    # A new login works again.
    log_in(browser)
    assert browser.get("/api/admin/jobs").status_code == 200


def test_a_changed_token_ends_the_sessions_given_under_the_old_one(admin_app, sample_data, make_app):
    client = admin_app.test_client()
    log_in(client)
    changed = make_app(sample_data, ADMIN_TOKEN="another-token-0123456789", ANSWER_CACHE=0,
                       SECRET_KEY="k" * 32).test_client()
    copy_cookie(client, changed)

    assert changed.get("/api/admin/jobs").status_code == 401
    assert changed.get("/api/admin/jobs", headers=bearer("another-token-0123456789")).status_code == 200


def test_an_admin_session_expires_after_its_lifetime(admin_app):
    client = admin_app.test_client()
    log_in(client)
    assert client.get("/api/admin/jobs").status_code == 200
    with client.session_transaction() as session:
        grant = session["admin"]
        session["admin"] = {**grant, "since": grant["since"] - admin_app.config["ADMIN_SESSION_SECONDS"] - 1}

    assert client.get("/api/admin/jobs").status_code == 401


def test_the_session_cookie_is_refused_past_the_admin_lifetime(admin_app):
    assert admin_app.permanent_session_lifetime.total_seconds() == admin_app.config[
        "ADMIN_SESSION_SECONDS"] <= 8 * 3600
