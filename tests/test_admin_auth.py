"""Admin access: routes off without a token, bearer tokens for the API, the page's session
login with CSRF, the slowdown for repeated bad tokens, and tokens kept out of the logs."""

from __future__ import annotations

import logging
import re

import pytest
from conftest import settle_jobs

from index.jobs import ACTIVE, Jobs
from webui import auth

TOKEN = "s3cret-Admin-Token-7f3a9c"
# A near miss of the real token, as a person mistyping it would send: must not be logged either.
NEAR_MISS = "s3cret-Admin-Token-7f3a9d"
CSRF_INPUT = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')


@pytest.fixture
def admin_app(sample_data, make_app):
    return make_app(sample_data, ADMIN_TOKEN=TOKEN, ANSWER_CACHE=0)


@pytest.fixture
def admin_client(admin_app):
    return admin_app.test_client()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def login_form(client) -> str:
    """GET /admin and return the CSRF token of its login form."""
    page = client.get("/admin")
    assert page.status_code == 200
    found = CSRF_INPUT.search(page.get_data(as_text=True))
    assert found, "the login form carries no CSRF hidden input"
    return found.group(1)


def logged_in(client) -> bool:
    """Whether the client's session is an admin one (the dashboard, not the login form)."""
    page = client.get("/admin").get_data(as_text=True)
    return 'action="/admin/login"' not in page and 'action="/admin/logout"' in page


# Routes off without a token

@pytest.mark.parametrize("method, path", [
    ("GET", "/admin"),
    ("POST", "/admin/login"),
    ("POST", "/api/admin/reindex"),
    ("GET", "/api/admin/jobs/x"),
    ("GET", "/api/admin/jobs"),
])
def test_admin_routes_do_not_exist_without_a_token(sample_data, make_app, method, path):
    client = make_app(sample_data).test_client()
    response = client.open(path, method=method, headers=bearer(TOKEN))
    assert response.status_code == 404
    assert Jobs(sample_data).recent() == []


def test_an_empty_token_setting_keeps_the_routes_off(sample_data, make_app):
    client = make_app(sample_data, ADMIN_TOKEN="").test_client()
    assert client.post("/api/admin/reindex", headers={"Authorization": "Bearer "}).status_code == 404


# The API's bearer token

