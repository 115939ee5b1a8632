"""Query suggestions under the search box: completions drawn from the archive itself.

Per index generation, a list of candidates is built once from the entries' titles, the topics,
the authors' surnames and the long forms of the synonyms file. A typed query matches a
candidate when each of its words starts a word of the candidate (the last one being typed).
The service adds the query with its last word completed from the index's words, and counts
what each suggestion finds by searching it, so a count is what choosing it shows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from crawler.citation import parse_citation

from .compile import QUERY_STOP_WORDS

# Suggestions shown at most, and the typed letters they start from.
LIMIT = 8
MIN_CHARS = 2
# Whole-query completions of the word being typed ("panic dis" -> "panic disorder"), at most.
WORD_COMPLETIONS = 3
# Kinds in the order they are offered when they match equally well.
KINDS = ("query", "topic", "term", "title", "author")
LABELS = {"query": "Search", "topic": "Topic", "term": "Term", "title": "Title",
          "author": "Author"}

_WORD = re.compile(r"\w+")
# Words never offered as the completion of a typed word: they narrow nothing.
FUNCTION_WORDS = QUERY_STOP_WORDS | frozenset(
    "these those their them they then than there other also been were was has had its our "
    "into such some more over only both each were being after before while whether".split())


@dataclass(frozen=True)
class Completion:
    """One suggestion: what choosing it searches, what kind of thing it is, what it finds."""

    q: str  # the query it searches, as put in the box
    text: str  # what the list shows
    kind: str  # one of KINDS
    count: int = 0  # entries the search of `q` finds

    @property
    def label(self) -> str:
        return LABELS[self.kind]


def fold(text: str) -> list[str]:
    """Words as compared: lower case, accents dropped (Stålsett matches stalsett)."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return [w.lower() for w in _WORD.findall(plain)]


@dataclass(frozen=True)
class _Candidate:
    q: str
    text: str
    kind: str
    words: tuple[str, ...]


class Completions:
    """The candidates of one index generation, matched against what is typed."""

    def __init__(self, candidates: list[tuple[str, str, str]]):
        seen: set[tuple[str, str]] = set()
        self.candidates: list[_Candidate] = []
        for q, text, kind in candidates:
            key = (kind, q.lower())
            if key in seen or not fold(text):
                continue
            seen.add(key)
            self.candidates.append(_Candidate(q, text, kind, tuple(fold(text))))

    def __len__(self) -> int:
        return len(self.candidates)

    def matching(self, q: str, limit: int) -> list[Completion]:
        """Candidates every typed word starts a word of (in any order), best first: those that
        start as typed, then by kind, then shortest."""
        typed = fold(q)
        if not typed or len(q.strip()) < MIN_CHARS:
            return []
        found = []
        for c in self.candidates:
            if all(any(w.startswith(t) for w in c.words) for t in typed):
                starts = c.words[:len(typed) - 1] == tuple(typed[:-1]) and \
                    len(c.words) >= len(typed) and c.words[len(typed) - 1].startswith(typed[-1])
                found.append(((not starts, KINDS.index(c.kind), len(c.text), c.text), c))
        found.sort(key=lambda pair: pair[0])
        return [Completion(c.q, c.text, c.kind) for _, c in found[:limit]]


def build(stored_fields, topics, long_forms) -> Completions:
    """Candidates from the index's stored fields (titles, citations' authors), the topic names
    and the synonyms file's long forms."""
    candidates: list[tuple[str, str, str]] = []
    candidates += [(t, t, "topic") for t in sorted(topics)]
    candidates += [(f, f, "term") for f in sorted(long_forms)]
    authors: set[str] = set()
    for fields in stored_fields:
        title = fields.get("title", "")
        if title:
            candidates.append((title, title, "title"))
        authors.update(parse_citation(fields.get("citation", "")).authors)
    candidates += [(f'author:"{a}"' if " " in a else f"author:{a}", a, "author")
                   for a in sorted(authors)]
    return Completions(candidates)
