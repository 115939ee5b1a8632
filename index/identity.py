"""Telling when two records are one post: a text import and a crawl of the same entry, say.

An entry's identity is its permalink once one is known. An entry without one (a text import)
is matched to a permalinked one of the same month by a normalised title (a corrected typo or
two is still the same title) or, failing that, by its citation, and only when exactly one
stored entry fits: the blog has two entries in one month sharing a citation.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from crawler.records import Entry

from .spelling import edit_distance

_SMALL_WORDS = frozenset("a an and the of for in on to with or".split())
# Titles this long (normalised) may differ by this many edits and still be one title.
_LONG_TITLE, _TITLE_EDITS = 16, 2


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[a-z0-9]+", folded.lower().replace("&", " and "))


def normal_title(title: str) -> str:
    """A title as letters and digits, without small words: "The Alliance & CBT." -> "alliancecbt"."""
    return "".join(w for w in _words(title) if w not in _SMALL_WORDS)


def normal_citation(citation: str, doi: str = "") -> str:
    """A citation's DOI when it has one, else its letters and digits."""
    return f"doi:{doi.lower()}" if doi else "".join(_words(citation))


def same_title(a: str, b: str) -> bool:
    a, b = normal_title(a), normal_title(b)
    if a == b:
        return bool(a)
    limit = _TITLE_EDITS if min(len(a), len(b)) >= _LONG_TITLE else 0
    return limit > 0 and edit_distance(a, b, limit) <= limit


def same_citation(a: Entry, b: Entry) -> bool:
    if not (a.citation or a.doi) or not (b.citation or b.doi):
        return False
    return normal_citation(a.citation, a.doi) == normal_citation(b.citation, b.doi)


def one_of(entry: Entry, candidates: Iterable[Entry]) -> Entry | None:
    """The one candidate (same month, already chosen) that is `entry`'s post, if exactly one is."""
    candidates = list(candidates)
    by_title = [c for c in candidates if same_title(entry.title, c.title)]
    if by_title:
        return by_title[0] if len(by_title) == 1 else None
    by_citation = [c for c in candidates if same_citation(entry, c)]
    return by_citation[0] if len(by_citation) == 1 else None