@pytest.mark.parametrize("headers", [
    {},
    bearer("wrong"),
    bearer(NEAR_MISS),
    {"Authorization": TOKEN},  # the token without its scheme
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": "Bearer "},
], ids=["missing", "wrong", "near-miss", "no-scheme", "basic", "empty"])
def test_missing_or_wrong_token_is_401_json_with_www_authenticate(admin_client, sample_data, headers):
    response = admin_client.post("/api/admin/reindex", headers=headers)
    assert response.status_code == 401
    assert response.is_json
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.get_json()["error"]["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert Jobs(sample_data).recent() == []


def test_job_routes_need_the_token_too(admin_client, sample_data):
    job = Jobs(sample_data).create("reindex")
    Jobs(sample_data).finish(job.id)
    for path in (f"/api/admin/jobs/{job.id}", "/api/admin/jobs"):
        refused = admin_client.get(path, headers=bearer("wrong"))
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    answer = admin_client.get(f"/api/admin/jobs/{job.id}", headers=bearer(TOKEN))
    assert answer.status_code == 200
    assert answer.get_json()["id"] == job.id
    assert answer.get_json()["state"] == "done"
    missing = admin_client.get("/api/admin/jobs/no-such-job", headers=bearer(TOKEN))
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"


def test_right_token_starts_a_job_and_answers_202_with_its_id(admin_client, sample_data):
    response = admin_client.post("/api/admin/reindex", headers=bearer(TOKEN))
    try:
        assert response.status_code == 202
        body = response.get_json()
        job_id = body["job"]["id"]
        assert body["job"]["kind"] == "reindex"
        assert body["job"]["state"] in ("queued", "running", "done")
        assert body["url"] == f"/api/admin/jobs/{job_id}"
        assert [job.id for job in Jobs(sample_data).recent()] == [job_id]
    finally:
        settle_jobs(sample_data)


# The slowdown for guessing

def test_repeated_bad_tokens_from_one_address_get_429_with_retry_after(admin_client, sample_data):
    for _ in range(auth.MAX_FAILURES):
        assert admin_client.post("/api/admin/reindex", headers=bearer("guess")).status_code == 401
    locked = admin_client.post("/api/admin/reindex", headers=bearer("guess"))
    assert locked.status_code == 429
    assert locked.get_json()["error"]["code"] == "too_many_attempts"
    retry_after = int(locked.headers["Retry-After"])
    assert 0 < retry_after <= auth.LOCKOUT_S + 1
    # Even the right token waits: the lockout stops guessing, whatever the guess.
    right = admin_client.post("/api/admin/reindex", headers=bearer(TOKEN))
    assert right.status_code == 429
    assert Jobs(sample_data).recent() == []


def test_the_slowdown_is_per_address(admin_client, sample_data):
    for _ in range(auth.MAX_FAILURES + 1):
        admin_client.get("/api/admin/jobs", headers=bearer("guess"))
    assert admin_client.get("/api/admin/jobs", headers=bearer(TOKEN)).status_code == 429
    other = {"REMOTE_ADDR": "192.0.2.7"}
    assert admin_client.get("/api/admin/jobs", headers=bearer("guess"), environ_base=other).status_code == 401
    assert admin_client.get("/api/admin/jobs", headers=bearer(TOKEN), environ_base=other).status_code == 200


def test_bad_logins_on_the_page_count_towards_the_slowdown(admin_client):
    csrf = login_form(admin_client)
    for _ in range(auth.MAX_FAILURES):
        bad = admin_client.post("/admin/login", data={"token": "guess", "csrf_token": csrf})
        assert bad.status_code == 401
    locked = admin_client.post("/admin/login", data={"token": TOKEN, "csrf_token": csrf})
    assert locked.status_code == 429
    assert "Retry-After" in locked.headers
    assert not logged_in(admin_client)


def test_the_lockout_ends_after_its_time(admin_client):
    for _ in range(auth.MAX_FAILURES):
        admin_client.get("/api/admin/jobs", headers=bearer("guess"))
    assert admin_client.get("/api/admin/jobs", headers=bearer(TOKEN)).status_code == 429
    # Age the recorded failures past the lockout rather than sleeping through it.
    for address, stamps in auth.throttle.failures.items():
        auth.throttle.failures[address] = [t - auth.LOCKOUT_S - 2 for t in stamps]
    assert admin_client.get("/api/admin/jobs", headers=bearer(TOKEN)).status_code == 200


# The page: session login with CSRF

def test_admin_page_shows_a_login_form_with_a_csrf_input(admin_client):
    page = admin_client.get("/admin")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'action="/admin/login"' in html
    assert 'name="token"' in html and 'type="password"' in html
    assert len(CSRF_INPUT.search(html).group(1)) >= 32
    assert TOKEN not in html


@pytest.mark.parametrize("csrf", [None, "", "forged-csrf-token"], ids=["absent", "empty", "wrong"])
def test_login_without_the_right_csrf_is_refused(admin_client, csrf):
    login_form(admin_client)
    form = {"token": TOKEN}
    if csrf is not None:
        form["csrf_token"] = csrf
    response = admin_client.post("/admin/login", data=form)
    assert response.status_code == 400
    assert not logged_in(admin_client)
    assert admin_client.get("/api/admin/jobs").status_code == 401


def test_login_without_a_session_is_refused(admin_app):
    """A forged form posted by a browser that never loaded the page has no session CSRF."""
    client = admin_app.test_client()
    response = client.post("/admin/login", data={"token": TOKEN, "csrf_token": "anything"})
    assert response.status_code == 400
    assert not logged_in(client)


def test_login_with_a_wrong_token_is_401_and_not_logged_in(admin_client):
    csrf = login_form(admin_client)
    response = admin_client.post("/admin/login", data={"token": "wrong", "csrf_token": csrf})
    assert response.status_code == 401
    assert "not right" in response.get_data(as_text=True)
    assert not logged_in(admin_client)


def test_login_with_csrf_and_token_redirects_with_a_strict_httponly_cookie(admin_client):
    csrf = login_form(admin_client)
    response = admin_client.post("/admin/login", data={"token": TOKEN, "csrf_token": csrf})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin"
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = [c for c in cookies if c.startswith("session=")]
    assert len(session_cookie) == 1, cookies
    flags = [part.strip().lower() for part in session_cookie[0].split(";")]
    assert "httponly" in flags
    assert "samesite=strict" in flags
    assert TOKEN not in session_cookie[0]
    assert logged_in(admin_client)
    # The session then serves the API without a bearer token.
    assert admin_client.get("/api/admin/jobs").status_code == 200


def test_login_changes_the_csrf_token(admin_client):
    """The pre-login CSRF token (which a page before login may have leaked) is not reused."""
    before = login_form(admin_client)
    admin_client.post("/admin/login", data={"token": TOKEN, "csrf_token": before})
    after = CSRF_INPUT.search(admin_client.get("/admin").get_data(as_text=True)).group(1)
    assert after != before


def test_a_wrong_bearer_token_is_refused_even_with_an_admin_session(admin_client):
    csrf = login_form(admin_client)
    admin_client.post("/admin/login", data={"token": TOKEN, "csrf_token": csrf})
    assert admin_client.get("/api/admin/jobs", headers=bearer("wrong")).status_code == 401


def test_logout_needs_csrf_and_ends_the_session(admin_client):
    csrf = login_form(admin_client)
    admin_client.post("/admin/login", data={"token": TOKEN, "csrf_token": csrf})
    page_csrf = CSRF_INPUT.search(admin_client.get("/admin").get_data(as_text=True)).group(1)
    assert admin_client.post("/admin/logout").status_code == 400
    assert logged_in(admin_client)
    assert admin_client.post("/admin/logout", data={"csrf_token": page_csrf}).status_code == 302
    assert not logged_in(admin_client)
    assert admin_client.get("/api/admin/jobs").status_code == 401


def test_starting_a_job_from_the_page_needs_csrf(admin_client, sample_data):
    csrf = login_form(admin_client)
    admin_client.post("/admin/login", data={"token": TOKEN, "csrf_token": csrf})
    page_csrf = CSRF_INPUT.search(admin_client.get("/admin").get_data(as_text=True)).group(1)

    forged = admin_client.post("/admin/jobs", data={"source": "archive"})
    assert forged.status_code == 400
    forged = admin_client.post("/admin/jobs", data={"source": "archive", "csrf_token": "forged"})
    assert forged.status_code == 400
    assert Jobs(sample_data).recent() == []

    try:
        started = admin_client.post("/admin/jobs", data={"source": "archive", "csrf_token": page_csrf})
        assert started.status_code == 302
        (job,) = Jobs(sample_data).recent()
        assert started.headers["Location"] == f"/admin/jobs/{job.id}"
    finally:
        settle_jobs(sample_data)


def test_starting_a_job_from_the_page_needs_a_login(admin_client, sample_data):
    csrf = login_form(admin_client)
    response = admin_client.post("/admin/jobs", data={"source": "archive", "csrf_token": csrf})
    assert response.status_code == 401
    assert Jobs(sample_data).recent() == []


# Tokens stay out of the logs

def test_tokens_never_reach_the_logs(admin_client, sample_data, caplog):
    caplog.set_level(logging.DEBUG)
    try:
        csrf = login_form(admin_client)
        admin_client.post("/admin/login", data={"token": NEAR_MISS, "csrf_token": csrf})
        admin_client.post("/admin/login", data={"token": TOKEN, "csrf_token": csrf})
        admin_client.get("/api/admin/jobs", headers=bearer(NEAR_MISS))
        started = admin_client.post("/api/admin/reindex", headers=bearer(TOKEN))
        assert started.status_code == 202
        settle_jobs(sample_data)
        assert Jobs(sample_data).recent()[0].state not in ACTIVE
    finally:
        settle_jobs(sample_data)
    assert any("bad admin token" in r.getMessage() for r in caplog.records), \
        "the bad attempts should be logged (without the token)"
    for record in caplog.records:
        text = " ".join([record.getMessage(), str(record.args), record.exc_text or ""])
        assert TOKEN not in text, record
        assert NEAR_MISS not in text, record
    assert TOKEN not in caplog.text and NEAR_MISS not in caplog.text
