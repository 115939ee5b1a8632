"""One ranker: the order of hits never depends on the query's shape. Generated queries over the
relevance corpus keep the same hits, scores and order when a filter that excludes nothing is
added or the branches of an OR are re-ordered."""

from __future__ import annotations

import itertools
import random

import pytest

from search.records import SearchRequest

try:
    from tests.relevance.evaluate import build_corpus
except ModuleNotFoundError:  # plain `pytest`: tests/ is on sys.path, the repository root is not
    from relevance.evaluate import build_corpus

# Words many entries of the corpus hold, so that queries find many entries to order.
WORDS = ["therapy", "depression", "anxiety", "treatment", "outcome", "clients", "alliance",
         "dropout", "patients", "psychodynamic", "CBT", "sessions", "group", "trauma",
         "randomized", "therapist", "symptoms", "study", "change", "online"]
SEEDS = range(40)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = build_corpus(tmp_path_factory.mktemp("ranking"))
    yield svc
    svc.close()


def ranked(service, q: str, **filters) -> list[tuple[str, float | None]]:
    result = service.search(SearchRequest(q=q, per_page=100, **filters))
    return [(hit.id, hit.score) for hit in result.hits]


def shapes(seed: int) -> tuple[str, list[str]]:
    """A generated query and the same query with its OR branches in every other order."""
    rng = random.Random(seed)
    kind = seed % 4
    a, b, c, d = rng.sample(WORDS, 4)
    if kind == 0:
        branches = [a, b, c]
        return " OR ".join(branches), [" OR ".join(p) for p in itertools.permutations(branches)]
    if kind == 1:
        return f"({a} OR {b}) {c}", [f"({b} OR {a}) {c}"]
    if kind == 2:
        return f'"{a} {b}" OR {c}', [f'{c} OR "{a} {b}"']
    return f"{a} ({b} OR {c} OR {d})", [f"{a} ({d} OR {c} OR {b})", f"{a} ({c} OR {b} OR {d})"]


@pytest.mark.parametrize("seed", SEEDS)
def test_reordering_or_branches_leaves_the_order_unchanged(service, seed):
    q, others = shapes(seed)
    expected = ranked(service, q)
    for other in others:
        assert ranked(service, other) == expected, (q, other)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_filter_that_excludes_nothing_leaves_the_order_unchanged(service, seed):
    q, _ = shapes(seed)
    expected = ranked(service, q)
    years = tuple(sorted({hit_id[:4] for hit_id, _ in expected}))
    assert ranked(service, f"{q} year:2000..2099") == expected
    assert ranked(service, f"{q} -xylophone") == expected
    assert ranked(service, q, year=years) == expected


def test_the_generated_queries_find_and_order_many_entries(service):
    sizes = [len(ranked(service, shapes(seed)[0])) for seed in SEEDS]
    assert min(sizes) >= 2 and sum(sizes) / len(sizes) > 8
    # Scores differ (an order to keep), not all ties.
    assert len({score for _, score in ranked(service, shapes(0)[0])}) > 3


def test_dropout_with_and_without_a_range_lists_the_same_order(service):
    """The case that showed two rankers: a year range used to send the query through Whoosh."""
    assert ranked(service, "dropout year:2013..2030") == ranked(service, "dropout")
