"""Bitsets made from many documents (a digit per document) equal those made bit by bit."""

from __future__ import annotations

import random
from array import array

import pytest

from index import bitsets


@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 100, 10_000])
def test_a_bitset_of_many_documents_equals_one_made_bit_by_bit(size):
    rng = random.Random(size)
    for count in {0, 1, size // 16, size // 2, size}:
        docnums = sorted(rng.sample(range(size), min(count, size)))
        expected = sum(1 << d for d in docnums)
        assert bitsets.from_docnums(array("I", docnums), size) == expected
        assert bitsets.from_docnums(docnums, size) == expected
        assert bitsets.from_docnums(iter(docnums), size) == expected
        assert bitsets.ascending(expected) == docnums
