"""A query's work is bounded before it runs (a cost in postings, repeats collapsed) and while it
runs (the request's deadline), so no query keeps a worker busy: issue #17.1."""

from __future__ import annotations

import pytest

from bench.generate import CLINICAL, archive_file
from index.ingest import import_paths
from search import cost, deadline
from search import querylang as ql
from search.errors import DeadlineExceeded, QueryTooCostly
from search.params import parse_request
from search.service import SearchService
from webui.watchdog import Watchdog

COMMON = [w for w in CLINICAL if " " not in w and "-" not in w]
RANGES = " ".join(f"year:{a}..{a + w}" for w in range(13, 9, -1) for a in range(2013, 2027 - w))


@pytest.fixture(scope="module")
def archive300(tmp_path_factory):
    """300 blog-like entries (the benchmark's generator): common words are common, as at 10k."""
    work = tmp_path_factory.mktemp("cost")
    import_paths(work / "data", [archive_file(work, 300)])
    return work / "data"


@pytest.fixture
def client300(archive300, make_app):
    return make_app(archive300, ANSWER_CACHE=0).test_client()


def search(service, q: str):
    return service.search(parse_request(lambda name: [q] if name == "q" else []))


def test_repeats_are_collapsed_before_anything_is_counted_or_run():
    assert ql.parse("year:2013..2026 " * 134) == ql.YearRange("2013", "2026")
    assert ql.parse("panic Panic PANIC disorder") == ql.And((ql.Word("panic"), ql.Word("disorder")))
    assert ql.parse('"a b" "a b" (x OR x)') == ql.And((ql.Phrase("a b"), ql.Word("x")))
    assert cost.canonical(ql.Not(ql.Not(ql.Word("x")))) == ql.Word("x")


def test_ranges_fields_phrases_and_expansions_add_up_to_one_cost():
    df = lambda field, term: 10  # noqa: E731 - every term in 10 documents
    count = cost.Cost(df).of

    assert count(ql.Word("alliance")) == 40  # four text fields
    assert count(ql.Word("alliance", "title")) == 10
    assert count(ql.Phrase("therapeutic alliance")) == 80 + cost.PHRASE_FACTOR * 2 * 40
    assert count(ql.YearRange("2019", "2021")) == cost.RANGE_FACTOR * 30
    assert count(ql.And((ql.Word("alliance"), ql.YearRange("2019", "2021")))) == 40 + cost.RANGE_FACTOR * 30
    assert count(ql.Or((ql.Word("panic"), ql.Word("fear")))) == 80


@pytest.mark.parametrize("q", [
    RANGES,  # 14 different year ranges: 3.3 s for 16 at 10k
    " ".join(COMMON[:32]),  # the 32 commonest words: 4.0 s at 10k
    " ".join(f"summary:{w}" for w in (COMMON * 3)[:150])[:1990],  # 4.6 s at 10k
    " ".join(f'"{a} {b}"' for a, b in zip(COMMON[:10:2], COMMON[1:10:2])),  # common phrases
    " OR ".join(COMMON[:30]),
])
def test_a_query_over_the_budget_is_a_400_with_the_error_shape(client300, q):
    response = client300.get("/api/search", query_string={"q": q})

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["code"], error["param"]) == ("query_too_costly", "q")
    assert "too much work" in error["message"]


def test_134_repeats_of_one_range_cost_one_range(client300):
    once = client300.get("/api/search?q=year:2013..2026").get_json()
    repeated = client300.get("/api/search",
                             query_string={"q": ("year:2013..2026 " * 134)[:2000]})

    assert repeated.status_code == 200
    assert repeated.get_json()["total"] == once["total"] == 300


def test_normal_queries_are_well_inside_the_budget(client300):
    for q in ("therapy", '"randomized controlled trial" adolescents', "therapist empathy",
              "CBT OR IPT depression", "CBT PTSD", "depression year:2019..2022", "alliance -rupture",
              "title:alliance implications:therapists", "therapy patients treatment"):
        assert client300.get("/api/search", query_string={"q": q}).status_code == 200, q


def test_the_page_drops_a_too_costly_query_with_its_message(client300):
    response = client300.get("/", query_string={"q": " ".join(COMMON[:32])})

    assert response.status_code == 200
    assert b"too much work" in response.data
    assert b"300 entries" in response.data


def test_past_its_deadline_a_request_answers_503_json_and_stops(archive300, make_app):
    client = make_app(archive300, ANSWER_CACHE=0, REQUEST_DEADLINE_SECONDS=1e-9).test_client()

    response = client.get("/api/search?q=therapy")
    page = client.get("/?q=therapy")

    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "deadline_exceeded"
    assert response.headers["Retry-After"] == "1"
    assert page.status_code == 503 and b"took too long" in page.data


def test_the_deadline_is_checked_inside_the_evaluation_loops(archive300):
    service = SearchService(archive300, answer_cache=0)
    service.view()

    with deadline.limit(-1), pytest.raises(DeadlineExceeded):
        search(service, '"randomized controlled trial" adolescents')
    # Outside a limit (the CLI) nothing stops it; a limit ends with its block.
    assert search(service, '"randomized controlled trial" adolescents').total >= 0


def test_too_costly_is_refused_before_any_work(archive300, monkeypatch):
    service = SearchService(archive300, answer_cache=0)
    service.view()
    monkeypatch.setattr(service, "_search", lambda *a, **k: pytest.fail("the query ran"))

    with pytest.raises(QueryTooCostly):
        search(service, RANGES)


def test_the_worker_watchdog_ends_a_worker_whose_request_runs_past_its_timeout():
    now = [100.0]
    ended = []
    dog = Watchdog(30, exit=ended.append, clock=lambda: now[0])

    dog.begin()
    now[0] += 29
    assert dog.check() is False
    now[0] += 2
    assert dog.check() is True and ended == [1]
    dog.end()
    assert dog.longest() == 0.0


def test_too_many_clauses_or_ranges_are_refused_even_in_a_small_archive(client):
    three_ranges = "year:2013..2014 year:2015..2016 year:2017..2018"
    seventeen = " ".join(f"title:{w}" for w in COMMON[:17])

    for q in (three_ranges, seventeen):
        error = client.get("/api/search", query_string={"q": q}).get_json()["error"]
        assert error["code"] == "query_too_costly", q
    # Stop words are not clauses: a long question still searches.
    question = "what are the best ways for a therapist to repair a rupture in the alliance with a client"
    assert client.get("/api/search", query_string={"q": question}).status_code == 200
