"""Highlighted titles, citations and snippets: matched words in <mark>, everything else
HTML-escaped.

A snippet is the passage of about SNIPPET_CHARS characters that holds the most distinct query
words (then the most matches), from the Practice Implications when they hold as many of the
query's words as the summary does (what a clinician acts on comes first), else from the
summary; words are matched by the same analysis the index uses (index.analysis.matched_spans).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from html import escape

import re

from index.analysis import matched_spans, name_analyzer, token_positions

SNIPPET_CHARS = 220
# Context kept before a passage's first match.
_LEAD = 60
# Words of a text that `opening` looks at first.
_OPENING_WORDS = 60
# A window's score: its distinct terms times this, plus its matches (fewer than this: a
# passage of SNIPPET_CHARS holds at most ~SNIPPET_CHARS / 2 words).
_PER_TERM = 1000

Match = tuple[int, int, str]  # start, end, the query term it matched


WordIndex = dict[str, str]  # index.analysis.word_index of a text


@dataclass(frozen=True)
class Marks:
    """What a query marks: its words wherever they stand, its phrases (synonym forms like
    "cognitive behavioral therapy" included) only where their words stand together."""

    words: frozenset[str] = frozenset()
    phrases: frozenset[tuple[str, ...]] = frozenset()
    names: frozenset[str] = frozenset()  # authors' surnames searched (author:), folded

    @functools.cached_property
    def terms(self) -> frozenset[str]:  # asked for each text marked: made once
        return self.words.union(*self.phrases)

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases or self.names)


def _spans(text: str, marks: Marks, index: WordIndex | None = None) -> list[Match]:
    """The matches to mark: words anywhere, a phrase's words only where the phrase stands."""
    matches = matched_spans(text, marks.terms, index)
    phrases, words = marks.phrases, marks.words
    if not phrases or all(m[2] in words for m in matches):
        return matches
    kept = _in_phrases(matches, phrases, token_positions(text, index))
    return [m for i, m in enumerate(matches) if i in kept or m[2] in words]


def _in_phrases(matches: list[Match], phrases: frozenset[tuple[str, ...]],
                positions: dict[int, tuple[int, tuple[str, ...]]]) -> set[int]:
    """Which matches are part of one of the phrases: their terms laid out by position as the
    index has them, a phrase found where its terms follow on."""
    slots: dict[int, tuple[str, ...]] = {}  # position -> the terms there
    owner: dict[int, int] = {}  # position -> the match it belongs to
    for i, match in enumerate(matches):
        at, parts = positions[match[0]]
        if len(parts) == 1:
            slots[at] = parts
            owner[at] = i
            continue
        joined, last = "".join(parts), len(parts) - 1
        for k, part in enumerate(parts):  # the joined word at its first and last part
            slots[at + k] = (part, joined) if k == 0 or k == last else (part,)
            owner[at + k] = i
    found: set[int] = set()
    empty = ()
    for phrase in phrases:
        head, size = phrase[0], len(phrase)
        if size == 2:  # the usual phrase, without a generator per place
            second = phrase[1]
            for at, there in slots.items():
                if head in there and second in slots.get(at + 1, empty):
                    found.add(owner[at])
                    found.add(owner[at + 1])
            continue
        for at, there in slots.items():
            if head in there and all(phrase[k] in slots.get(at + k, empty)
                                     for k in range(1, size)):
                found.update(owner[at + k] for k in range(size))
    return found


def _mark(text: str, start: int, end: int, matches: list[Match]) -> str:
    """text[start:end], escaped, with the matches inside it wrapped in <mark>."""
    pieces, at = [], start
    for m_start, m_end, _ in matches:
        if m_start < start or m_end > end:
            continue
        pieces.append(escape(text[at:m_start], quote=False))
        pieces.append("<mark>" + escape(text[m_start:m_end], quote=False) + "</mark>")
        at = m_end
    pieces.append(escape(text[at:end], quote=False))
    return "".join(pieces)


def _best_window(matches: list[Match]) -> tuple[int, int]:
    """(score, start) of the best window: one starting _LEAD before a match, holding it and
    the matches after it that end inside; most distinct terms, then most matches, first wins."""
    # One pass: the window's far edge only ever moves on. (A hot loop: no max() calls.)
    best, best_start = -1, 0
    inside: dict[str, int] = {}  # term -> matches of it in the window
    count = len(matches)
    k = 0  # matches[i:k] are in the window
    for i, (m_start, _, _) in enumerate(matches):
        if i and k >= i:
            left = matches[i - 1][2]
            if inside[left] == 1:
                del inside[left]
            else:
                inside[left] -= 1
        if k < i:
            k = i
        start = m_start - _LEAD if m_start > _LEAD else 0
        end = start + SNIPPET_CHARS
        while k < count:
            _, k_end, term = matches[k]
            if k_end > end:
                break
            inside[term] = inside.get(term, 0) + 1
            k += 1
        score = len(inside) * _PER_TERM + (k - i)
        if score > best:
            best, best_start = score, start
    return best, best_start


