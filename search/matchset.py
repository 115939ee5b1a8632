"""Which documents a query matches, as a bitset, without scoring: the set facet counts need.

Term postings are turned into bitsets once per index generation (a bounded cache) and combined
with integer AND / OR; only what bit logic cannot answer (phrases, which need positions) goes
through Whoosh's own unscored walk, and its result is kept the same way. These are caches of
index data, like the index itself per generation: every answer is still computed in full.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from whoosh import query as wq

from index import bitsets

_CACHE_TERMS = 4096
_CACHE_PHRASES = 1024


class MatchSets:
    """Bitsets of matching documents for one opened index generation; shared by threads."""

    def __init__(self, size: int):
        self.size = size
        self.full = bitsets.full(size)
        self._terms: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._phrases: OrderedDict[tuple[str, str, int], int] = OrderedDict()
        self._lock = threading.Lock()

    def term(self, reader, field: str, text: str) -> int:
        key = (field, text)
        with self._lock:
            found = self._terms.get(key)
            if found is not None:
                self._terms.move_to_end(key)
                return found
        bits = 0
        if (field, text) in reader:
            bits = bitsets.from_docnums(reader.postings(field, text).all_ids(), self.size)
        with self._lock:
            self._terms[key] = bits
            while len(self._terms) > _CACHE_TERMS:
                self._terms.popitem(last=False)
        return bits

    def phrase(self, searcher, q: wq.Phrase) -> int:
        """A phrase's documents: those holding all its words, checked for their positions by
        Whoosh, once per generation (synonym expansions repeat the same phrases)."""
        key = (q.fieldname, " ".join(q.words), q.slop)
        with self._lock:
            found = self._phrases.get(key)
            if found is not None:
                self._phrases.move_to_end(key)
                return found
        within = self.full
        for word in q.words:
            within &= self.term(searcher.reader(), q.fieldname, word)
        bits = 0
        if within:
            bits = bitsets.from_docnums(searcher.docs_for_query(q), self.size) & within
        with self._lock:
            self._phrases[key] = bits
            while len(self._phrases) > _CACHE_PHRASES:
                self._phrases.popitem(last=False)
        return bits

    def of(self, searcher, q: wq.Query) -> int:
        """The documents `q` matches."""
        reader = searcher.reader()
        if isinstance(q, wq.Every):
            return self.full
        if isinstance(q, wq.Term):
            return self.term(reader, q.fieldname, q.text)
        if isinstance(q, wq.AndMaybe):
            return self.of(searcher, q.a)
        if isinstance(q, wq.AndNot):
            return self.of(searcher, q.a) & ~self.of(searcher, q.b)
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
        if q is wq.NullQuery:
            return 0
        return bitsets.from_docnums(searcher.docs_for_query(q), self.size)
