"""One index segment written in bulk: Whoosh's own files, without its writer's per-posting work.

Whoosh's writer turns every posting into a tuple, sorts them all (spilling runs to disk past its
memory limit), then feeds them one call at a time to its codec, reading each posting's field
length back from disk. A whole-archive build adds documents in order, so each term's postings
are already in document order. Here a build is two steps, each one a pure function, so both can
run in several processes:

1. `analyse` a run of entries: each document's row for the per-document files (stored fields,
   lengths, columns) and each term's postings, in document order;
2. `encode` a share of the terms (all of a term's postings, joined across runs): its blocks of
   128 postings, made by Whoosh's own postings writer, and its term information.

`build` then writes the rows and, term by term in order, the encoded blocks into the segment.
The files are the ones Whoosh's writer makes, byte for byte (tests/test_segment.py builds both
ways and compares), so every reader of the index is unchanged.
"""

from __future__ import annotations

import io
import math
import multiprocessing
import os
import pickle
import time
import zlib
from array import array
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Callable, Sequence

from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.filedb.structfile import StructFile
from whoosh.formats import Positions
from whoosh.system import pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from crawler.records import Entry

from .analysis import ClinicalTokenizer, term_positions
from .errors import IndexBuildFailed
from .schema import build_schema, document, spelling_words
from .spelling import SpellingCounter

# Facet fields whose values' documents the build keeps as bitsets (index/store.py).
FACET_FIELDS = ("topics", "research_type", "year", "design", "participants_band")
# Below this many entries a build works in its own process: starting others costs more.
PARALLEL_FROM = 2000

# A term's postings: document numbers, weights, encoded values (Whoosh's posting parts).
Postings = tuple[array, array, list]
# Per field, per term (a string in the one-pass text fields, whose UTF-8 sorts the same; else
# the field's bytes).
FieldPostings = dict[str, dict]


@dataclass
class Chunk:
    """What analysing a run of entries yields."""

    first: int  # document number of the run's first entry
    rows: list[tuple] = field(default_factory=list)  # per document: (field, stored, length, column)
    # The run's postings: one share of the terms per encoding job, pickled when the run was
    # analysed in another process (a build's main process passes them on without reading them).
    shares: list[bytes | FieldPostings] = field(default_factory=list)
    facets: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    participants: list[int | None] = field(default_factory=list)
    topic_names: dict[str, str] = field(default_factory=dict)
    spelling: SpellingCounter = field(default_factory=SpellingCounter)
    cpu: float = 0.0  # seconds of CPU the analysis took, in whichever process did it


@dataclass
class Built:
    """What a build keeps besides the segment: the facet values' documents, each document's
    participant count, topic keys' names and the spelling counts."""

    count: int
    facets: dict[str, dict[str, list[int]]]
    participants: list[int | None]
    topic_names: dict[str, str]
    spelling: SpellingCounter
    # CPU seconds the build took in other processes (0 when it ran in the caller's alone).
    worker_cpu: float = 0.0
    processes: int = 1  # the processes that analysed and encoded: the caller's, or workers


def build(writer, entries: Sequence[Entry], processes: int | None = None,
          progress: Callable[[int], None] | None = None,
          parallel_from: int = PARALLEL_FROM) -> Built:
    """Every entry into the open Whoosh segment writer (which the caller commits), numbered in
    order; analysed and encoded by several processes (one per CPU this process may use, unless
    `processes` says) when there are enough entries to gain."""
    if processes is None:
        processes = len(os.sched_getaffinity(0))
    if processes <= 1 or len(entries) < parallel_from:
        chunk = analyse(entries, 0, 1, progress)
        assembly = _Assembly(writer)
        assembly.add(chunk)
        assembly.encoded(encode(chunk.shares, assembly.lengths))
        return assembly.finish()
    # A few runs per process, so progress is reported as they finish and the work evens out.
    size = max(100, math.ceil(len(entries) / (processes * 4)))
    shares = processes * 2
    # Fresh processes (not forks of this one, which may hold threads and their locks).
    context = multiprocessing.get_context("forkserver")
    try:
        return _in_processes(writer, entries, processes, size, shares, context, progress)
    except BrokenProcessPool as exc:
        raise IndexBuildFailed(
            "A process building the index stopped unexpectedly (out of memory?); the previous "
            "index still serves. Try again, or with fewer build processes."
        ) from exc


