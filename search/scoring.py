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
from array import array

from whoosh import query as wq

from index import bitsets, postings

from . import deadline
from .lru import BoundedCache
from .matchset import MatchSets, near, near_ends

# Score arrays kept per index generation: a float per document per term or phrase.
BUDGET_BYTES = 64 * 1024 * 1024

Scores = list[float]


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


class TermScores:
    """Each term's scores for every document, read once per generation; shared by threads."""

    def __init__(self, size: int, budget: int = BUDGET_BYTES):
        self.size = size
        self._arrays = BoundedCache(max(8, budget // max(1, 4 * size)))
        self._norms: dict[str, list[float]] = {}  # field -> BM25's length part, per document

    def of(self, searcher, field: str, text: str) -> array | None:
        return self._arrays.get((field, text), lambda: self._read(searcher, field, text))

    def _read(self, searcher, field: str, text: str) -> array | None:
        weighting = searcher.weighting  # Whoosh's default BM25F: the index's searchers keep it
        docs, tfs = postings.weights(searcher.reader(), field, text)
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
        ends = near_ends(searcher.reader(), q.fieldname, list(q.words), q.slop, within)
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
            found = near(reader, phrase.fieldname, phrase.words, phrase.slop, wanted)
            if not found:
                continue
            arrays = [self.of(searcher, phrase.fieldname, word) for word in phrase.words]
            for docnum in found:
                score = sum(scores[docnum] for scores in arrays if scores is not None)
                bonus[docnum] = bonus.get(docnum, 0.0) + score * phrase.boost
        return bonus
