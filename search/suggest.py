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
    plain, marked = q, escape(q, quote=False)
    for word, fixed in changes.items():
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
        plain = pattern.sub(fixed, plain)
        marked = re.compile(rf"(?<!\w){re.escape(escape(word, quote=False))}(?!\w)").sub(
            f"<mark>{escape(fixed, quote=False)}</mark>", marked
        )
    return Suggestion(q=plain, html=marked)