def _in_processes(writer, entries, processes, size, shares, context, progress) -> Built:
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        runs: list[Future] = [pool.submit(analyse, entries[first:first + size], first, shares)
                              for first in range(0, len(entries), size)]
        assembly = _Assembly(writer)
        waiting: dict[int, Chunk] = {}
        for future in as_completed(runs):
            chunk = future.result()
            waiting[chunk.first] = chunk
            # Rows go into the per-document files in document order, as runs arrive.
            while assembly.count in waiting:
                assembly.add(waiting.pop(assembly.count))
                if progress:
                    progress(assembly.count)
        chunks = [run.result() for run in runs]
        jobs = [pool.submit(encode, [chunk.shares[i] for chunk in chunks], assembly.lengths)
                for i in range(shares)]
        for job in as_completed(jobs):
            assembly.encoded(job.result())
    assembly.built.worker_cpu = sum(chunk.cpu for chunk in chunks) + assembly.encode_cpu
    assembly.built.processes = processes
    return assembly.finish()


# The pickled part of a single position's value, kept: most postings of a word are one
# occurrence. Each value is still a new bytes object: pickle writes a repeated object as a
# reference, which would change the block bytes Whoosh writes.
_SINGLE: dict[int, bytes] = {}
_ONE = pack_uint(1)


def _encode_positions(positions: list[int]) -> bytes:
    """Positions.encode: the count, then the pickled gaps between positions."""
    if len(positions) == 1:
        pos = positions[0]
        found = _SINGLE.get(pos)
        if found is None:
            found = _SINGLE[pos] = pickle.dumps([pos], 2)
        return _ONE + found
    gaps = [b - a for a, b in zip(positions, positions[1:])]
    gaps.insert(0, positions[0])
    return pack_uint(len(gaps)) + pickle.dumps(gaps, 2)


def analyse(entries: Sequence[Entry], first: int = 0, shares: int = 1,
            progress: Callable[[int], None] | None = None) -> Chunk:
    """The documents of `entries`, numbered from `first`, with their terms split into
    `shares` parts by a hash of the term (the same in every process), each pickled; one share
    is left as it is."""
    started = time.process_time()
    schema = build_schema()
    chunk = Chunk(first=first, facets={f: {} for f in FACET_FIELDS})
    postings: FieldPostings = {}
    # How each field is indexed, worked out once: (name, field, one-pass analysis?).
    plan = []
    for name in sorted(schema.names()):
        fieldobj = schema[name]
        fast = (fieldobj.indexed and type(fieldobj.format) is Positions
                and type(fieldobj.analyzer) is ClinicalTokenizer and fieldobj.scorable)
        plan.append((name, fieldobj, fast))
        if fieldobj.indexed:
            postings[name] = {}
        if fieldobj.vector or fieldobj.separate_spelling():
            raise NotImplementedError(f"field {name}: vectors and spelling fields are not built")
    facets = chunk.facets
    for docnum, entry in enumerate(entries, first):
        doc = document(entry)
        chunk.participants.append(doc.get("participants"))
        chunk.topic_names.update(zip(doc["topics"].split(), entry.topics))
        for name in FACET_FIELDS:
            keys = doc[name].split() if name == "topics" else [doc.get(name, "")]
            for key in keys:
                if key:
                    facets[name].setdefault(key, []).append(docnum)
        chunk.spelling.add(spelling_words(entry))
        chunk.rows.append(_row(doc, docnum, plan, postings))
        if progress and (docnum - first + 1) % 50 == 0:
            progress(docnum - first + 1)
    if shares == 1:
        chunk.shares = [postings]
    else:
        parts = [{name: {} for name in postings} for _ in range(shares)]
        for name, terms in postings.items():
            for term, slot in terms.items():
                key = term.encode("utf-8") if type(term) is str else term
                parts[zlib.crc32(key) % shares][name][term] = slot
        chunk.shares = [pickle.dumps(part, pickle.HIGHEST_PROTOCOL) for part in parts]
    chunk.cpu = time.process_time() - started
    return chunk


