"""The typo budget: which corrections a typed word may get, for spelling tolerance and for
"did you mean" alike, so that a word the archive lacks is never quietly read as another.

As the anchors do it (Algolia's typo tolerance): no correction for words under four letters or
abbreviations typed in capitals, except an abbreviation of four letters or more one edit from
exactly one known abbreviation; one edit for words of four to
seven letters, two from eight; never a correction to a stopword, or to a word of another kind
(a number, a person's name) unless the typed word is one.
"""

from __future__ import annotations

from typing import Callable, Collection

from whoosh.analysis import STOP_WORDS

from index.analysis import american, name_analyzer
from index.spelling import Spelling, edit_distance

_FOLD = name_analyzer()
# Words of this many letters or more may be corrected; of LONG_WORD or more, by two edits.
MIN_LENGTH = 4
LONG_WORD = 8


def budget(typed: str) -> int:
    """The edits a correction of `typed` may make (0: none, but to a known abbreviation)."""
    if len(typed) < MIN_LENGTH or is_abbreviation(typed):
        return 0
    return 1 if len(typed) < LONG_WORD else 2


def is_abbreviation(typed: str) -> bool:
    """A word typed in capitals (PTSD, ADHD): an abbreviation, not a misspelled word."""
    letters = [c for c in typed if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


class Corrections:
    """The corrections of a typed word within its budget, nearest first, then commonest.

    `spelling` holds the archive's words as written, `names` the authors' surnames (folded),
    `abbreviations` the known abbreviations (as typed in the synonyms file).
    """

    def __init__(self, spelling: Spelling, names: Collection[str],
                 abbreviations: Callable[[], Collection[str]]):
        self.spelling = spelling
        self.names = names
        self.abbreviations = abbreviations

    def __call__(self, typed: str) -> list[str]:
        folded = [t.text for t in _FOLD(typed)]
        if len(folded) != 1:
            return []
        allowed = budget(typed)
        if allowed == 0:
            return self._abbreviation(typed) if is_abbreviation(typed) else []
        word = american(folded[0])
        found: list[str] = []
        for distance in range(1, allowed + 1):
            nearer = set(found)
            found += [w for w in self.spelling.within(word, distance)
                      if w not in nearer and self._same_kind(typed, w)]
        return [self.spelling.as_written(w) for w in found]

    def _same_kind(self, typed: str, candidate: str) -> bool:
        if candidate in STOP_WORDS:
            return False
        if any(c.isdigit() for c in candidate) != any(c.isdigit() for c in typed):
            return False
        # A surname only for a word typed as one (capitalised): "smoking" is no "Smokowski".
        return candidate not in self.names or typed[:1].isupper()

    def _abbreviation(self, typed: str) -> list[str]:
        """The known abbreviation one edit from an abbreviation of four letters or more that the
        archive lacks (PSTD -> PTSD); none when several are (short ones all look alike)."""
        upper = typed.upper()
        if len(upper) < MIN_LENGTH:
            return []
        near = [a for a in self.abbreviations() if a != upper and edit_distance(upper, a, 1) <= 1]
        return near if len(near) == 1 else []
