"""webui.fastjson writes, for any JSON value, the bytes, headers and status of Flask's jsonify
with the app's settings; and it writes a real answer itself, not through jsonify."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from flask import jsonify
from hypothesis import given, settings
from hypothesis import strategies as st

from webui import create_app, fastjson

SCALARS = (
    st.none() | st.booleans()
    | st.integers() | st.integers(min_value=-(2**65), max_value=2**65)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.floats(min_value=-1e-3, max_value=1e-3, allow_nan=False)
    | st.text(st.characters(blacklist_categories=("Cs",)))
    | st.sampled_from(["e-5,", "0.00001", "x\x00\x1f\x7f\u2028\ud7ff\U0010ffff", "10.1000/e-7]"])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (st.lists(inner, max_size=4) | st.tuples(inner, inner)
                   | st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory):
    return create_app({"DATA_DIR": str(tmp_path_factory.mktemp("data")), "TESTING": True},
                      environ={})


def _same(app, body) -> None:
    with app.test_request_context("/api/search"):
        expected, got = jsonify(body), fastjson.jsonify_fast(body)
        assert got.get_data() == expected.get_data()
        assert got.status == expected.status
        assert list(got.headers) == list(expected.headers)


@settings(max_examples=400, deadline=None, database=None)
@given(VALUES)
def test_the_same_bytes_as_jsonify(bare_app, body):
    _same(bare_app, {"answer": body})


@pytest.mark.parametrize("body", [
    {"small": 5e-05}, {"tiny": [1e-07, -2.5e-9]}, {"huge": 2**70}, {"floats": [1e16, 1e-4, 0.0]},
    {"when": datetime.date(2024, 1, 2)}, {1: "an int key"}, [float("-0.0")],
    {"record": dataclasses.make_dataclass("R", ["a"])(1)},
])
def test_what_orjson_writes_otherwise_goes_to_jsonify(bare_app, body):
    _same(bare_app, body)


def test_debug_and_sorted_keys_go_to_jsonify(bare_app):
    bare_app.json.sort_keys = True
    try:
        _same(bare_app, {"b": 1, "a": 2})
    finally:
        bare_app.json.sort_keys = False
    bare_app.debug = True
    try:
        _same(bare_app, {"b": [1, 2]})
    finally:
        bare_app.debug = False


def test_an_answer_is_written_by_orjson(client, monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("jsonify was asked")

    monkeypatch.setattr(fastjson, "jsonify", refused)
    response = client.get("/api/search?q=panic&topic=Anxiety+Disorders")
    assert response.status_code == 200 and response.json["total"] >= 1
