"""SearchRequest.toggler(param) and toggle_parts(param) give, value by value, exactly
toggled_query(param, value)."""

from __future__ import annotations

import pytest

from search.records import FACET_PARAMS, FacetValue, SearchRequest, encoded_pair

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


@pytest.mark.parametrize("request_", REQUESTS)
@pytest.mark.parametrize("param", FACET_PARAMS)
def test_toggle_parts_around_a_value_not_selected(request_, param):
    before, after = request_.toggle_parts(param)
    for value in VALUES:
        if value not in getattr(request_, param):
            assert before + encoded_pair(param, value) + after == request_.toggled_query(param, value)


def test_facet_value_of_is_the_same_record():
    made = FacetValue.of("2020", "Twenty", 3, True, "year=2020")
    assert made == FacetValue(value="2020", label="Twenty", count=3, selected=True, toggle="year=2020")
    assert hash(made) == hash(FacetValue("2020", 3, True, "year=2020", "Twenty"))
    with pytest.raises(AttributeError):
        made.count = 4
