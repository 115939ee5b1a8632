""""Did you mean": corrections built from the index's own words."""

from __future__ import annotations

import re
from html import escape
from typing import Callable

from index.analysis import terms

from .records import Suggestion


def suggest(q: str, words: list[str], corrections: Callable[[str], list[str]],
            known: Callable[[str], bool]) -> Suggestion | None:
    """A corrected query when some typed words are in no entry but have a correction within
    the typo budget (search/typos.py); words the index holds, in any form, stay as typed."""
    changes: dict[str, str] = {}
    for word in words:
        found = terms(word)
        if not found or all(known(term) for term in found):
            continue
        fixed = next(iter(corrections(word)), None)
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
