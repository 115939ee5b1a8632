"""Ranking by relevance from per-term score arrays cached per index generation.

Whoosh's own top-k search walks the query's matchers in Python, intersecting and scoring every
match: most of an answer's time at 10,000 entries. Here each term's BM25F scores for all its
documents are read from its postings once (then kept, within a memory budget), and an answer
sums, for just the documents already known to match (the match bitset), the scores of the
query's terms: the same sum Whoosh computes for And and Or of terms. A phrase is scored by its
words. Queries with other parts (ranges, coordination bonuses) go through Whoosh as before.
"""

from __future__ import annotations

import heapq
from array import array

from whoosh import query as wq
from whoosh.scoring import BM25F

from index import bitsets, postings

from . import deadline
from .lru import BoundedCache
from .matchset import near

# Score arrays kept per index generation: a float per document per term.
BUDGET_BYTES = 64 * 1024 * 1024

Leaf = tuple[str, str, float]  # field, term, boost


def leaves(q: wq.Query, boost: float = 1.0) -> list[Leaf] | None:
    """The scored terms of a query made of terms, And, Or and Not; None for anything else."""
    boost *= q.boost
    if isinstance(q, wq.Term):
        return [(q.fieldname, q.text, boost)]
    if isinstance(q, wq.Phrase):
        # The phrase itself is a condition the match set already holds; its words' mean score
        # stands for it, as one term would (Whoosh scores the phrase's own frequency).
        return [(q.fieldname, word, boost / len(q.words)) for word in q.words]
    if isinstance(q, wq.Every):
        return []
    if isinstance(q, wq.Not):
        return []  # excluded documents are already out of the match set; no score
    if isinstance(q, wq.Or) and q.scale is not None:
        return None
    if isinstance(q, (wq.And, wq.Or)):
        out: list[Leaf] = []
        for sub in q.subqueries:
            found = leaves(sub, boost)
            if found is None:
                return None
            out.extend(found)
        return out
    return None


class TermScores:
    """Each term's scores for every document, read once per generation; shared by threads."""

    def __init__(self, size: int, budget: int = BUDGET_BYTES):
        self.size = size
        self._arrays = BoundedCache(max(8, budget // max(1, 4 * size)))
        self._norms: dict[str, list[float]] = {}  # field -> BM25's length part, per document

    def of(self, searcher, field: str, text: str) -> array | None:
        return self._arrays.get((field, text), lambda: self._read(searcher, field, text))

    def _read(self, searcher, field: str, text: str) -> array | None:
        weighting = searcher.weighting
        if type(weighting) is not BM25F or not searcher.schema[field].scorable:
            return self._read_matcher(searcher, field, text)
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

    def _read_matcher(self, searcher, field: str, text: str) -> array | None:
        """Scores of any other weighting, through its own scorer."""
        if (field, text) not in searcher.reader():
            return None
        scores = array("f", bytes(4 * self.size))
        matcher = searcher.postings(field, text)
        while matcher.is_active():
            scores[matcher.id()] = matcher.score()
            matcher.next()
        return scores

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

    def top(self, searcher, terms: list[Leaf], shown: int, k: int) -> list[tuple[int, float]]:
        """The k best (docnum, score) among the documents in `shown`."""
        weighted = []
        for field, text, boost in terms:
            deadline.check()
            if (scores := self.of(searcher, field, text)) is not None:
                weighted.append((scores, boost))
        docs = list(bitsets.to_docnums(shown))
        totals = [0.0] * len(docs)
        for scores, boost in weighted:  # term by term, adding in the order sum() would
            deadline.check()
            totals = [total + scores[d] * boost for total, d in zip(totals, docs)]
        return heapq.nsmallest(k, zip(docs, totals), key=lambda pair: (-pair[1], pair[0]))