def _row(doc: dict, docnum: int, plan, postings: FieldPostings) -> tuple:
    """One document's postings added to `postings`, and its per-document writer row: what
    Whoosh's add_document does for it, in the same order (fields sorted by name)."""
    row = []
    for name, fieldobj, fast in plan:
        value = doc.get(name)
        if value is None:
            continue
        length = 0
        if fieldobj.indexed:
            terms = postings[name]
            if fast:
                boost = fieldobj.format.field_boost
                for term, positions in term_positions(value, fieldobj.analyzer.stemming).items():
                    n = len(positions)
                    length += n
                    slot = terms.get(term)
                    if slot is None:
                        slot = terms[term] = (array("I"), array("f"), [])
                    slot[0].append(docnum)
                    slot[1].append(float(n) * boost)
                    slot[2].append(_encode_positions(positions))
            else:
                for tbytes, freq, weight, vbytes in fieldobj.index(value):
                    if fieldobj.scorable:
                        length += freq
                    slot = terms.get(tbytes)
                    if slot is None:
                        slot = terms[tbytes] = (array("I"), array("f"), [])
                    slot[0].append(docnum)
                    slot[1].append(weight)
                    if vbytes:
                        slot[2].append(vbytes)
        stored = value if fieldobj.stored else None
        column = fieldobj.to_column_value(value) if fieldobj.column_type else None
        row.append((name, stored, length, column))
    return tuple(row)


# An encoded term: its text as bytes, its blocks as written, and its term information (whose
# place in the postings file is set when the blocks are written there).
Encoded = tuple[bytes, bytes, W3TermInfo]


def encode(shares: list[bytes | FieldPostings], lengths: dict[str, list]
           ) -> tuple[dict[str, list[Encoded]], float]:
    """One share of the terms, from every run in document order: each term's postings joined
    and written as Whoosh's postings writer writes them, a block of 128 at a time, into a
    buffer of their own. `lengths` is each field's length per document as the index keeps it.
    Returns the encoded terms per field, and the seconds of CPU it took."""
    started = time.process_time()
    schema = build_schema()
    parts: list[FieldPostings] = [share if isinstance(share, dict) else pickle.loads(share)
                                  for share in shares]
    codec = W3Codec()
    out: dict[str, list[Encoded]] = {}
    for name in sorted({name for part in parts for name, terms in part.items() if terms}):
        fmt = schema[name].format
        buffer = io.BytesIO()
        postwriter = codec.postings_writer(StructFile(buffer))
        field_lengths = lengths.get(name)
        found: dict = {}
        for part in parts:
            for term, slot in part.get(name, {}).items():
                found.setdefault(term, []).append(slot)
        places = []
        for term in sorted(found):
            slots = found[term]
            if len(slots) == 1:
                ids, weights, values = slots[0]
            else:
                ids, weights, values = array("I"), array("f"), []
                for i, w, v in slots:
                    ids.extend(i)
                    weights.extend(w)
                    values.extend(v)
            if values and len(values) != len(ids):
                raise ValueError(f"{name}:{term!r}: postings with and without values")
            start = buffer.tell()
            postwriter.start_postings(fmt, W3TermInfo())
            _blocks(postwriter, ids, weights, values, field_lengths)
            info = postwriter.finish_postings()
            places.append((term.encode("utf-8") if type(term) is str else term, start,
                           buffer.tell(), info))
        written = buffer.getvalue()
        out[name] = [(btext, written[start:end], info) for btext, start, end, info in places]
    return out, time.process_time() - started


