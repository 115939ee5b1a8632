"""The benchmark runner works on a tiny archive, and its FTS5 reference is like for like.

Benchmarks print figures; these tests only check that the runner produces a figure for every
query of the mix at N = 200 (one pass, one round of the mix over HTTP, no HTTP load) and that
the product and the FTS5 reference find the same totals (within 10%) for every plain-word
query.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # bench/ is a folder of the repo, not an installed package
    sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench.fts5 import parse  # noqa: E402
from bench.generate import Generator  # noqa: E402
from bench.queries import MIX  # noqa: E402
from bench.runner import run_size  # noqa: E402

N = 200


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict:
    return run_size(N, tmp_path_factory.mktemp("bench"), passes=1, cold=3, load_seconds=0,
                    shape_rounds=1)


def test_the_mix_covers_what_the_issue_asks_for():
    kinds = {q.kind for q in MIX}
    assert len(MIX) >= 20
    assert {"word", "and", "phrase", "filtered", "browse", "typo", "prefix"} <= kinds
    assert all(q.prefix and ("prefix", "1") in q.params() for q in MIX if q.kind == "prefix")
    filtered = [q for q in MIX if q.topic or q.type or q.year]
    assert any(q.topic for q in filtered) and any(q.type for q in filtered)
    assert any(q.year for q in filtered)
    assert len({q.name for q in MIX}) == len(MIX)


def test_the_generator_is_deterministic_and_shaped_like_the_blog():
    first = list(Generator(seed=7).entries(50))
    assert first == list(Generator(seed=7).entries(50))
    assert first != list(Generator(seed=8).entries(50))
    assert len({e.id for e in first}) == len(first)
    for entry in first:
        assert 1 <= len(entry.topics) <= 4 and entry.research_type
        assert "2013-01" <= entry.month <= "2026-12"
        assert 200 <= len(entry.summary.split()) <= 400
        assert 60 <= len(entry.implications.split()) <= 150
        assert entry.citation and entry.authors and entry.doi


def test_the_runner_times_every_query_in_both_engines(tiny):
    for engine in ("product_queries", "fts5_queries"):
        figures = tiny[engine]
        for query in MIX:
            assert len(figures["warm"][query.name]) == 1, (engine, query.name)
            assert figures["warm"][query.name][0] > 0
        assert len(figures["cold"]) == 3
        assert figures["peak_rss_mb"] > 0
    assert len(tiny["product_queries"]["cached"]) == len(MIX)
    assert tiny["product_reindex"]["entries"] == N
    assert tiny["fts5_build"]["entries"] == N
    assert tiny["product_reindex"]["index_mb"] > 0


def test_product_and_fts5_agree_on_totals_of_plain_word_queries(tiny):
    plain = [q for q in MIX if q.plain]
    assert len(plain) >= 5
    for query in plain:
        product = tiny["product_queries"]["answers"][query.name]["total"]
        fts5 = tiny["fts5_queries"]["answers"][query.name]["total"]
        assert product > 0, query.name
        assert abs(product - fts5) <= 0.10 * max(product, fts5), (query.name, product, fts5)


def test_both_engines_answer_in_full(tiny):
    for query in MIX:
        for engine in ("product_queries", "fts5_queries"):
            answer = tiny[engine]["answers"][query.name]
            assert answer["ids"], (engine, query.name)
            # The product also counts its evidence facets (design, participants): more work
            # than the reference does, never less.
            assert set(answer["facets"]) >= {"topic", "type", "year"}
        if query.kind == "typo":
            assert tiny["fts5_queries"]["answers"][query.name]["suggestion"]
            assert tiny["product_queries"]["answers"][query.name]["suggestion"]


def test_the_report_renders(tiny):
    run = {"command": "python -m bench --quick", "seed": 1, "started": "s", "finished": "f",
           "wall_minutes": 0.1, "environment": report.environment(), "sizes": [tiny]}
    text = report.render(run)
    assert "FTS5" in text and f"{N:,} entries" in text
    for query in MIX:
        assert query.name.replace("|", "\\|") in text
    assert "## Per query over HTTP" in text
    assert "every query of the mix ≤ FTS5 p95 over HTTP" in text


def test_the_runner_times_every_query_over_http_in_both_servers(tiny):
    shapes = tiny["http_shapes"]
    assert shapes["rounds"] == 1
    for side in ("product", "fts5", "product_cpu", "fts5_cpu"):
        assert set(shapes[side]) == {q.name for q in MIX}, side
        assert all(len(times) == 1 for times in shapes[side].values()), side
    assert all(t[0] > 0 for t in shapes["product"].values())
    assert all(t[0] > 0 for t in shapes["fts5"].values())


def test_fts5_helpers():
    assert parse('"panic disorder" adolescents') == (["adolescents"], ["panic disorder"])
