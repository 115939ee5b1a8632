"""What a query may cost: counted on the parsed query tree, before it is compiled or run.

An answer's work is reading posting lists and combining them, so a query is counted in the
postings it would read: each index term it searches, in each field it is searched in, by the
number of documents holding it. A plain word is searched in every text field and as each of
its synonyms' forms; a fielded word in its field; a phrase's words have their positions read
too (PHRASE_FACTOR); a year range reads each year it spans. Ranges, fields, phrases and
expansions add up to one figure, and repeats are collapsed first (the same word or range twice
narrows nothing more and costs nothing more). A query over the budget is refused with a message
(QueryTooCostly, 400) instead of keeping a worker busy for seconds; what is allowed is still
stopped by the request's deadline (search/deadline.py) if it runs long.
"""

from __future__ import annotations

from typing import Callable

from whoosh.analysis import STOP_WORDS

from index.analysis import terms
from index.schema import TEXT_FIELDS

from . import querylang as ql
from .errors import QueryTooCostly

# Postings one query may read, as a multiple of the archive's size (documents). At 10k: one
# word in nearly every entry reads about 2.3; the costliest query of the benchmark's mix (a
# phrase of common words beside another word) about 7; the README's "CBT OR IPT depression",
# whose abbreviations expand to phrases of common words, about 16. The budget keeps those and
# refuses what costs more. See bench/WORST.md for what it allows.
BUDGET_PER_DOCUMENT = 20.0
# Clauses (words but stop words, fielded words, phrases, ranges) one query may hold, and year
# ranges among them: a query holding many of them, with no entry holding them all, is scored
# as "most of the words" by Whoosh's own matchers, whose work grows with each clause.
MAX_CLAUSES = 16
MAX_RANGES = 2
# A word the index lacks is searched as the words one edit away, each with its synonyms, at a
# lower weight: alternatives that widen the matches, so that the most-words fallback (scored by
# Whoosh's own matchers) often follows. Their postings count this many times.
FUZZY_FACTOR = 3
# Below this many postings any query is cheap, whatever the archive's size.
MIN_BUDGET = 1000
# A phrase's (and a multi-word synonym's) words' positions are read in the documents holding
# them all, several per document for common words: several times a posting's cost.
PHRASE_FACTOR = 2
# A year range is evaluated by Whoosh's own matchers, scored: dearer per posting than a word.
RANGE_FACTOR = 4


def canonical(node: ql.Node | None) -> ql.Node | None:
    """The same query with repeats collapsed: duplicate children of AND and OR are dropped
    (compared case-blind for words), a one-child group is its child, NOT NOT x is x."""
    if node is None:
        return None
    if isinstance(node, (ql.And, ql.Or)):
        seen: dict[object, ql.Node] = {}
        for child in (canonical(c) for c in node.children):
            if child is not None:
                seen.setdefault(_key(child), child)
        children = tuple(seen.values())
        if not children:
            return None
        return children[0] if len(children) == 1 else type(node)(children)
    if isinstance(node, ql.Not):
        child = canonical(node.child)
        if isinstance(child, ql.Not):
            return child.child
        return ql.Not(child) if child is not None else None
    return node


def _key(node: ql.Node) -> object:
    if isinstance(node, (ql.Word, ql.Phrase)):
        return (type(node), " ".join(node.text.lower().split()), node.field)
    return node


class Cost:
    """Counts a query tree's postings against an index's document frequencies."""

    def __init__(self, doc_frequency: Callable[[str, str], int], synonyms=None,
                 near: Callable[[str], list[str]] | None = None):
        self.df = doc_frequency
        self.synonyms = synonyms
        self.near = near  # a word the index lacks is also searched as the words one edit away

    def of(self, node: ql.Node | None) -> int:
        if node is None:
            return 0
        if isinstance(node, (ql.And, ql.Or)):
            return sum(self.of(c) for c in node.children)
        if isinstance(node, ql.Not):
            return self.of(node.child)
        if isinstance(node, ql.NumberRange):
            return 1  # one number per entry: cheap next to any word
        if isinstance(node, ql.YearRange):
            low, high = sorted((int(node.low), int(node.high)))
            return RANGE_FACTOR * sum(self.df("year", str(y)) for y in range(low, high + 1))
        if node.field == "authors":
            return len(node.text.split())  # surnames: short posting lists
        fields = (node.field,) if node.field else TEXT_FIELDS
        found = tuple(terms(node.text))
        if isinstance(node, ql.Phrase) or len(found) != 1:
            forms = [found]
        else:
            forms = [found]
            if node.field is None and self.synonyms is not None:
                forms += [form.terms for form in self.synonyms.group(found)]
        total = self._forms(forms, fields)
        if total == 0 and self.near is not None and isinstance(node, ql.Word) and not node.field:
            for word in self.near(node.text):
                near = tuple(terms(word))
                near_forms = [near]
                if len(near) == 1 and self.synonyms is not None:
                    near_forms += [form.terms for form in self.synonyms.group(near)]
                total += FUZZY_FACTOR * self._forms(near_forms, fields)
        return max(1, total)

    def _forms(self, forms, fields) -> int:
        """A word's documents in each field; a phrase's words' documents, and the positions
        of its words in the documents holding them all (at most its rarest word's)."""
        total = 0
        for form in dict.fromkeys(forms):
            for f in fields:
                counts = [self.df(f, t) for t in form]
                total += sum(counts)
                if len(form) > 1:
                    total += PHRASE_FACTOR * len(form) * min(counts)
        return total


def clauses(node: ql.Node | None) -> tuple[int, int]:
    """(clauses, year ranges) of a canonical query tree; stop words and what holds no word
    are not counted."""
    if node is None:
        return 0, 0
    if isinstance(node, (ql.And, ql.Or)):
        counts = [clauses(c) for c in node.children]
        return sum(c for c, _ in counts), sum(r for _, r in counts)
    if isinstance(node, ql.Not):
        return clauses(node.child)
    if isinstance(node, ql.YearRange):
        return 1, 1
    if isinstance(node, ql.NumberRange):
        return 1, 0
    if isinstance(node, ql.Word) and node.field is None and node.text.lower() in STOP_WORDS:
        return 0, 0
    if node.field != "authors" and not terms(node.text):
        return 0, 0  # punctuation and the like: nothing is searched for it
    return 1, 0


def check(text: str, doc_frequency: Callable[[str, str], int], documents: int,
          synonyms=None, near: Callable[[str], list[str]] | None = None) -> int:
    """The query's cost in postings; QueryTooCostly when it is over the budget for an archive
    of `documents` entries, or holds too many clauses or year ranges."""
    tree = canonical(ql.parse(text))
    budget = max(MIN_BUDGET, int(BUDGET_PER_DOCUMENT * documents))
    count, ranges = clauses(tree)
    if count > MAX_CLAUSES or ranges > MAX_RANGES:
        raise QueryTooCostly(budget + 1, budget, clauses=count, ranges=ranges)
    spent = Cost(doc_frequency, synonyms, near).of(tree)
    if spent > budget:
        raise QueryTooCostly(spent, budget)
    return spent