def _blocks(postwriter, ids: array, weights: array, values: list, lengths) -> None:
    """What add_posting does a posting at a time, a block at a time: the block's parts and
    statistics set as it would have gathered them, then its own block writer."""
    block = postwriter._blocklimit
    total = len(ids)
    for start in range(0, total, block):
        end = min(start + block, total)
        block_ids = ids[start:end]
        postwriter._ids = block_ids
        postwriter._weights = weights[start:end]
        postwriter._values = values[start:end] if values else []
        postwriter._maxweight = max(0, max(postwriter._weights))
        known = [n for n in map(lengths.__getitem__, block_ids) if n] if lengths else ()
        postwriter._minlength = min(known) if known else None
        postwriter._maxlength = max(known) if known else 0
        postwriter._write_block(last=end == total)


class _Assembly:
    """The segment being written: rows of runs in document order, then every encoded term."""

    def __init__(self, writer):
        codec = writer.codec
        if (type(codec) is not W3Codec or (codec._blocklimit, codec._compression,
                                           codec._inlinelimit) != (128, 3, 1)):
            raise NotImplementedError("the bulk build writes Whoosh's default W3 codec only")
        self.writer = writer
        self.count = 0
        self.lengths: dict[str, list] = {}
        self.terms: dict[str, list[Encoded]] = {}
        self.encode_cpu = 0.0
        self.built = Built(0, {f: {} for f in FACET_FIELDS}, [], {}, SpellingCounter())

    def add(self, chunk: Chunk) -> None:
        """A run's rows, which must be the next documents."""
        if chunk.first != self.count:
            raise ValueError(f"run starts at document {chunk.first}, expected {self.count}")
        schema = self.writer.schema
        perdoc = self.writer.perdocwriter
        lengths = self.lengths
        for docnum, row in enumerate(chunk.rows, chunk.first):
            perdoc.start_doc(docnum)
            for name, stored, length, column in row:
                fieldobj = schema[name]
                perdoc.add_field(name, fieldobj, stored, length)
                if column is not None:
                    perdoc.add_column_value(name, fieldobj.column_type, column)
                if length:
                    kept = lengths.setdefault(name, [])
                    kept.extend([None] * (docnum - len(kept)))
                    kept.append(byte_to_length(length_to_byte(length)))
            perdoc.finish_doc()
        self.count += len(chunk.rows)
        for kept in lengths.values():
            kept.extend([None] * (self.count - len(kept)))
        built = self.built
        built.participants.extend(chunk.participants)
        built.topic_names.update(chunk.topic_names)
        built.spelling.merge(chunk.spelling)
        for name, values in chunk.facets.items():
            for key, docnums in values.items():
                built.facets[name].setdefault(key, []).extend(docnums)

    def encoded(self, share: tuple[dict[str, list[Encoded]], float]) -> None:
        terms_by_field, cpu = share
        self.encode_cpu += cpu
        for name, terms in terms_by_field.items():
            self.terms.setdefault(name, []).extend(terms)

    def finish(self) -> Built:
        writer = self.writer
        writer.docnum = self.count
        writer._added = bool(self.count)
        terms = self.terms
        schema = writer.schema

        def flush() -> None:
            # In place of the writer's own flush: the per-document files, then each field's
            # terms in byte order, their blocks and term information.
            writer.perdocwriter.close()
            fieldwriter = writer.fieldwriter
            postfile, table = fieldwriter._postfile, fieldwriter._tindex
            for name in sorted(terms):
                fieldwriter.start_field(name, schema[name])
                prefix = pack_ushort(fieldwriter._fieldid)
                for btext, data, info in sorted(terms[name], key=_first):
                    info.set_extent(postfile.tell(), len(data))
                    postfile.write(data)
                    table.add(prefix + btext, info.to_bytes())
                fieldwriter.finish_field()
            fieldwriter.close()

        writer._flush_segment = flush
        self.built.count = self.count
        return self.built


def _first(item: tuple) -> bytes:
    return item[0]
