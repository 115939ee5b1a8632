"""Turning a parsed user query into a Whoosh query, with synonyms, boosts and a fallback."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Callable

from whoosh import query as wq
from whoosh.analysis import STOP_WORDS

from index.analysis import american, name_analyzer, terms
from index.schema import TEXT_FIELDS

from . import querylang as ql
from .synonyms import Synonyms

# Title above implications and summary, those above the citation.
FIELD_BOOSTS = {"title": 3.0, "implications": 1.3, "summary": 1.0, "citation": 0.6}
PHRASE_SLOP = 1
# Entries holding all the words close together rank above scattered matches.
PROXIMITY_SLOP = 4
PROXIMITY_BOOST = 2.0
SYNONYM_WEIGHT = 0.8
# Words that only narrow a plain-words query by noise ("which patients benefit from ...").
QUERY_STOP_WORDS = STOP_WORDS | frozenset(
    "what which why how does do did should would could who whom whose where there any about "
    "best most really".split()
)
# Words of one run searched at most; the rest are listed as left out.
MAX_WORDS = 32
# Unknown words looked up for spelling tolerance in one query, at most.
MAX_SPELLING_LOOKUPS = 8
# A word the index does not hold also matches its corrections within the typo budget
# (search/typos.py), at this weight.
FUZZY_WEIGHT = 0.5
# While a query is typed (SearchRequest.prefix), its last word also matches the index's words
# that start with it: from PREFIX_MIN_LETTERS letters, the PREFIX_MAX_WORDS commonest, each at
# PREFIX_WEIGHT of a whole word, so an entry holding the word as typed ranks first.
PREFIX_MIN_LETTERS = 3
PREFIX_MAX_WORDS = 12
PREFIX_WEIGHT = 0.6
_NAMES = name_analyzer()
_HYPHENATED = re.compile(r"(?<=\w)[-‐‑–](?=\w)")


@dataclass(frozen=True)
class Clause:
    """A part of the query every entry shown must hold (a word with its synonyms and near
    spellings, a phrase, a field's word), as the page names it when no entry holds it."""

    label: str  # as the user would type it
    query: wq.Query
    droppable: bool = True  # a word may be left out (most-words matching); a year range not
    meaning: str = ""  # an abbreviation's long form, to explain it


@dataclass
class Compiled:
    """A query ready to run, and what the page should say about how it was read."""

    query: wq.Query
    # The top-level conjunction's parts and exclusions (empty when the query is an OR, ...).
    clauses: list[Clause] = field(default_factory=list)
    negatives: list[Clause] = field(default_factory=list)
    expansions: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # the first few parts left out
    fuzzy: list[str] = field(default_factory=list)  # words matched by spelling tolerance
    highlight: set[str] = field(default_factory=set)  # index terms to mark in snippets
    names: set[str] = field(default_factory=set)  # authors' surnames searched, folded
    # Phrases (as index terms) to mark only where their words stand together.
    highlight_phrases: set[tuple[str, ...]] = field(default_factory=set)
    # Phrases of the typed words, close together: a bonus for the top hits, not a condition.
    proximity: list[wq.Query] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # plain words typed, for "did you mean"
    completed: str = ""  # the last word, read as the start of a word being typed


class Compiler:
    """Compiles one query tree; holds what it learns on the way."""

    def __init__(self, synonyms: Synonyms, known: Callable[[str], bool] | None = None,
                 near: Callable[[str], list[str]] | None = None,
                 starting: Callable[[str], list[str]] | None = None):
        self.synonyms = synonyms
        # starting(word): the index's words that begin with a typed word, commonest first.
        self.starting = starting
        self._prefix: ql.Word | None = None  # the word being typed, when completing it
        self.known = functools.lru_cache(maxsize=None)(known) if known else None
        self.near = functools.lru_cache(maxsize=None)(near) if near else None
        self._near_budget = MAX_SPELLING_LOOKUPS
        self._looked_up: set[str] = set()  # typed words whose near words were looked up
        self._seen: set[str] = set()  # distinct plain words met so far, in the whole query
        self._count = 0  # plain words met so far, repeats in other groups included
        self.out = Compiled(query=wq.NullQuery)
        self._clauses: tuple[list[Clause], list[Clause]] = ([], [])
        self._parts: dict[str, tuple[str, ...]] = {}  # joined compound -> its parts
        self._prefix_term: tuple[str, str] | None = None  # (index term, word typed)

    def compile(self, node: ql.Node | None) -> Compiled:
        self.out.ignored = _Capped()
        if node is None:
            self.out.query = wq.Every()
            return self.out
        if self.starting is not None:
            self._prefix = last_word(node)
        top = self.node(node)
        if top is None:
            self.out.query = wq.Every()
            return self.out
        self.out.query = top
        if isinstance(node, (ql.And, ql.Word, ql.Phrase)):
            self.out.clauses, self.out.negatives = self._clauses
        return self.out

    # Nodes

    def node(self, node: ql.Node) -> wq.Query | None:
        if isinstance(node, ql.And):
            return self.conjunction(node.children)
        if isinstance(node, ql.Or):
            parts = [q for q in (self.node(c) for c in node.children) if q is not None]
            return _or(parts)
        if isinstance(node, ql.Not):
            child = self.node(node.child)
            return wq.And([wq.Every(), wq.Not(child)]) if child is not None else None
        if isinstance(node, ql.YearRange):
            return wq.TermRange("year", node.low, node.high)
        if isinstance(node, ql.NumberRange):
            return wq.NumericRange(node.field, node.low, node.high)
        if isinstance(node, ql.Phrase):
            return self.conjunction((node,))
        if node.field == "authors":
            return self.author(node.text)
        return self.conjunction((node,))

    def conjunction(self, children) -> wq.Query | None:
        """Clauses that must all match: runs of plain words get synonyms and a proximity boost."""
        positives: list[Clause] = []
        negatives: list[Clause] = []
        run: list[tuple[str, str]] = []  # consecutive plain words: (index term, word typed)
        proximity: list[list[str]] = []

        def flush():
            if run:
                positives.extend(self.words(run))
                if len(run) > 1:
                    proximity.append([term for term, _ in run])
                run.clear()

        seen: set[str] = set()
        for child in children:
            if isinstance(child, ql.Word) and child.field is None:
                if child.text.lower() in seen:
                    continue  # a word twice narrows nothing and costs a matcher
                seen.add(child.text.lower())
                self._seen.add(child.text.lower())
                self._count += 1
                if len(self._seen) > MAX_WORDS or self._count > 2 * MAX_WORDS:
                    self.out.ignored.append(child.text)
                    continue
                found = terms(child.text)
                if not found:
                    self.out.ignored.append(child.text)
                if child.text not in self.out.words:
                    self.out.words.append(child.text)
                if child is self._prefix and len(found) == 1:
                    self._prefix_term = (found[0], child.text)
                run.extend((term, child.text) for term in found)
                if len(found) == 1 and _HYPHENATED.search(child.text):
                    # "drop-out" is searched as dropout and as the phrase "drop out".
                    parts = tuple(terms(_HYPHENATED.sub(" ", child.text)))
                    if len(parts) > 1:
                        self._parts[found[0]] = parts
                continue
            flush()
            if isinstance(child, ql.Not):
                q = self.node(child.child)
                if q is not None:
                    negatives.append(Clause(label(child), q))
            elif isinstance(child, ql.Phrase):
                q = self.phrase(child.text, child.field)
                if q is not None:
                    positives.append(Clause(label(child), q))
            elif isinstance(child, ql.Word):
                q = self.fielded(child)
                if q is not None:
                    positives.append(Clause(label(child), q))
            else:
                q = self.node(child)
                if q is not None:
                    positives.append(Clause(label(child), q, droppable=not isinstance(
                        child, (ql.YearRange, ql.NumberRange))))
        flush()
        if not positives and not negatives:
            return None
        self._clauses = (positives, negatives)
        required = [c.query for c in positives] or [wq.Every()]
        base = required[0] if len(required) == 1 and not negatives else wq.And(
            required + [wq.Not(n.query) for n in negatives]
        )
        self.out.proximity.extend(
            wq.Phrase(f, run, slop=PROXIMITY_SLOP, boost=PROXIMITY_BOOST * FIELD_BOOSTS[f])
            for run in proximity for f in ("title", "summary", "implications")
        )
        return base

    def words(self, run: list[tuple[str, str]]) -> list[Clause]:
        """Clauses for a run of plain-word terms, matching the longest synonym forms first."""
        run = self.compounds(run)
        clauses: list[Clause] = []
        i = 0
        while i < len(run):
            for size in range(min(self.synonyms.longest, len(run) - i), 0, -1):
                span = tuple(term for term, _ in run[i:i + size])
                group, boost = self.synonyms.group(span), 1.0
                typed = " ".join(dict.fromkeys(word for _, word in run[i:i + size]))
                if not group and size > 1:  # "theraputic aliance": the phrase it misspells
                    span, group, typed = self.corrected_span(run[i:i + size])
                    boost = FUZZY_WEIGHT
                if group:
                    clauses.append(Clause(typed, self.synonym_group(span, typed, group, boost=boost),
                                          meaning=self.synonyms.meaning(typed)))
                    i += size
                    break
            else:
                term, typed = run[i]
                i += 1
                if (term, typed) == self._prefix_term:
                    completed = self.completed(term, typed)
                    if completed is not None:
                        clauses.append(Clause(typed, completed))
                        continue
                if (term in QUERY_STOP_WORDS or typed.lower() in QUERY_STOP_WORDS) and len(run) > 1:
                    continue  # "does CBT work for panic": "does", "for" only narrow by noise
                if term in self._parts:
                    clauses.append(Clause(typed, _or([self.text((term,)), self.text(self._parts[term])])))
                else:
                    clauses.append(Clause(typed, self.tolerant(term, typed)))
        return clauses

    def corrected_span(self, run: list[tuple[str, str]]) -> tuple[tuple[str, ...], tuple, str]:
        """A run of words with each the index lacks replaced by its likeliest near word: its
        terms, the synonym group they make and the words as corrected; ((), (), "") when no
        word needed it or no group matches."""
        fixed, shown, typos = [], [], []
        for term, typed in run:
            near = self.near_stems(term, typed)
            stem = next(iter(near), term)
            fixed.append(stem)
            shown.append(near.get(stem, typed))
            if near:
                typos.append(typed)
        group = self.synonyms.group(tuple(fixed)) if typos else ()
        if not group:
            return (), (), ""
        for typed in typos:
            if typed not in self.out.fuzzy:
                self.out.fuzzy.append(typed)
        return tuple(fixed), group, " ".join(dict.fromkeys(shown))

    def compounds(self, run: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Two typed words the index also holds as one ("drop out", "non directive") become
        that word, searched with the two-word phrase as an alternative."""
        if self.known is None:
            return run
        out: list[tuple[str, str]] = []
        i = 0
        while i < len(run):
            if i + 1 < len(run):
                (a, typed_a), (b, typed_b) = run[i], run[i + 1]
                joined = a + b
                if (a not in QUERY_STOP_WORDS and b not in STOP_WORDS and len(joined) > 4
                        and not self.synonyms.group((a, b)) and self.known(joined)):
                    self._parts[joined] = (a, b)
                    out.append((joined, f"{typed_a} {typed_b}"))
                    i += 2
                    continue
            out.append(run[i])
            i += 1
        return out

    def synonym_group(self, span: tuple[str, ...], typed: str, group,
                      boost: float = 1.0) -> wq.Query:
        others = [form for form in group if form.terms != span]
        self.out.expansions.append(f"{typed} → {' / '.join(form.text for form in others)}")
        parts = [self.text(span, boost=boost)]
        if len(span) == 1 and span[0] in self._parts:
            parts.append(self.text(self._parts[span[0]], boost=boost))
        parts += [self.text(form.terms, boost=boost * SYNONYM_WEIGHT) for form in others]
        return wq.Or(parts)

    def text(self, words: tuple[str, ...], field: str | None = None, boost: float = 1.0):
        """One word or a phrase of index terms, in one field or across the text fields."""
        fields = (field,) if field else TEXT_FIELDS
        if len(words) == 1:
            self.out.highlight.add(words[0])
        else:
            self.out.highlight_phrases.add(tuple(words))
        if len(words) == 1:
            parts = [wq.Term(f, words[0], boost=boost * FIELD_BOOSTS[f]) for f in fields]
        else:
            parts = [
                wq.Phrase(f, list(words), slop=PHRASE_SLOP, boost=boost * FIELD_BOOSTS[f])
                for f in fields
            ]
        return _or(parts)

    def near_stems(self, term: str, typed: str) -> dict[str, str]:
        """For a word the index lacks: the index terms of its words one edit away (term ->
        the word as the index has it), most frequent word first; {} for a known word."""
        if self.known is None or self.near is None or self.known(term):
            return {}
        if typed not in self._looked_up:
            if self._near_budget <= 0:
                return {}
            self._near_budget -= 1
            self._looked_up.add(typed)
        near: dict[str, str] = {}
        for word in self.near(typed):
            for stem in terms(word):
                near.setdefault(stem, word)
        near.pop(term, None)
        return near

    def tolerant(self, term: str, typed: str) -> wq.Query:
        """A word, and, when the index lacks it, its corrections within the typo budget at a
        lower weight.

        Near words are found among the index's unstemmed words and then stemmed, so a typo
        never reaches a stem's neighbours ("mentalzing" must not find "mental").
        """
        exact = self.text((term,))
        near = self.near_stems(term, typed)
        if not near:
            return exact
        if typed not in self.out.fuzzy:
            self.out.fuzzy.append(typed)
        # A near word stands for what was meant: its synonyms come along, at the lower weight.
        alternatives = []
        for stem in sorted(near):
            group = self.synonyms.group((stem,))
            alternatives.append(
                self.synonym_group((stem,), near[stem], group, boost=FUZZY_WEIGHT) if group
                else self.text((stem,), boost=FUZZY_WEIGHT))
        return wq.Or([exact, *alternatives])

    def completed(self, term: str, typed: str) -> wq.Query | None:
        """The word being typed: itself, and the index's words that start with it at a lower
        weight (bounded); None when it is too short or no word starts with it (then it is read
        as a whole word, and may be one no entry mentions)."""
        folded = [t.text for t in _NAMES(typed)]
        if len(folded) != 1 or len(folded[0]) < PREFIX_MIN_LETTERS:
            return None
        stems: dict[str, None] = {}
        for word in self.starting(american(folded[0])):
            for stem in terms(word):
                if stem != term:
                    stems.setdefault(stem, None)
        if not stems:
            return None
        self.out.completed = typed
        parts = [self.text((term,))] if self.known is None or self.known(term) else []
        parts += [self.text((stem,), boost=PREFIX_WEIGHT)
                  for stem in list(stems)[:PREFIX_MAX_WORDS]]
        return _or(parts)

    def phrase(self, text: str, field: str | None) -> wq.Query | None:
        if field == "authors":
            return self.author(text)
        found = tuple(terms(text))
        if not found:
            self.out.ignored.append(f'"{text}"')
            return None
        return self.text(found, field)

    def fielded(self, word: ql.Word) -> wq.Query | None:
        if word.field == "authors":
            return self.author(word.text)
        found = tuple(terms(word.text))
        if not found:
            self.out.ignored.append(f"{word.field}:{word.text}")
            return None
        parts = [self.text((t,), word.field) for t in found]
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def author(self, text: str) -> wq.Query | None:
        names = [t.text for t in _NAMES(text)]
        if not names:
            return None
        self.out.names.update(names)
        # Authors are listed surname by surname, so a name is a term (or several, all needed).
        parts = [wq.Term("authors", n, boost=2.0) for n in names]
        return parts[0] if len(parts) == 1 else wq.And(parts)


class _Capped(list):
    """A list that keeps its first ten items: enough to tell a person what was left out."""

    def append(self, item) -> None:
        if len(self) < 10:
            super().append(item)


def last_word(node: ql.Node) -> ql.Word | None:
    """The plain word a query ends with (the one being typed), if it ends with one."""
    if isinstance(node, ql.And) and node.children:
        node = node.children[-1]
    return node if isinstance(node, ql.Word) and node.field is None else None


def label(node: ql.Node) -> str:
    """A query part as a user would type it: what the page names and offers to search."""
    if isinstance(node, ql.Word):
        return f"{_FIELD_NAMES.get(node.field, node.field)}:{node.text}" if node.field else node.text
    if isinstance(node, ql.Phrase):
        quoted = f'"{node.text}"'
        return f"{_FIELD_NAMES.get(node.field, node.field)}:{quoted}" if node.field else quoted
    if isinstance(node, ql.YearRange):
        return f"year:{node.low}" + (f"..{node.high}" if node.high != node.low else "")
    if isinstance(node, ql.NumberRange):
        if node.low is None:
            return f"{node.field}:<={node.high}"
        if node.high is None:
            return f"{node.field}:>={node.low}"
        return f"{node.field}:{node.low}" + (f"..{node.high}" if node.high != node.low else "")
    if isinstance(node, ql.Not):
        return "-" + label(node.child)
    parts = [label(c) for c in node.children]
    if isinstance(node, ql.Or):
        return " OR ".join(f"({p})" if " " in p and " OR " not in p and not p.startswith('"') else p
                           for p in parts)
    return "(" + " ".join(parts) + ")"


_FIELD_NAMES = {"authors": "author"}


def _or(parts: list[wq.Query]) -> wq.Query | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def compile_query(text: str, synonyms: Synonyms,
                  known: Callable[[str], bool] | None = None,
                  near: Callable[[str], list[str]] | None = None,
                  starting: Callable[[str], list[str]] | None = None) -> Compiled:
    """The Whoosh query and its explanation for what a user typed.

    `known(term)` tells whether the index holds a term and `near(word)` lists the index's words
    one edit away; without them no compound joining or spelling tolerance applies.
    With `starting(word)` (the index's words that begin with a word, commonest first), the
    query's last plain word is read as a word still being typed (search as you type).
    """
    return Compiler(synonyms, known, near, starting).compile(ql.parse(text))
