"""Search relevance on judged queries: the sample page plus tests/relevance/corpus.jsonl.

Each judged query is its own test (its first relevant entry in the top 3, or nothing found when
nothing should be; no forbidden entry; the expected "did you mean"). The full report, with
per-category figures, comes from `python -m tests.relevance.evaluate`.
"""

import pytest

try:
    from tests.relevance.evaluate import TOP, build_corpus, check_judgments, evaluate, load_judgments
except ModuleNotFoundError:  # plain `pytest`: tests/ is on sys.path, the repository root is not
    from relevance.evaluate import TOP, build_corpus, check_judgments, evaluate, load_judgments

JUDGMENTS = load_judgments()
MIN_MRR = 0.9


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = build_corpus(tmp_path_factory.mktemp("relevance"))
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def report(service):
    return evaluate(service, JUDGMENTS)


def test_judgments_name_only_entries_of_the_corpus(service):
    assert check_judgments(service, JUDGMENTS) == []


@pytest.mark.parametrize("judgment", JUDGMENTS, ids=[j.label for j in JUDGMENTS])
def test_judged_query(report, judgment):
    outcome = report.outcome_for(judgment)
    assert not outcome.problems, (
        f"wanted: first relevant in the top {TOP}, nothing forbidden, the expected did-you-mean\n"
        f"{outcome.describe()}"
    )


def test_overall_mrr(report):
    overall = report.overall()
    assert overall.mrr >= MIN_MRR, f"overall MRR {overall.mrr:.3f} < {MIN_MRR}\n{report.format_summary()}"
