"""Ranking by relevance, one way for every shape of query, from score arrays cached per index
generation.

Each term's BM25F scores for all its documents are read from its postings once (then kept,
within a memory budget), and so are each phrase's, scored by the phrase's own frequency with
the same BM25F. An answer's scores are computed for just the documents known to match (the
match bitset): a term or a phrase adds its score where it occurs, And and Or add up their
parts (an And nested in an Or only where all its parts hold), and conditions that select
without describing the text (NOT, year ranges, facet filters) add nothing. Parts are added in
a fixed order, so re-ordering OR branches or adding a filter that excludes nothing leaves every
score, and so the order of hits, exactly as it was.
"""

from __future__ import annotations

import heapq
import math
import threading
from collections import OrderedDict
from array import array
from itertools import compress

from whoosh import query as wq

from index import bitsets, postings

from . import deadline
from .lru import BoundedCache
from .matchset import MatchSets, near

# Score arrays kept per index generation: a float per document per term or phrase.
BUDGET_BYTES = 64 * 1024 * 1024

Scores = list[float]
# (field, term, document) -> positions kept per generation for the proximity pass.
POSITIONS_KEPT = 200_000


class _PositionCache:
    """A bounded dict for postings.positions (get / set); oldest out first; thread-safe enough
    for a cache (a lost entry is read again)."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        return self._items.get(key)

    def __setitem__(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)  # O(1), where a dict's first key is not


def relevance(searcher, matches: MatchSets, scores: "TermScores", q: wq.Query,
              docs: list[int]) -> Scores:
    """Each of `docs`' score for `q` (the documents all match `q`)."""
    return _score(searcher, matches, scores, q, docs, 1.0, top=True) or [0.0] * len(docs)


def _score(searcher, matches, scores, q, docs, boost: float, top: bool = False) -> Scores | None:
    deadline.check()
    boost *= q.boost
    if isinstance(q, wq.Term):
        found = scores.of(searcher, q.fieldname, q.text)
    elif isinstance(q, wq.Phrase):
        found = scores.phrase(searcher, matches, q)
    elif isinstance(q, (wq.And, wq.Or)):
        parts = [part for sub in sorted(q.subqueries, key=repr)
                 if (part := _score(searcher, matches, scores, sub, docs, boost)) is not None]
        if not parts:
            return None
        total = parts[0]
        for part in parts[1:]:
            total = [a + b for a, b in zip(total, part)]
        if isinstance(q, wq.And) and not top:
            bits = matches.of(searcher, q)
            total = [t if bits >> d & 1 else 0.0 for t, d in zip(total, docs)]
        return total
    else:
        return None  # NOT, Every, ranges: conditions on which entries, not on how well
    if found is None:
        return None
    return [found[d] * boost for d in docs]


def top(docs: list[int], totals: Scores, k: int) -> list[tuple[int, float]]:
    """The k best (docnum, score), ties by document number (the index's order)."""
    return heapq.nsmallest(k, zip(docs, totals), key=lambda pair: (-pair[1], pair[0]))


# The top-k cut gives up (and scores every match) once it has walked this share of the matches.
_CUT_GIVE_UP = 0.5
# Relative slack on the bound for what the cut has not seen: sums in another order, and a
# unit's bounds kept as 32-bit floats (rounded by at most 6e-8), are never off by this much.
_SLACK = 1e-6


