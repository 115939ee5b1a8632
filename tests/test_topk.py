"""The top-k cut (search/scoring.best) finds exactly what scoring every match finds: the same k
documents, the same scores, in the same order, for generated queries over a generated archive
large enough that the cut engages (matches far above 4k)."""

from __future__ import annotations

import random

import pytest

from bench.generate import read_jsonl, write_jsonl
from index import bitsets
from index.archive import Archive
from index.rebuild import rebuild
from search import scoring
from search.compile import compile_query
from search.records import SearchRequest
from search.service import SearchService

WORDS = ["therapy", "depression", "anxiety", "alliance", "outcome", "empathy", "therapist",
         "dropout", "homework", "patients", "treatment", "relapse", "medication", "trauma",
         "adolescents", "mindfulness", "sessions", "clients", "symptoms", "rupture"]
SEEDS = range(60)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    folder = tmp_path_factory.mktemp("topk")
    jsonl = write_jsonl(folder / "entries.jsonl", 400, seed=7)
    with Archive(folder) as archive:
        archive.upsert(read_jsonl(jsonl))
    rebuild(folder)
    svc = SearchService(folder, answer_cache=0)
    yield svc
    svc.close()


def generated(seed: int) -> str:
    rng = random.Random(seed)
    a, b, c, d = rng.sample(WORDS, 4)
    return [
        a,
        f"{a} {b}",
        f"{a} OR {b}",
        f"{a} OR {b} OR {c}",
        f"({a} OR {b}) {c}",
        f"{a} ({b} OR {c} OR {d})",
        f'"{a} {b}" OR {c}',
        f"title:{a} OR {b}",
        f"{a} {b} year:2013..2030",
        f"({a} {b}) OR ({c} {d})",
    ][seed % 10]


def exhaustive_and_cut(service, q: str, k: int):
    view = service.view()
    searcher = service.searcher(view)
    compiled = compile_query(q, service.synonyms)
    query = compiled.query
    shown = view.matches.of(searcher, query)
    docs = list(bitsets.to_docnums(shown))
    expected = scoring.top(docs, scoring.relevance(searcher, view.matches, view.scores, query,
                                                   docs), k)
    return shown, expected, scoring.best(searcher, view.matches, view.scores, query, shown, k)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [10, 50])
def test_the_cut_finds_the_exhaustive_top_k(service, seed, k):
    q = generated(seed)
    shown, expected, found = exhaustive_and_cut(service, q, k)
    assert found == expected, q


def test_the_cut_engages_on_large_match_sets(service, monkeypatch):
    """It scores far fewer documents than match, for a common word."""
    scored = []
    original = scoring.relevance

    def counting(searcher, matches, scores, q, docs):
        scored.append(len(docs))
        return original(searcher, matches, scores, q, docs)

    monkeypatch.setattr(scoring, "relevance", counting)
    shown, expected, found = exhaustive_and_cut(service, "therapy", 10)
    cut_scored = scored[1:]  # the first call is the exhaustive reference
    assert found == expected
    assert shown.bit_count() > 300
    assert sum(cut_scored) < shown.bit_count() / 2, (cut_scored, shown.bit_count())


def test_whole_answers_keep_their_order(service):
    """Through the service: the hits of a common query page by page are those of one page."""
    one = service.search(SearchRequest(q="therapy outcome", per_page=100))
    paged = [h for page in (1, 2, 3) for h in
             service.search(SearchRequest(q="therapy outcome", per_page=10, page=page)).hits]
    assert [(h.id, h.score) for h in paged] == [(h.id, h.score) for h in one.hits[:30]]
