"""One index segment written in bulk: Whoosh's own files, without its writer's per-posting work.

Whoosh's writer turns every posting into a tuple, sorts them all (spilling runs to disk past its
memory limit), then feeds them one call at a time to its codec, reading each posting's field
length back from disk. A whole-archive build adds documents in order, so each term's postings
come in document order already. Here the work is split by field, each part a pure function:

- `text_field`: one text field of every entry analysed in one pass, its postings gathered per
  term, then written a block of 128 at a time by Whoosh's own postings writer (the costliest
  part: the long text fields go to worker processes, a few fields each);
- `read`: each entry's evidence, and its words as typed counted (workers' jobs too, a run of
  entries each);
- `documents`: the rest, in the caller's process: each entry's Whoosh document (evidence read
  from the summary), the small fields' postings and the facets.

`build` writes the per-document files, then every field's terms in order. The files are the
ones Whoosh's writer makes, byte for byte (tests/test_segment.py builds both ways and compares),
so every reader of the index is unchanged.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import time
from array import array
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Callable, Sequence

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3TermInfo, _lenfield
from whoosh.filedb.structfile import StructFile
from whoosh.formats import Positions
from whoosh.system import pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from crawler.evidence import Evidence, extract
from crawler.records import Entry

from .analysis import ClinicalTokenizer, term_positions
from .errors import IndexBuildFailed
from .schema import build_schema, document, spelling_words
from .spelling import SpellingCounter

# Facet fields whose values' documents the build keeps as bitsets (index/store.py).
FACET_FIELDS = ("topics", "research_type", "year", "design", "participants_band")
# Below this many entries a build works in its own process unless told otherwise: starting
# others costs more than they gain.
PARALLEL_FROM = 2000

# A term's postings: document numbers, weights, encoded values (Whoosh's posting parts).
Postings = tuple[array, array, list]
# An encoded term: its text as bytes, its blocks as written, and its term information (whose
# place in the postings file is set when the blocks are written there).
Encoded = tuple[bytes, bytes, W3TermInfo]


@dataclass
class Field:
    """One indexed field, done: its terms encoded in order, and its length per document."""

    name: str
    terms: list[Encoded]
    lengths: array  # number of terms per document (0: none)
    cpu: float = 0.0  # seconds of CPU it took, in whichever process did it


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
    processes: int = 1  # processes that did the work: the caller's, or its workers too


def one_pass_fields(schema) -> list[str]:
    """The text fields analysed in one pass (`term_positions`): stored as Whoosh's Positions
    format by the clinical analyzer, as every searched text field is."""
    return [name for name in sorted(schema.names())
            if schema[name].indexed and type(schema[name].format) is Positions
            and type(schema[name].analyzer) is ClinicalTokenizer and schema[name].scorable]


def build(writer, entries: Sequence[Entry], processes: int | None = None,
          progress: Callable[[int], None] | None = None,
          parallel_from: int = PARALLEL_FROM) -> Built:
    """Every entry into the open Whoosh segment writer (which the caller commits), numbered in
    order. Worker processes (`processes` of them, none for 0; by default one per CPU this
    process may use, when it may use several and there are enough entries to gain) read the
    evidence and count the spelling, then do the text fields, while this one makes the
    documents and writes the per-document files."""
    _check_codec(writer.codec)
    schema = writer.schema
    if processes is None:  # automatic: workers where they gain
        cpus = len(os.sched_getaffinity(0))
        processes = cpus if cpus > 1 and len(entries) >= parallel_from else 0
    texts = one_pass_fields(schema)
    if processes < 1:
        built, rows, fields = documents(entries, set(texts), progress)
        built.spelling = spelling(entries)
        _write_rows(writer, rows, fields)
        done = [text_field(name, [_text(e, name) for e in entries]) for name in texts]
        _write_lengths(writer, done)
        return _write(writer, built, fields + done)
    groups = _groups(texts, entries, max(2, processes))
    # Fresh processes (not forks of this one, which may hold threads and their locks).
    context = multiprocessing.get_context("forkserver")
    try:
        with ProcessPoolExecutor(processes, mp_context=context) as pool:
            # What this process waits for first: the entries' evidence, a share per worker.
            share = -(-len(entries) // processes)
            readings = [pool.submit(read, entries[first:first + share])
                        for first in range(0, len(entries), share)]
            jobs = [pool.submit(text_fields, group, [[_text(e, name) for e in entries]
                                                     for name in group])
                    for group in groups]
            found = [job.result() for job in readings]
            evidence = [one for part in found for one in part.evidence]
            built, rows, fields = documents(entries, set(texts), progress, evidence)
            for part in found:
                built.spelling.merge(part.spelling)
                built.worker_cpu += part.cpu
            # The documents' rows written while the workers do the text fields.
            _write_rows(writer, rows, fields)
            done = [field for job in jobs for field in job.result()]
    except BrokenProcessPool as exc:
        raise IndexBuildFailed(
            "A process building the index stopped unexpectedly (out of memory?); the previous "
            "index still serves. Try again, or with fewer build processes."
        ) from exc
    _write_lengths(writer, done)
    built.worker_cpu += sum(f.cpu for f in done)
    built.processes = processes + 1
    return _write(writer, built, fields + done)


def _text(entry: Entry, name: str) -> str:
    """A text field's value as `document` gives it: the entry's attribute of that name."""
    return getattr(entry, name)


def _groups(texts: list[str], entries: Sequence[Entry], jobs: int) -> list[list[str]]:
    """The text fields shared out between at most `jobs` jobs, longest first to the least
    loaded: the summary alone, the rest together."""
    workers = max(1, min(jobs, len(texts)))
    sample = entries[:200]
    size = {name: sum(len(_text(e, name)) for e in sample) for name in texts}
    groups: list[list[str]] = [[] for _ in range(workers)]
    load = [0] * workers
    for name in sorted(texts, key=lambda n: -size[n]):
        least = load.index(min(load))
        groups[least].append(name)
        load[least] += size[name]
    return [group for group in groups if group]


@dataclass
class Reading:
    """What is read from each of a run of entries besides its index terms."""

    evidence: list[Evidence]
    spelling: SpellingCounter
    cpu: float = 0.0


def read(entries: Sequence[Entry]) -> Reading:
    """Each entry's evidence, and its words as typed counted (a worker process's job)."""
    started = time.process_time()
    found = Reading([extract(entry) for entry in entries], spelling(entries))
    found.cpu = time.process_time() - started
    return found


def spelling(entries: Sequence[Entry]) -> SpellingCounter:
    """The entries' words as typed, counted."""
    counter = SpellingCounter()
    for entry in entries:
        counter.add(spelling_words(entry))
    return counter


