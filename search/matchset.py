"""Which documents a query matches, as a bitset, without scoring: the set facet counts need.

Term postings are turned into bitsets once per index generation (a bounded cache) and combined
with integer AND / OR; what bit logic cannot answer (phrases) is checked against the word
positions of just the documents holding all the words, and kept the same way. These are caches of
index data, like the index itself per generation: every answer is still computed in full.
"""

from __future__ import annotations

from bisect import bisect_left

from whoosh import query as wq

from index import bitsets, postings

from . import deadline
from .lru import BoundedCache

_CACHE_TERMS = 4096
_CACHE_PHRASES = 1024
# Phrases whose ends (near_ends) are kept from making their bitset for scoring them next.
_CACHE_ENDS = 32


def near(reader, field: str, words: list[str], slop: int, within: int, cache=None,
         recent: postings.Recent | None = None) -> list[int]:
    """The documents of the bitset `within` holding the words in order, each one to `slop`
    positions after the one before: Whoosh's Phrase (a SpanNear2, ordered, mindist 1).
    `cache`, `recent`: see postings.positions."""
    return sorted(near_ends(reader, field, words, slop, within, cache, recent))


def near_ends(reader, field: str, words: list[str], slop: int, within: int, cache=None,
              recent: postings.Recent | None = None) -> dict[int, list[int]]:
    """For each document of `near`, where each occurrence of the phrase ends: how often it
    stands there, for scoring the phrase by its own frequency."""
    if not within or not words:
        return {}
    # Per document, where a run of the words so far can end.
    ends = postings.positions(reader, field, words[0], within, cache, recent)
    for word in words[1:]:
        deadline.check()
        found = postings.positions(reader, field, word, bitsets.from_docnums(ends, _size(ends)),
                                   cache, recent)
        following: dict[int, list[int]] = {}
        for n, (docnum, before) in enumerate(ends.items()):
            if n % 512 == 511:
                deadline.check()
            after = found.get(docnum)
            if not after:
                continue
            if slop == 1:
                previous = set(before)
                hits = [p for p in after if p - 1 in previous]
            else:
                hits = [p for p in after
                        if (i := bisect_left(before, p - slop)) < len(before) and before[i] < p]
            if hits:
                following[docnum] = hits
        ends = following
        if not ends:
            break
    return ends


def _size(docnums) -> int:
    return max(docnums, default=-1) + 1


class MatchSets:
    """Bitsets of matching documents for one opened index generation; shared by threads."""

    def __init__(self, size: int, recent: postings.Recent | None = None):
        self.size = size
        # Posting lists just read, shared with TermScores: one decode for bitset and scores.
        self.recent = recent if recent is not None else postings.Recent()
        self.full = bitsets.full(size)
        self._terms = BoundedCache(_CACHE_TERMS)
        self._phrases = BoundedCache(_CACHE_PHRASES)
        self._ends = BoundedCache(_CACHE_ENDS)

    def term(self, reader, field: str, text: str) -> int:
        return self._terms.get((field, text), lambda: bitsets.from_docnums(
            postings.docnums(reader, field, text, self.recent), self.size))

    def phrase(self, searcher, q: wq.Phrase) -> int:
        """A phrase's documents: those holding all its words, checked for their positions,
        once per generation (synonym expansions repeat the same phrases)."""

        key = (q.fieldname, " ".join(q.words), q.slop)

        def check() -> int:
            reader = searcher.reader()
            within = self.full
            for word in q.words:
                within &= self.term(reader, q.fieldname, word)
            ends = near_ends(reader, q.fieldname, q.words, q.slop, within, recent=self.recent)
            self._ends.get(key, lambda: ends)
            return bitsets.from_docnums(ends, self.size)

        return self._phrases.get(key, check)

    def phrase_ends(self, searcher, q: wq.Phrase) -> dict[int, list[int]]:
        """`near_ends` of the phrase's documents (read-only): kept a while from making its
        bitset, as scoring it comes next (a cold phrase query at 10k: 2 reads -> 1)."""
        key = (q.fieldname, " ".join(q.words), q.slop)
        within = self.phrase(searcher, q)
        return self._ends.get(key, lambda: near_ends(
            searcher.reader(), q.fieldname, list(q.words), q.slop, within, recent=self.recent))

    def of(self, searcher, q: wq.Query) -> int:
        """The documents `q` matches."""
        deadline.check()
        reader = searcher.reader()
        if isinstance(q, wq.Every):
            return self.full
        if isinstance(q, wq.Term):
            return self.term(reader, q.fieldname, q.text)
        if isinstance(q, wq.And):
            bits = self.full
            for sub in q.subqueries:
                if isinstance(sub, wq.Not):
                    bits &= ~self.of(searcher, sub.query)
                else:
                    bits &= self.of(searcher, sub)
                if not bits:
                    break
            return bits
        if isinstance(q, wq.Or):
            bits = 0
            for sub in q.subqueries:
                bits |= self.of(searcher, sub)
            return bits
        if isinstance(q, wq.Not):
            return self.full & ~self.of(searcher, q.query)
        if isinstance(q, wq.Phrase):
            return self.phrase(searcher, q)
        if (isinstance(q, wq.TermRange) and q.fieldname == "year" and q.start and q.end
                and q.start.isdigit() and q.end.isdigit() and q.startexcl is False
                and q.endexcl is False):
            # A year range is its years' bitsets (cached), not a walk of Whoosh's matchers.
            bits = 0
            for year in range(int(q.start), int(q.end) + 1):
                bits |= self.term(reader, "year", str(year))
            return bits
        if q is wq.NullQuery:
            return 0
        return bitsets.from_docnums(searcher.docs_for_query(q), self.size)
