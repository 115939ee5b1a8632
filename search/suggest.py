""""Did you mean": corrections built from the index's own words."""

from __future__ import annotations

import re
from html import escape

from index.analysis import american, name_analyzer
from index.spelling import Spelling

from .records import Suggestion

_FOLD = name_analyzer()
_MIN_LENGTH = 4


def _nearest(spelling: Spelling, word: str) -> str | None:
    """The index's most frequent word at the smallest edit distance (1, else 2) from `word`."""
    for distance in (1, 2):
        found = spelling.within(word, distance)
        if found:
            return max(found, key=lambda w: (spelling.frequency(w), w))
    return None


def suggest(spelling: Spelling, q: str, words: list[str]) -> Suggestion | None:
    """A corrected query when some typed words are not in the index but a near word is."""
    changes: dict[str, str] = {}
    for word in words:
        folded = [t.text for t in _FOLD(word)]
        if len(folded) != 1 or len(folded[0]) < _MIN_LENGTH or not folded[0].isalpha():
            continue
        text = american(folded[0])
        if spelling.frequency(text):
            continue
        fixed = _nearest(spelling, text)
        if fixed:
            changes[word] = fixed
    if not changes:
        return None
    # One pass over the typed text: each piece is escaped once, and only a corrected word is
    # wrapped, so a word like "mark" or "lt" can never be matched inside markup already built.
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(changes, key=len, reverse=True))
        + r")(?!\w)")
    plain, marked, at = [], [], 0
    for m in pattern.finditer(q):
        fixed = changes[m.group(1)]
        plain += [q[at:m.start()], fixed]
        marked += [escape(q[at:m.start()], quote=False), f"<mark>{escape(fixed, quote=False)}</mark>"]
        at = m.end()
    plain.append(q[at:])
    marked.append(escape(q[at:], quote=False))
    return Suggestion(q="".join(plain), html="".join(marked))