def text_fields(names: list[str], columns: list[list[str]]) -> list[Field]:
    """Several text fields, each from every document's value (a worker process's job)."""
    return [text_field(name, values) for name, values in zip(names, columns)]


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


def text_field(name: str, values: Sequence[str]) -> Field:
    """One text field of every document (numbered from 0), analysed in one pass and encoded."""
    started = time.process_time()
    fieldobj = build_schema()[name]
    boost = fieldobj.format.field_boost
    stemming = fieldobj.analyzer.stemming
    terms: dict[str, Postings] = {}
    lengths = array("I")
    for docnum, value in enumerate(values):
        length = 0
        for term, positions in term_positions(value, stemming).items():
            n = len(positions)
            length += n
            slot = terms.get(term)
            if slot is None:
                slot = terms[term] = (array("I"), array("f"), [])
            slot[0].append(docnum)
            slot[1].append(float(n) * boost)
            slot[2].append(_encode_positions(positions))
        lengths.append(length)
    encoded = encode(fieldobj, terms, lengths)
    return Field(name, encoded, lengths, time.process_time() - started)


def documents(entries: Sequence[Entry], skip: set[str],
              progress: Callable[[int], None] | None = None,
              evidence: Sequence[Evidence] | None = None,
              ) -> tuple[Built, list[list[tuple]], list[Field]]:
    """Each entry's Whoosh document (with its evidence, read here unless given): its facets,
    its row for the per-document files ((field, stored value, column value) in Whoosh's
    order), and the indexed fields other than `skip` done."""
    schema = build_schema()
    built = Built(len(entries), {f: {} for f in FACET_FIELDS}, [], {}, SpellingCounter())
    plan = []
    postings: dict[str, dict[bytes, Postings]] = {}
    lengths: dict[str, array] = {}
    for name in sorted(schema.names()):
        fieldobj = schema[name]
        if fieldobj.vector or fieldobj.separate_spelling():
            raise NotImplementedError(f"field {name}: vectors and spelling fields are not built")
        indexed = fieldobj.indexed and name not in skip
        plan.append((name, fieldobj, indexed))
        if indexed:
            postings[name] = {}
            lengths[name] = array("I")
    rows = []
    facets = built.facets
    for docnum, entry in enumerate(entries):
        doc = document(entry, evidence[docnum] if evidence is not None else None)
        built.participants.append(doc.get("participants"))
        built.topic_names.update(zip(doc["topics"].split(), entry.topics))
        for name in FACET_FIELDS:
            keys = doc[name].split() if name == "topics" else [doc.get(name, "")]
            for key in keys:
                if key:
                    facets[name].setdefault(key, []).append(docnum)
        row = []
        for name, fieldobj, indexed in plan:
            value = doc.get(name)
            if value is None:
                if indexed:
                    lengths[name].append(0)
                continue
            length = 0
            if indexed:
                terms = postings[name]
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
                lengths[name].append(length)
            stored = value if fieldobj.stored else None
            column = fieldobj.to_column_value(value) if fieldobj.column_type else None
            row.append((name, stored, column))
        rows.append(row)
        if progress and (docnum + 1) % 50 == 0:
            progress(docnum + 1)
    fields = [Field(name, encode(schema[name], postings[name], lengths[name]), lengths[name])
              for name in postings]
    return built, rows, fields


