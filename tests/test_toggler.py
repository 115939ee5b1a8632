"""SearchRequest.toggler(param) gives, value by value, exactly toggled_query(param, value)."""

from __future__ import annotations

import pytest

from search.records import FACET_PARAMS, SearchRequest

REQUESTS = [
    SearchRequest(),
    SearchRequest(q="alliance & rupture"),
    SearchRequest(q="x", topic=("Trauma and/or PTSD", "Depression"), type=("Meta-analysis",),
                  year=("2020", "2019"), design=("randomized",), participants=("100-999",),
                  sort="newest", page=3, per_page=50),
    SearchRequest(year=("2021",), sort="oldest", page=2),
]
VALUES = ["Depression", "Trauma and/or PTSD", "2020", "2021", "Meta-analysis", "ünïcode + &",
          "100-999", "randomized"]


@pytest.mark.parametrize("request_", REQUESTS)
@pytest.mark.parametrize("param", FACET_PARAMS)
def test_toggler_equals_toggled_query(request_, param):
    toggle = request_.toggler(param)
    for value in VALUES:
        assert toggle(value) == request_.toggled_query(param, value)
