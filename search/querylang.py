"""The query language users type, parsed forgivingly into a small tree.

Words, "quoted phrases", AND / OR / NOT, -word, +word, parentheses, and fields (title:,
author:, implications:, summary:, citation:, year:2021, year:2019..2022, and the evidence
counts participants:>1000, studies:>=10, participants:100..999). Anything malformed degrades
to plain words: the parser never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELDS = {
    "title": "title",
    "author": "authors",
    "authors": "authors",
    "implications": "implications",
    "implication": "implications",
    "summary": "summary",
    "citation": "citation",
    "journal": "citation",
    "year": "year",
    "participants": "participants",
    "studies": "studies",
}
# Fields holding a number read from the summary (index/schema.py), compared with > >= < <= ..
NUMBER_FIELDS = ("participants", "studies")


@dataclass(frozen=True)
class Word:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class YearRange:
    low: str
    high: str


@dataclass(frozen=True)
class NumberRange:
    """A count between two bounds (None: open), e.g. participants:>1000 is 1001..None."""

    field: str
    low: int | None
    high: int | None


@dataclass(frozen=True)
class Not:
    child: "Node"


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]


Node = Word | Phrase | YearRange | NumberRange | Not | And | Or

_TOKEN = re.compile(
    r'''(?P<phrase>"[^"]*"?)|(?P<open>\()|(?P<close>\))|(?P<word>[^\s()"]+)'''
)
_YEAR_VALUE = re.compile(r"^(\d{4})(?:\s*(?:\.\.|-|–|to)\s*(\d{4}))?$")
_COUNT = r"(\d{1,3}(?:,\d{3})+|\d{1,12})"
_COMPARISON = re.compile(rf"^(>=|<=|>|<|=)?{_COUNT}$")
_COUNT_RANGE = re.compile(rf"^{_COUNT}\s*(?:\.\.|-|–)\s*{_COUNT}$")
_MAX_DEPTH = 8
_OPERATORS = {"AND", "OR", "NOT", "&&", "||"}


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "phrase":
            value = value.strip('"')
        out.append((kind, value))
    return out


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.i = 0
        self.depth = 0  # nesting of groups and NOTs, capped so no input can recurse deeply

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at_operator(self, *names: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1] in names

    def parse(self) -> Node | None:
        nodes = []
        while self.peek() is not None:
            node = self.and_expr()
            if node is not None:
                nodes.append(node)
            elif self.peek() is not None:
                self.take()  # a stray ")" or operator: skip it
        return _and(nodes)

    def and_expr(self) -> Node | None:
        """Clauses side by side (or joined by AND) must all match: the loosest binding."""
        parts = []
        while True:
            token = self.peek()
            if token is None or token[0] == "close":
                break
            if self.at_operator("AND", "&&", "OR", "||"):
                self.take()  # AND is the default; an OR with nothing before it is dropped
                continue
            node = self.or_expr()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def or_expr(self) -> Node | None:
        """OR binds tighter than juxtaposition, as in web search: CBT OR IPT depression."""
        parts = [self.unary()]
        while self.at_operator("OR", "||"):
            self.take()
            if self.peek() is None or self.peek()[0] == "close":
                break
            parts.append(self.unary())
        parts = _unique([p for p in parts if p is not None])
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def unary(self) -> Node | None:
        if self.at_operator("NOT") and self.depth < _MAX_DEPTH:
            self.take()
            self.depth += 1
            child = self.unary() if self.peek() and self.peek()[0] != "close" else None
            self.depth -= 1
            return Not(child) if child is not None else None
        if self.at_operator("NOT"):
            self.take()
            return None
        kind, value = self.peek()
        nxt = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else None
        if (kind == "word" and value == "-" and nxt is not None and nxt[0] in ("phrase", "open")
                and self.depth < _MAX_DEPTH):
            self.take()  # -"a phrase" and -(a group) exclude like -word
            self.depth += 1
            child = self.atom()
            self.depth -= 1
            return Not(child) if child is not None else None
        if kind == "word" and len(value) > 1 and value[0] == "-" and value[1] not in "-":
            self.take()
            child = self.word(value[1:])
            return Not(child) if child is not None else None
        return self.atom()

    def atom(self) -> Node | None:
        kind, value = self.take()
        if kind == "open":
            if self.depth >= _MAX_DEPTH:
                return None
            self.depth += 1
            node = self.and_expr()
            self.depth -= 1
            if self.peek() is not None and self.peek()[0] == "close":
                self.take()
            return node
        if kind == "close":
            return None
        if kind == "phrase":
            return Phrase(value) if value.strip() else None
        if value in _OPERATORS:
            return None
        return self.word(value.lstrip("+"))

    def word(self, value: str) -> Node | None:
        name, sep, rest = value.partition(":")
        field = FIELDS.get(name.lower()) if sep else None
        if field is None:
            return Word(value) if value else None
        if not rest:  # "title:" followed by a phrase, a group, or nothing
            nxt = self.peek()
            if nxt is not None and nxt[0] == "phrase":
                self.take()
                return _in_field(Phrase(nxt[1]), field)
            if nxt is not None and nxt[0] == "open":
                return _in_field(self.atom(), field)
            return None
        return _in_field(Word(rest), field)


def _in_field(node: Node | None, field: str) -> Node | None:
    """The same node, searched in one field only."""
    if node is None:
        return None
    if field in NUMBER_FIELDS:
        return _number_range(node.text if isinstance(node, (Word, Phrase)) else "", field)
    if field == "year":
        text = node.text if isinstance(node, (Word, Phrase)) else ""
        m = _YEAR_VALUE.match(text.strip())
        if not m:
            return None
        return YearRange(m.group(1), m.group(2) or m.group(1))
    if isinstance(node, Word):
        return Word(node.text, field)
    if isinstance(node, Phrase):
        return Phrase(node.text, field)
    if isinstance(node, Not):
        child = _in_field(node.child, field)
        return Not(child) if child else None
    if isinstance(node, (And, Or)):
        children = tuple(c for c in (_in_field(c, field) for c in node.children) if c)
        return type(node)(children) if children else None
    return node


def _number_range(text: str, field: str) -> NumberRange | None:
    """participants:>1000, studies:>=10, participants:100..999, studies:12; None if malformed."""
    text = text.strip()
    m = _COUNT_RANGE.match(text)
    if m:
        low, high = sorted(int(g.replace(",", "")) for g in m.groups())
        return NumberRange(field, low, high)
    m = _COMPARISON.match(text)
    if not m:
        return None
    op, value = m.group(1) or "=", int(m.group(2).replace(",", ""))
    bounds = {">": (value + 1, None), ">=": (value, None), "<": (None, value - 1),
              "<=": (None, value), "=": (value, value)}[op]
    return NumberRange(field, *bounds)


def _and(nodes: list[Node]) -> Node | None:
    nodes = _unique(nodes)
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


def _unique(nodes: list[Node]) -> list[Node]:
    """The nodes less repeats (words compared case-blind), first ones kept: a clause twice
    narrows or widens nothing more, and would cost its work again (`year:2013..2026` typed
    134 times)."""
    seen: dict[object, Node] = {}
    for node in nodes:
        key = (type(node), node.text.lower(), node.field) if isinstance(node, (Word, Phrase)) else node
        seen.setdefault(key, node)
    return list(seen.values())


def parse(text: str) -> Node | None:
    """The query tree for what a user typed; None when nothing in it can be searched."""
    return _Parser(text).parse()