def encode(fieldobj, terms: dict, lengths: array) -> list[Encoded]:
    """A field's terms in byte order, each term's postings written as Whoosh's postings writer
    writes them, a block of 128 at a time, into a buffer of the field's own."""
    kept = [byte_to_length(length_to_byte(n)) if n else None for n in lengths]
    fmt = fieldobj.format
    buffer = io.BytesIO()
    postwriter = W3Codec().postings_writer(StructFile(buffer))
    places = []
    for term in sorted(terms):
        ids, weights, values = terms[term]
        if values and len(values) != len(ids):
            raise ValueError(f"{term!r}: postings with and without values")
        start = buffer.tell()
        postwriter.start_postings(fmt, W3TermInfo())
        _blocks(postwriter, ids, weights, values, kept)
        info = postwriter.finish_postings()
        places.append((term.encode("utf-8") if type(term) is str else term, start,
                       buffer.tell(), info))
    written = buffer.getvalue()
    return [(btext, written[start:end], info) for btext, start, end, info in places]


def _blocks(postwriter, ids: array, weights: array, values: list, lengths: list) -> None:
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
        known = [n for n in map(lengths.__getitem__, block_ids) if n]
        postwriter._minlength = min(known) if known else None
        postwriter._maxlength = max(known) if known else 0
        postwriter._write_block(last=end == total)


def _check_codec(codec) -> None:
    if (type(codec) is not W3Codec
            or (codec._blocklimit, codec._compression, codec._inlinelimit) != (128, 3, 1)):
        raise NotImplementedError("the bulk build writes Whoosh's default W3 codec only")


def _write_rows(writer, rows: list[list[tuple]], fields: list[Field]) -> None:
    """Each document's stored fields, columns and the lengths of `fields` into the per-document
    files; the other fields' lengths are added by `_write_lengths` when they are known."""
    schema = writer.schema
    perdoc = writer.perdocwriter
    lengths = {f.name: f.lengths for f in fields}
    for docnum, row in enumerate(rows):
        perdoc.start_doc(docnum)
        for name, stored, column in row:
            fieldobj = schema[name]
            found = lengths.get(name)
            perdoc.add_field(name, fieldobj, stored, found[docnum] if found else 0)
            if column is not None:
                perdoc.add_column_value(name, fieldobj.column_type, column)
        perdoc.finish_doc()


def _write_lengths(writer, fields: list[Field]) -> None:
    """The length column and total length of each of `fields`, written after the documents'
    rows: what add_field would have added document by document."""
    perdoc = writer.perdocwriter
    for done in fields:
        lengths = [(docnum, n) for docnum, n in enumerate(done.lengths) if n]
        if not lengths:
            continue
        name = _lenfield(done.name)
        if not perdoc._has_column(name):
            perdoc._create_column(name, LENGTHS_COLUMN)
        column = perdoc._get_column(name)
        for docnum, n in lengths:
            column.add(docnum, length_to_byte(n))
        perdoc._fieldlengths[done.name] += sum(n for _, n in lengths)


def _write(writer, built: Built, fields: list[Field]) -> Built:
    """The postings, when the writer commits. The segment's total lengths per field are put in
    the order add_field would have met them (document by document, fields by name): it is
    saved with the segment."""
    schema = writer.schema
    totals = writer.perdocwriter._fieldlengths
    first = {f.name: next((d for d, n in enumerate(f.lengths) if n), None) for f in fields}
    order = sorted((name for name in totals), key=lambda name: (first.get(name) or 0, name))
    reordered = {name: totals[name] for name in order}
    totals.clear()
    totals.update(reordered)
    writer.docnum = built.count
    writer._added = bool(built.count)
    ordered = sorted((f for f in fields if f.terms), key=lambda f: f.name)

    def flush() -> None:
        # In place of the writer's own flush: the per-document files, then each field's
        # terms in byte order, their blocks and term information.
        writer.perdocwriter.close()
        fieldwriter = writer.fieldwriter
        postfile, table = fieldwriter._postfile, fieldwriter._tindex
        for done in ordered:
            fieldwriter.start_field(done.name, schema[done.name])
            prefix = pack_ushort(fieldwriter._fieldid)
            for btext, data, info in done.terms:
                info.set_extent(postfile.tell(), len(data))
                postfile.write(data)
                table.add(prefix + btext, info.to_bytes())
            fieldwriter.finish_field()
        fieldwriter.close()

    writer._flush_segment = flush
    return built
