"""Whole posting lists read a block at a time: what search's bitsets and score arrays are made of.

Whoosh's matchers step through postings one at a time, several Python calls each; turning the
10,000 postings of a common word into a bitset or an array of scores that way took most of a
cold query. Its on-disk blocks already hold each block's document numbers, weights and
positions as arrays, so these functions take them a block at a time. They read Whoosh's own
format (whoosh-reloaded is pinned, frozen upstream) and fall back to the matcher interface for
anything else: postings inlined in the term table, a segment with deletions.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from itertools import accumulate
from typing import Iterator, NamedTuple, Sequence

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.util.numeric import byte_to_length

from . import bitsets


def _matcher(reader, field: str, text: str):
    """The raw (unscored) matcher of a term, or None when the index lacks it."""
    if (field, text) not in reader:
        return None
    return reader.postings(field, text)


def _blocks(matcher) -> Iterator[tuple[int, object]]:
    """(block's last document number, the matcher positioned on it) for each block."""
    while matcher.is_active():
        yield matcher._maxid, matcher
        matcher._next_block()


class Whole(NamedTuple):
    """A term's whole posting list, decoded: read-only, it may be shared through `Recent`."""

    ids: array  # documents, ascending
    weights: array  # the term's weight (frequency) in each, as 64-bit floats
    values: Sequence  # each posting's raw value (its encoded word positions), or None


def whole(reader, field: str, text: str) -> Whole:
    """The term's posting list, every block decoded once (empty when the index lacks it)."""
    ids, ws, values = array("I"), array("d"), []
    m = _matcher(reader, field, text)
    if m is None:
        pass
    elif isinstance(m, W3LeafMatcher) and not m._byteids:
        for _, block in _blocks(m):
            block._read_data()
            block._read_values()
            data = block._data
            # Each block's ids are deltas from 0: accumulate is Whoosh's delta_decode in C.
            ids.extend(accumulate(data[0]))
            ws.extend(_block_weights(data[1], block._blocklength))
            values.extend(block._values)
    else:
        while m.is_active():
            ids.append(m.id())
            ws.append(m.weight())
            values.append(m.value())
            m.next()
    return Whole(ids, ws, values)


def _block_weights(weights, count: int):
    """A block's weights as W3LeafMatcher._read_weights minifies them: None for all 1.0, one
    float when all are the same, else a tuple."""
    if weights is None:
        return [1.0] * count
    if isinstance(weights, float):
        return [weights] * count
    return weights


# Postings `Recent` keeps in all: ~70 bytes each (a value's bytes object, its pointer, an id and
# a weight), so ~9 MB; the most a cold query of the bench's mix reads at 10k entries is ~50,000.
RECENT_POSTINGS = 100_000


class Recent:
    """The posting lists read last, whole, up to `capacity` postings in all; oldest out first.

    A query makes a term's bitset, then its score array, then (proximity, phrases) the positions
    of a few documents, and each of those read and decoded every block again: zlib and pickle,
    most of a cold query's time. Kept per index generation; thread-safe (a term two threads
    read at once is read twice)."""

    def __init__(self, capacity: int = RECENT_POSTINGS):
        self.capacity = capacity
        self._items: OrderedDict = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def get(self, reader, field: str, text: str) -> Whole:
        """The term's whole posting list, decoded now or kept from a read before."""
        key = (field, text)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        found = whole(reader, field, text)
        size = len(found.ids)
        if size <= self.capacity:
            with self._lock:
                if key not in self._items:
                    self._items[key] = found
                    self._held += size
                while self._held > self.capacity:
                    _, old = self._items.popitem(last=False)
                    self._held -= len(old.ids)
        return found


def docnums(reader, field: str, text: str, recent: Recent | None = None) -> array:
    """The documents holding the term, ascending (empty when none); read-only with `recent`."""
    if recent is not None:
        return recent.get(reader, field, text).ids
    out = array("I")
    m = _matcher(reader, field, text)
    if m is None:
        return out
    if isinstance(m, W3LeafMatcher):
        for _, block in _blocks(m):
            block._read_ids()
            out.extend(block._ids)
    else:
        out.extend(m.all_ids())
    return out


def weights(reader, field: str, text: str,
            recent: Recent | None = None) -> tuple[array, Sequence[float]]:
    """The documents holding the term and the term's weight (frequency) in each."""
    if recent is not None:
        found = recent.get(reader, field, text)
        return found.ids, found.weights
    ids: array = array("I")
    ws: list[float] = []
    m = _matcher(reader, field, text)
    if m is None:
        return ids, ws
    if isinstance(m, W3LeafMatcher):
        for _, block in _blocks(m):
            block._read_ids()
            block._read_weights()
            ids.extend(block._ids)
            ws.extend(block._weights)
    else:
        while m.is_active():
            ids.append(m.id())
            ws.append(m.weight())
            m.next()
    return ids, ws


# A bitset of at most this many documents has its positions looked up in `cache` first.
CACHED_FEW = 256


def positions(reader, field: str, text: str, wanted: int, cache=None,
              recent: Recent | None = None) -> dict[int, list[int]]:
    """The term's word positions in each document of the bitset `wanted` that holds it.

    With `cache` (a dict-like keyed by (field, text, docnum), kept per index generation by the
    caller) and few documents wanted, each document's positions are read once and kept (an
    empty tuple for a document without the term): the proximity pass asks about the same
    shown entries again and again. With `recent`, the term's postings come from it."""
    out: dict[int, list[int]] = {}
    if not wanted:
        return out
    if cache is not None and wanted.bit_count() <= CACHED_FEW:
        missing = 0
        for docnum in bitsets.ascending(wanted):
            found = cache.get((field, text, docnum))
            if found is None:
                missing |= 1 << docnum
            elif found:
                out[docnum] = found
        if missing:
            read = positions(reader, field, text, missing, recent=recent)
            for docnum in bitsets.ascending(missing):
                found = read.get(docnum)
                cache[(field, text, docnum)] = tuple(found) if found else ()
                if found:
                    out[docnum] = found
        return out
    if recent is not None:
        return _wanted_positions(recent.get(reader, field, text), wanted,
                                 reader.schema[field].format.decode_positions)
    m = _matcher(reader, field, text)
    if m is None:
        return out
    decode = reader.schema[field].format.decode_positions
    if isinstance(m, W3LeafMatcher):
        first = 0
        for last, block in _blocks(m):
            # Skip a block without reading it when no wanted document falls in its range.
            if (wanted >> first) & ((1 << (last - first + 1)) - 1):
                block._read_ids()
                block._read_values()
                for docnum, value in zip(block._ids, block._values):
                    if wanted >> docnum & 1:
                        out[docnum] = decode(value)
            first = last + 1
            if wanted >> first == 0:
                break
    else:
        while m.is_active():
            docnum = m.id()
            if wanted >> docnum & 1:
                out[docnum] = decode(m.value())
            m.next()
    return out


def _wanted_positions(found: Whole, wanted: int, decode) -> dict[int, list[int]]:
    """`positions` from a whole posting list: the wanted documents looked up by bisection when
    they are few, else every posting checked against the bitset's bytes."""
    out: dict[int, list[int]] = {}
    ids, values = found.ids, found.values
    if wanted.bit_count() * 16 < len(ids):
        count = len(ids)
        for docnum in bitsets.ascending(wanted):
            i = bisect_left(ids, docnum)
            if i < count and ids[i] == docnum:
                out[docnum] = decode(values[i])
        return out
    member = wanted.to_bytes((wanted.bit_length() + 7) // 8, "little")
    limit = len(member) << 3
    for docnum, value in zip(ids, values):
        if docnum < limit and member[docnum >> 3] >> (docnum & 7) & 1:
            out[docnum] = decode(value)
    return out


# The length each byte of Whoosh's length column stands for.
LENGTH_OF_CODE = tuple(byte_to_length(b) for b in range(256))


def length_codes(reader, field: str) -> bytes | None:
    """Each document's length in the field as one byte (see LENGTH_OF_CODE), when the index
    keeps them so: anything computed from a length can be computed for 256 values only."""
    perdoc = getattr(reader, "_perdoc", None)
    column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN) if perdoc else None
    if column is not None and getattr(column, "_typecode", None) == "B":
        return column._dbfile.get(column._basepos, reader.doc_count_all())
    return None


def field_lengths(reader, field: str) -> list[int]:
    """Each document's length in the field as Whoosh scores it (a byte-sized approximation)."""
    codes = length_codes(reader, field)
    if codes is not None:
        return [LENGTH_OF_CODE[b] for b in codes]
    return [reader.doc_field_length(docnum, field, 0) or 0
            for docnum in range(reader.doc_count_all())]
