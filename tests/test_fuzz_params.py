"""Every search parameter, fuzzed: /api/search never answers 5xx and every error has the one
error shape; the page never fails on a bad parameter. Bounded in the suite; a longer run with
`pytest tests/test_fuzz_params.py --fuzz-examples 5000`."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webui import create_app

from conftest import PANIC

TOPIC = "Anxiety Disorders"
PARAMS = ("q", "topic", "type", "year", "sort", "page", "per_page")

# Values that mean something, values a person mistypes, and anything at all.
MEANINGFUL = st.sampled_from([
    "", " ", "panic disorder", '"panic disorder"', "CBT OR IPT depression", "-therapy",
    "year:2019..2022", "title:(panic", "therapz mark", "AND", "NOT NOT", "((((", '"', "*",
    TOPIC, f" {TOPIC} ", "Meta-Analysis or Systematic Review", "2021", " 2021", "20x1",
    "relevance", "newest", "OLDEST ", "bogus", "0", "1", "-1", "1001", "99999999999999999999",
    "1e3", "½", "٣", "10 ", " 5", PANIC, "%", "&amp;", "<mark>", "\x00", "\u202e", "\ufeff",
])
ANY_TEXT = st.text(max_size=60)
VALUE = st.one_of(MEANINGFUL, ANY_TEXT, MEANINGFUL.map(lambda v: f"  {v}\t"))
QUERY = st.lists(st.tuples(st.sampled_from(PARAMS + ("unknown",)), VALUE), max_size=8)


@pytest.fixture(scope="module")
def fuzz_client(sample_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(sample_template, folder)
    app = create_app({"DATA_DIR": str(folder), "TESTING": True, "ANSWER_CACHE": 0}, environ={})
    return app.test_client()


def _examples(request) -> int:
    return request.config.getoption("--fuzz-examples")


def check_api(client, pairs) -> None:
    response = client.get("/api/search", query_string=pairs)
    assert response.status_code < 500, (pairs, response.status_code, response.data[:300])
    body = response.get_json()
    if response.status_code >= 400:
        assert set(body) == {"error"}, body
        error = body["error"]
        assert set(error) <= {"code", "message", "param"} and {"code", "message"} <= set(error)
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["message"], str) and error["message"]
        assert error.get("param", "q") in PARAMS, error
    else:
        assert response.status_code == 200
        assert {"query", "total", "hits", "facets", "suggestion"} <= set(body)


def check_page(client, pairs) -> None:
    response = client.get("/", query_string=pairs)
    assert response.status_code == 200, (pairs, response.status_code, response.data[:300])


def test_fuzzed_parameters_never_get_a_5xx_and_errors_keep_their_shape(fuzz_client, request):
    @settings(max_examples=_examples(request), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(QUERY)
    def run(pairs):
        check_api(fuzz_client, pairs)
        check_page(fuzz_client, pairs)

    run()


@pytest.mark.parametrize("pairs", [
    [("type", "x ")], [("topic", " Nope")], [("year", " abc")], [("year", "abc "), ("year", " abc")],
    [("q", "\x00")], [("page", "٣")], [("per_page", "½")], [("q", "therapz mark")],
    [("topic", TOPIC), ("topic", f" {TOPIC} "), ("topic", "Nope ")],
])
def test_known_troublemakers(fuzz_client, pairs):
    check_api(fuzz_client, pairs)
    check_page(fuzz_client, pairs)
