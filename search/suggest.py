""""Did you mean": corrections built from the index's own words."""

from __future__ import annotations

import re
from html import escape

from index.analysis import american, name_analyzer

from .records import Suggestion

_FOLD = name_analyzer()
_MIN_LENGTH = 4


def _nearest(reader, word: str) -> str | None:
    """The index's most frequent word at the smallest edit distance (1, else 2) from `word`."""
    for distance in (1, 2):
        found = [w if isinstance(w, str) else w.decode("utf-8")
                 for w in reader.terms_within("spell", word, distance, prefix=1)]
        found = [w for w in found if w != word]
        if found:
            return max(found, key=lambda w: (reader.doc_frequency("spell", w), w))
    return None


def suggest(searcher, q: str, words: list[str]) -> Suggestion | None:
    """A corrected query when some typed words are not in the index but a near word is."""
    reader = searcher.reader()
    changes: dict[str, str] = {}
    for word in words:
        folded = [t.text for t in _FOLD(word)]
        if len(folded) != 1 or len(folded[0]) < _MIN_LENGTH or not folded[0].isalpha():
            continue
        text = american(folded[0])
        if reader.doc_frequency("spell", text):
            continue
        fixed = _nearest(reader, text)
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
