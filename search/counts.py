"""Evidence counts in a search: the order by participants, and count comparisons (participants:,
studies:) that an index built before evidence was read cannot answer."""

from __future__ import annotations

from whoosh import query as wq

from index import bitsets


def by_participants(participants: tuple[int | None, ...], shown: int, limit: int
                    ) -> list[tuple[int, float | None]]:
    """The first `limit` shown documents, most participants first; entries stating no number
    after them; ties in index order (newest first)."""
    docs = sorted(bitsets.to_docnums(shown))
    known = [d for d in docs if d < len(participants) and participants[d] is not None]
    known.sort(key=lambda d: -participants[d])  # stable: ties stay newest first
    unknown = [d for d in docs if d >= len(participants) or participants[d] is None]
    return [(d, None) for d in (known + unknown)[:limit]]


def known_fields(query: wq.Query | None, schema) -> wq.Query | None:
    """The query with comparisons on fields this index lacks (participants:, studies: in an
    older generation) made to match nothing, instead of failing."""
    if query is None:
        return None

    def fix(q: wq.Query) -> wq.Query:
        return wq.NullQuery if isinstance(q, wq.NumericRange) and q.fieldname not in schema else q

    return query.accept(fix)
