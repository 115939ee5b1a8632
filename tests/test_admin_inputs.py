"""Every admin input is checked: a bad one gets 400 with a message, never a 500 or a job."""

from __future__ import annotations

import pytest
from test_admin_auth import CSRF_INPUT, TOKEN, bearer, login_form

from index.jobs import Jobs


@pytest.fixture
def admin_client(sample_data, make_app):
    return make_app(sample_data, ADMIN_TOKEN=TOKEN, ANSWER_CACHE=0).test_client()


def log_in(client) -> str:
    """Log in through the page; the dashboard's CSRF token."""
    client.post("/admin/login", data={"token": TOKEN, "csrf_token": login_form(client)})
    return CSRF_INPUT.search(client.get("/admin").get_data(as_text=True)).group(1)


@pytest.mark.parametrize("form, message", [
    ({"source": "bogus"}, "source must be one of archive, crawl, not 'bogus'."),
    ({"source": ""}, "source must be one of archive, crawl, not ''."),
    ({"source": "archive", "reparse": "yes please"}, "reparse is a checkbox: 'on' or left out."),
])
def test_a_bad_value_from_the_admin_page_is_a_400_page_with_the_message(
        admin_client, sample_data, form, message):
    csrf = log_in(admin_client)

    response = admin_client.post("/admin/jobs", data={**form, "csrf_token": csrf})

    assert response.status_code == 400
    assert message.replace("'", "&#39;") in response.get_data(as_text=True)
    assert Jobs(sample_data).recent() == []


@pytest.mark.parametrize("body, param", [
    ({"source": "bogus"}, "source"),
    ({"source": ["archive"]}, "source"),
    ({"source": 3}, "source"),
    ({"reparse": "false"}, "reparse"),
    ({"max_pages": 0}, "max_pages"),
    ({"max_pages": "5"}, "max_pages"),
    ({"source": "crawl", "base_url": 7}, "base_url"),
    ({"source": "crawl", "base_url": "file:///etc/passwd"}, "base_url"),
])
def test_a_bad_value_in_the_api_body_is_a_400_with_the_error_shape(admin_client, sample_data,
                                                                   body, param):
    response = admin_client.post("/api/admin/reindex", json=body, headers=bearer(TOKEN))

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["code"], error["param"]) == ("invalid_parameter", param)
    assert error["message"]
    assert Jobs(sample_data).recent() == []
