"""Whole posting lists read a block at a time: what search's bitsets and score arrays are made of.

Whoosh's matchers step through postings one at a time, several Python calls each; turning the
10,000 postings of a common word into a bitset or an array of scores that way took most of a
cold query. Its on-disk blocks already hold each block's document numbers, weights and
positions as arrays, so these functions take them a block at a time. They read Whoosh's own
format (whoosh-reloaded is pinned, frozen upstream) and fall back to the matcher interface for
anything else: postings inlined in the term table, a segment with deletions.
"""

from __future__ import annotations

from array import array
from typing import Iterator

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


def docnums(reader, field: str, text: str) -> array:
    """The documents holding the term, ascending (empty when none)."""
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


def weights(reader, field: str, text: str) -> tuple[array, list[float]]:
    """The documents holding the term and the term's weight (frequency) in each."""
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


def positions(reader, field: str, text: str, wanted: int, cache=None) -> dict[int, list[int]]:
    """The term's word positions in each document of the bitset `wanted` that holds it.

    With `cache` (a dict-like keyed by (field, text, docnum), kept per index generation by the
    caller) and few documents wanted, each document's positions are read once and kept (an
    empty tuple for a document without the term): the proximity pass asks about the same
    shown entries again and again."""
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
            read = positions(reader, field, text, missing)
            for docnum in bitsets.ascending(missing):
                found = read.get(docnum)
                cache[(field, text, docnum)] = tuple(found) if found else ()
                if found:
                    out[docnum] = found
        return out
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


def field_lengths(reader, field: str) -> list[int]:
    """Each document's length in the field as Whoosh scores it (a byte-sized approximation)."""
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN) if perdoc else None
    if column is not None and getattr(column, "_typecode", None) == "B":
        table = [byte_to_length(b) for b in range(256)]
        return [table[b] for b in column._dbfile.get(column._basepos, count)]
    return [reader.doc_field_length(docnum, field, 0) or 0 for docnum in range(count)]
