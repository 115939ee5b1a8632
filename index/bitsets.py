"""Sets of document numbers as Python integers: intersect with &, count with bit_count().

Facet counting over every match is the costly part of a faceted search; with one integer per
facet value, cached per index generation, a count is one AND and one popcount.
"""

from __future__ import annotations

from array import array
from collections import deque
from itertools import repeat
from typing import Iterable


def from_docnums(docnums: Iterable[int], size: int) -> int:
    """The bitset holding these document numbers (each below `size`)."""
    if isinstance(docnums, (array, list)) and len(docnums) * 16 > size:
        return _from_many(docnums, size)
    bits = bytearray((size + 7) // 8)
    for n in docnums:
        bits[n >> 3] |= 1 << (n & 7)
    return int.from_bytes(bits, "little")


def _from_many(docnums, size: int) -> int:
    """from_docnums for a good share of the documents: a "0"/"1" digit per document set in C,
    read as a base-2 number (10,000 documents, 9,000 set: 0.72 -> 0.41 ms)."""
    digits = bytearray(b"0") * size
    deque(map(digits.__setitem__, docnums, repeat(ord("1"))), 0)
    digits.reverse()
    return int(digits, 2) if size else 0


def to_docnums(bitset: int) -> set[int]:
    """The document numbers in a bitset, as the set Whoosh takes for `filter=`."""
    return set(ascending(bitset))


def ascending(bitset: int) -> list[int]:
    """The document numbers in a bitset, in order."""
    out = []
    data = bitset.to_bytes((bitset.bit_length() + 7) // 8, "little")
    for i, byte in enumerate(data):
        while byte:
            low = byte & -byte
            out.append((i << 3) + low.bit_length() - 1)
            byte ^= low
    return out


def first(bitset: int, limit: int, reverse: bool = False) -> list[int]:
    """The `limit` lowest document numbers in a bitset (highest, with `reverse`), in order."""
    out: list[int] = []
    data = bitset.to_bytes((bitset.bit_length() + 7) // 8, "little")
    indexes = range(len(data) - 1, -1, -1) if reverse else range(len(data))
    bits = (7, 6, 5, 4, 3, 2, 1, 0) if reverse else (0, 1, 2, 3, 4, 5, 6, 7)
    for i in indexes:
        byte = data[i]
        if not byte:
            continue
        for bit in bits:
            if byte >> bit & 1:
                out.append((i << 3) + bit)
                if len(out) >= limit:
                    return out
    return out


def full(size: int) -> int:
    return (1 << size) - 1