def _window(text: str, marks: Marks, index: WordIndex | None) -> tuple[float, int, list[Match]]:
    """(score, start, matches) of the best passage of `text`; score 0 when nothing matches."""
    if not text or not marks:
        return 0.0, 0, []
    matches = _spans(text, marks, index)
    if not matches:
        return 0.0, 0, []
    best, best_start = _best_window(matches)
    return best, best_start, matches


def _render(text: str, best_start: int, matches: list[Match]) -> str:
    """The passage of `text` from the best window's start, matches marked, cut at words."""
    start, end = best_start, min(len(text), best_start + SNIPPET_CHARS)
    first = next(m for m in matches if m[0] >= start)
    if start > 0:  # begin at a word
        space = text.find(" ", start, first[0])
        start = space + 1 if space != -1 else first[0]
    if end < len(text):  # end at a word
        last_end = max((m[1] for m in matches if start <= m[0] and m[1] <= end), default=start)
        space = text.rfind(" ", last_end, end)
        end = space if space != -1 else end
    html = _mark(text, start, end, matches).strip()
    if start > 0:
        html = "… " + html
    rest = text[end:].strip()
    if any(c.isalnum() for c in rest):
        html += " …"
    else:
        html += escape(rest, quote=False)
    return html


def title_html(title: str, marks: Marks, index: WordIndex | None = None) -> str:
    """The whole title with matched words marked (`index`: its word index, if kept)."""
    if not marks:
        return escape(title, quote=False)
    return _mark(title, 0, len(title), _spans(title, marks, index))


def citation_html(citation: str, marks: Marks, index: WordIndex | None = None) -> str:
    """The whole citation with the query's matches marked: its words, and the authors an
    `author:` search named (accents optional), so a reader sees why an entry came back."""
    if not citation or not marks:
        return escape(citation, quote=False)
    found = _spans(citation, marks, index) if marks.words or marks.phrases else []
    links = _links(citation)  # a DOI or URL stays whole, to link
    if links:
        found = [f for f in found if not any(start <= f[0] < end for start, end in links)]
    if marks.names:
        taken = {start for start, _, _ in found}
        for m in _NAME.finditer(citation):
            folded = [t.text for t in _FOLD(m.group())]
            if folded and folded[0] in marks.names and m.start() not in taken:
                found.append((m.start(), m.end(), folded[0]))
        found.sort()
    return _mark(citation, 0, len(citation), found)


_LINK = re.compile(r"(?:https?://|doi:\s*|\b10\.\d{4,9}/)\S+", re.IGNORECASE)
_NAME = re.compile(r"\w+(?:[-'’]\w+)*")
_FOLD = name_analyzer()


@functools.lru_cache(maxsize=4096)
def _links(citation: str) -> tuple[tuple[int, int], ...]:
    """Where a citation's DOIs and URLs stand: the same citations are marked again and again,
    and finding them (~8 µs each at 1k) was most of marking one (~10 µs; ~2 µs now)."""
    return tuple(m.span() for m in _LINK.finditer(citation))


def snippet_html(summary: str, implications: str, marks: Marks,
                 indexes: tuple[WordIndex | None, WordIndex | None] = (None, None)
                 ) -> tuple[str, str]:
    """(html, where from): the best passage of the implications when they hold as many of the
    query's words as the summary, else of the summary ("implications" or "summary"); the
    summary's opening, from "", when neither matches.

    `indexes` are the two texts' word indexes when the caller keeps them (see
    index.analysis.word_index); without them each text is analysed here.
    """
    # Only the passage shown is marked up. The implications first: when their best passage
    # holds every term the query marks, the summary cannot hold more and is not looked at
    # (a one-word query's usual case).
    from_implications = _window(implications, marks, indexes[1])
    found = from_implications[0] // _PER_TERM
    if found and found >= len(marks.terms):
        return _render(implications, *from_implications[1:]), "implications"
    from_summary = _window(summary, marks, indexes[0])
    if found and found >= from_summary[0] // _PER_TERM:
        return _render(implications, *from_implications[1:]), "implications"
    if from_summary[0] > 0:
        return _render(summary, *from_summary[1:]), "summary"
    return opening(summary or implications), ""


def opening(text: str, chars: int = SNIPPET_CHARS) -> str:
    """The start of a text, cut at a word, escaped."""
    # Its first words are enough when they already run past `chars` (a summary's 300 are
    # not all split and joined for its first 220 characters).
    head = text.split(None, _OPENING_WORDS)
    if len(head) > _OPENING_WORDS:
        start = " ".join(head[:_OPENING_WORDS])
        if len(start) > chars:
            return escape(start[:chars].rsplit(" ", 1)[0], quote=False) + " …"
    text = " ".join(text.split())
    if len(text) <= chars:
        return escape(text, quote=False)
    return escape(text[:chars].rsplit(" ", 1)[0], quote=False) + " …"
