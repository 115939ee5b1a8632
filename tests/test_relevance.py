"""Search relevance on judged queries: the sample page plus tests/relevance/corpus.jsonl.

Two parts, judged the same way:

- the tuned part, tests/relevance/judgments.toml: each judged query is its own test (its first
  relevant entry in the top 3, or nothing found when nothing should be; no forbidden entry; the
  expected "did you mean"), plus its totals: no false finds, MRR >= MIN_MRR;
- the held-out part, tests/relevance/heldout.toml, never tuned against: one test on its totals
  only (no false finds, MRR >= MIN_MRR), whose failure prints the summary table, never the
  per-query results.

A false find is a should-find-nothing (`expect_nothing`) query that found something. The full
report comes from `python -m tests.relevance.evaluate`.
"""

import pytest

try:
    from tests.relevance.evaluate import (
        TOP, build_corpus, check_judgments, check_split, evaluate, load_heldout, load_judgments,
    )
except ModuleNotFoundError:  # plain `pytest`: tests/ is on sys.path, the repository root is not
    from relevance.evaluate import (
        TOP, build_corpus, check_judgments, check_split, evaluate, load_heldout, load_judgments,
    )

JUDGMENTS = load_judgments()
HELDOUT = load_heldout()
MIN_MRR = 0.98


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = build_corpus(tmp_path_factory.mktemp("relevance"))
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def report(service):
    return evaluate(service, JUDGMENTS)


@pytest.fixture(scope="module")
def heldout_report(service):
    return evaluate(service, HELDOUT)


def test_judgments_name_only_entries_of_the_corpus(service):
    assert check_judgments(service, JUDGMENTS) == []
    assert check_judgments(service, HELDOUT) == []


def test_no_query_is_judged_in_both_parts():
    assert check_split(JUDGMENTS, HELDOUT) == []


@pytest.mark.parametrize("judgment", JUDGMENTS, ids=[j.label for j in JUDGMENTS])
def test_judged_query(report, judgment):
    outcome = report.outcome_for(judgment)
    assert not outcome.problems, (
        f"wanted: first relevant in the top {TOP}, nothing forbidden, the expected did-you-mean\n"
        f"{outcome.describe()}"
    )


def test_no_false_finds(report):
    found = report.false_finds()
    assert not found, (
        f"{len(found)} should-find-nothing queries found something\n{report.format_summary()}\n"
        + "\n".join(o.describe() for o in found)
    )


def test_overall_mrr(report):
    overall = report.overall()
    assert overall.mrr >= MIN_MRR, f"overall MRR {overall.mrr:.3f} < {MIN_MRR}\n{report.format_summary()}"


def test_heldout_totals(heldout_report):
    """Held-out part: totals only. Its per-query results are not for tuning; the message shows
    the summary table alone."""
    overall = heldout_report.overall()
    assert overall.false_finds == 0 and overall.mrr >= MIN_MRR, (
        f"held-out part: {overall.false_finds} false finds (want 0), MRR {overall.mrr:.3f} "
        f"(want >= {MIN_MRR}), {overall.misses} misses\n{heldout_report.format_summary()}"
    )