def best(searcher, matches: MatchSets, scores: "TermScores", q: wq.Query, shown: int,
         k: int) -> list[tuple[int, float]]:
    """`top(docs, relevance(..., docs), k)` for the documents of the bitset `shown`, without
    scoring every one of them when the best k can be proven from a few.

    A threshold algorithm over the cached score arrays. The query's units (the parts of its
    top And or Or; a word with its fields and synonyms is one unit) each have an upper bound
    per document: a scored part's array (term or phrase, with its boost), or for a unit of
    several parts their sum (an And nested in an Or only ever scores less), kept per
    generation; and each unit's documents in order of decreasing bound. Walking all those
    lists to a depth, every document seen that is in `shown` is scored exactly, by `relevance`
    itself (same parts, same order, same floats); a document not seen yet scores at most the
    sum, over the units, of the bound at each list's depth. When the k-th best exact score
    seen is above that bound, no unseen document can enter the top k, ties included;
    otherwise the walk goes deeper, and past half the matches it scores them all instead.
    """
    size = shown.bit_count()
    lists = _lists(searcher, matches, scores, q) if size > 4 * k else None
    if not lists:
        docs = list(bitsets.to_docnums(shown))
        return top(docs, relevance(searcher, matches, scores, q, docs), k)
    member = shown.to_bytes((shown.bit_length() + 7) // 8 or 1, "little")
    limit = len(member) * 8
    seen: set[int] = set()
    candidates: list[int] = []
    done = [0] * len(lists)
    depth = 2 * k
    while True:
        deadline.check()
        for i, (_, order) in enumerate(lists):
            for d in order[done[i]:depth]:
                if d not in seen:
                    seen.add(d)
                    if d < limit and member[d >> 3] >> (d & 7) & 1:
                        candidates.append(d)
            done[i] = min(depth, len(order))
        bound = 0.0
        for i, (found, order) in enumerate(lists):
            if done[i] < len(order):
                bound += found[order[done[i]]]
        if len(candidates) >= k:
            ranked = top(candidates, relevance(searcher, matches, scores, q, candidates), k)
            if ranked[-1][1] > bound * (1 + _SLACK):
                return ranked
        if len(seen) >= size * _CUT_GIVE_UP or all(
                done[i] >= len(order) for i, (_, order) in enumerate(lists)):
            docs = list(bitsets.to_docnums(shown))
            return top(docs, relevance(searcher, matches, scores, q, docs), k)
        depth *= 4


def _lists(searcher, matches, scores, q) -> list[tuple[array, array]] | None:
    """(upper bound per document, documents by decreasing bound) for each unit of `q`; None
    when the cut cannot bound it (a negative boost) or nothing in it is scored."""
    # A word (its fields, its synonyms) is one unit: the parts of an And, or of an Or of
    # groups ("alliance OR empathy"); a lone word's Or of fields is a unit of its own.
    if isinstance(q, wq.And) or (isinstance(q, wq.Or) and any(
            isinstance(sub, (wq.And, wq.Or)) for sub in q.subqueries)):
        units = list(q.subqueries)
    else:
        units = [q]
    out = []
    for unit in units:
        parts = _parts(searcher, matches, scores, unit, q.boost if unit is not q else 1.0)
        if parts is None:
            return None
        if len(parts) == 1 and parts[0][2] == 1.0:
            key, found, _ = parts[0]
            out.append((found, scores.order(key, found)))
        elif parts:
            key = ("unit", repr(unit), q.boost)
            found = scores.bound(key, parts)
            out.append((found, scores.order(key, found)))
    return out or None


def _parts(searcher, matches, scores, q, boost: float) -> list | None:
    """The scored parts of `q` as (cache key, score array, boost), as `_score` adds them up;
    None when a boost is negative (the bound would not hold)."""
    boost *= q.boost
    if boost < 0:
        return None
    if isinstance(q, wq.Term):
        found = scores.of(searcher, q.fieldname, q.text)
        return [((q.fieldname, q.text), found, boost)] if found is not None else []
    if isinstance(q, wq.Phrase):
        found = scores.phrase(searcher, matches, q)
        key = (q.fieldname, tuple(q.words), q.slop)
        return [(key, found, boost)] if found is not None else []
    if isinstance(q, (wq.And, wq.Or)):
        out = []
        for sub in q.subqueries:
            part = _parts(searcher, matches, scores, sub, boost)
            if part is None:
                return None
            out.extend(part)
        return out
    return []


class TermScores:
    """Each term's scores for every document, read once per generation; shared by threads."""

    def __init__(self, size: int, budget: int = BUDGET_BYTES,
                 recent: postings.Recent | None = None):
        self.size = size
        # Posting lists just read, shared with MatchSets: one decode for bitset and scores.
        self.recent = recent if recent is not None else postings.Recent()
        self._arrays = BoundedCache(max(8, budget // max(1, 4 * size)))
        # Each array's documents by decreasing score (those scoring above 0), for the top-k cut.
        self._orders = BoundedCache(max(8, budget // max(1, 4 * size)))
        self._norms: dict[str, list[float]] = {}  # field -> BM25's length part, per document
        # A term's positions in one document, for the proximity pass over the best hits.
        self._positions = _PositionCache(POSITIONS_KEPT)

    def of(self, searcher, field: str, text: str) -> array | None:
        return self._arrays.get((field, text), lambda: self._read(searcher, field, text))

    def order(self, key, found: array) -> array:
        """The documents of a score array (`of` or `phrase`, cached under `key`) scoring above
        0, best first."""
        return self._orders.get(key, lambda: array("i", sorted(
            compress(range(len(found)), found), key=found.__getitem__, reverse=True)))

    def bound(self, key, parts) -> array:
        """The sum of scored parts ((key, array, boost), see `_parts`) per document: an upper
        bound of what the unit they make up scores (up to rounding: the cut allows slack)."""

        def make() -> array:
            total = [0.0] * self.size
            for _, found, boost in parts:
                # Each document's parts add up in the parts' order whichever order the
                # documents come in: not by `order`, which sorted every part (cold 10k
                # "therapy outcome depression": 12 sorts, ~12 ms).
                for d in compress(range(len(found)), found):
                    total[d] += found[d] * boost
            return array("f", total)  # 4 bytes a document, as the score arrays the cache counts

        return self._arrays.get(key, make)

    def _read(self, searcher, field: str, text: str) -> array | None:
        weighting = searcher.weighting  # Whoosh's default BM25F: the index's searchers keep it
        docs, tfs = postings.weights(searcher.reader(), field, text, self.recent)
        if not docs:
            return None
        # Whoosh's bm25(), term by term in the same order, so the floats are the same.
        idf = searcher.idf(field, text)
        k1 = weighting.K1
        norm = self._norm(searcher, field)
        scores = array("f", bytes(4 * self.size))
        for docnum, tf in zip(docs, tfs):
            scores[docnum] = idf * ((tf * (k1 + 1)) / (tf + norm[docnum]))
        return scores

    def phrase(self, searcher, matches: MatchSets, q: wq.Phrase) -> array | None:
        """The phrase's BM25F scores by its own frequency in each document that holds it."""
        key = (q.fieldname, tuple(q.words), q.slop)
        return self._arrays.get(key, lambda: self._read_phrase(searcher, matches, q))

    def _read_phrase(self, searcher, matches: MatchSets, q: wq.Phrase) -> array | None:
        within = matches.phrase(searcher, q)
        if not within:
            return None
        ends = matches.phrase_ends(searcher, q)
        # Whoosh's idf and bm25() with the phrase's document frequency and occurrences.
        idf = math.log(searcher.doc_count_all() / (len(ends) + 1)) + 1
        k1 = searcher.weighting.K1
        norm = self._norm(searcher, q.fieldname)
        scores = array("f", bytes(4 * self.size))
        for docnum, where in ends.items():
            tf = len(where)
            scores[docnum] = idf * ((tf * (k1 + 1)) / (tf + norm[docnum]))
        return scores

    def _norm(self, searcher, field: str) -> list[float]:
        """K1 * ((1 - B) + B * length / average length) for each document."""
        norm = self._norms.get(field)
        if norm is None:
            weighting = searcher.weighting
            b = weighting._field_B.get(field, weighting.B)
            k1 = weighting.K1
            avgfl = searcher.avg_field_length(field) or 1
            codes = postings.length_codes(searcher.reader(), field)
            if codes is not None:
                # Lengths are bytes: the same sum for each of 256, then looked up
                # (cold at 10k: 1.3 -> 0.3 ms a field).
                per_code = [k1 * ((1 - b) + b * fl / avgfl) for fl in postings.LENGTH_OF_CODE]
                norm = list(map(per_code.__getitem__, codes))
            else:
                norm = [k1 * ((1 - b) + b * fl / avgfl)
                        for fl in postings.field_lengths(searcher.reader(), field)]
            self._norms[field] = norm
        return norm

    def proximity(self, searcher, phrases: list[wq.Phrase], docnums) -> dict[int, float]:
        """Each phrase's score in the documents (of `docnums`) where its words stand close
        together: its boost times its words' scores, as Whoosh scores a matching Phrase."""
        reader = searcher.reader()
        wanted = bitsets.from_docnums(docnums, self.size)
        bonus: dict[int, float] = {}
        for phrase in phrases:
            deadline.check()
            found = near(reader, phrase.fieldname, phrase.words, phrase.slop, wanted,
                         self._positions, self.recent)
            if not found:
                continue
            arrays = [self.of(searcher, phrase.fieldname, word) for word in phrase.words]
            for docnum in found:
                score = sum(scores[docnum] for scores in arrays if scores is not None)
                bonus[docnum] = bonus.get(docnum, 0.0) + score * phrase.boost
        return bonus
