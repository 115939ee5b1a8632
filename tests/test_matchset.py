"""The bitset match sets (search/matchset.py) equal Whoosh's own unscored matches."""

from __future__ import annotations

import pytest

from index.bitsets import to_docnums
from search.compile import compile_query
from search.service import SearchService
from search.synonyms import Synonyms


@pytest.mark.parametrize("q", ['"panic disorder"', "CBT", "randomized controlled trial",
                               "therapy -depression", "(panic OR mentalizing) therapy",
                               'title:"panic disorder"', "year:2021..2022 therapy",
                               "author:Cuijpers", "drop-out"])
def test_match_sets_equal_whooshs_matches_first_and_cached(sample_data, q):
    service = SearchService(sample_data, answer_cache=0)
    view = service.view()
    searcher = service.searcher(view)
    query = compile_query(q, Synonyms()).query

    expected = set(searcher.docs_for_query(query))

    assert expected
    assert to_docnums(view.matches.of(searcher, query)) == expected
    assert to_docnums(view.matches.of(searcher, query)) == expected  # from the caches
