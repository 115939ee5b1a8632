"""Which documents a query matches, as a bitset, without scoring: the set facet counts need.

Term postings are turned into bitsets once per index generation (a bounded cache) and combined
with integer AND / OR; only what bit logic cannot answer (phrases, which need positions) goes
through Whoosh's own unscored walk, and its result is kept the same way. These are caches of
index data, like the index itself per generation: every answer is still computed in full.
"""

from __future__ import annotations

from whoosh import query as wq

from index import bitsets

from .lru import BoundedCache

_CACHE_TERMS = 4096
_CACHE_PHRASES = 1024


class MatchSets:
    """Bitsets of matching documents for one opened index generation; shared by threads."""

    def __init__(self, size: int):
        self.size = size
        self.full = bitsets.full(size)
        self._terms = BoundedCache(_CACHE_TERMS)
        self._phrases = BoundedCache(_CACHE_PHRASES)

    def term(self, reader, field: str, text: str) -> int:
        def read() -> int:
            if (field, text) not in reader:
                return 0
            return bitsets.from_docnums(reader.postings(field, text).all_ids(), self.size)

        return self._terms.get((field, text), read)

    def phrase(self, searcher, q: wq.Phrase) -> int:
        """A phrase's documents: those holding all its words, checked for their positions by
        Whoosh, once per generation (synonym expansions repeat the same phrases)."""

        def check() -> int:
            within = self.full
            for word in q.words:
                within &= self.term(searcher.reader(), q.fieldname, word)
            if not within:
                return 0
            return bitsets.from_docnums(searcher.docs_for_query(q), self.size) & within

        return self._phrases.get((q.fieldname, " ".join(q.words), q.slop), check)

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
