"""The index's words as people type them (unstemmed), with how many entries hold each: what
"did you mean" and spelling tolerance look a typed word up in.

A build writes it as one file beside the index. As a Whoosh field it held a third of all
postings and cost a third of a build, to answer "which words are there, how common".
"""

from __future__ import annotations

import pickle
from collections import Counter
from pathlib import Path
from typing import Iterable

FILE = "spelling.pickle"


class Spelling:
    """Words and their document frequencies, searchable by edit distance."""

    def __init__(self, frequencies: dict[str, int]):
        self.frequencies = frequencies
        # first letter -> length -> words, built for a letter when a word starting with it is
        # first looked up
        self._buckets: dict[str, dict[int, list[str]]] = {}

    def __len__(self) -> int:
        return len(self.frequencies)

    def frequency(self, word: str) -> int:
        return self.frequencies.get(word, 0)

    def within(self, word: str, distance: int) -> list[str]:
        """The words, other than `word`, at most `distance` edits from it (edit_distance: a
        swap of two letters is one) that begin with its first letter, most frequent first."""
        if not word:
            return []
        by_length = self._bucket(word[0])
        found = []
        for length in range(len(word) - distance, len(word) + distance + 1):
            for candidate in by_length.get(length, ()):
                if candidate != word and edit_distance(word, candidate, distance) <= distance:
                    found.append(candidate)
        return sorted(found, key=lambda w: (-self.frequencies[w], w))

    def _bucket(self, letter: str) -> dict[int, list[str]]:
        bucket = self._buckets.get(letter)
        if bucket is None:
            bucket = {}
            for w in self.frequencies:
                if w[0] == letter:
                    bucket.setdefault(len(w), []).append(w)
            self._buckets[letter] = bucket
        return bucket

    def save(self, folder: Path) -> None:
        with open(Path(folder) / FILE, "wb") as f:
            pickle.dump(self.frequencies, f, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, folder: Path) -> "Spelling | None":
        """The words a build wrote (None for an index built before they were written)."""
        try:
            with open(Path(folder) / FILE, "rb") as f:
                return cls(pickle.load(f))
        except (OSError, pickle.UnpicklingError, EOFError):
            return None

    @classmethod
    def from_field(cls, reader, field: str = "spell") -> "Spelling":
        """The words of an older index, which kept them as a field."""
        if field not in reader.indexed_field_names():
            return cls({})
        return cls({term.decode("utf-8"): reader.doc_frequency(field, term)
                    for term in reader.lexicon(field)})


class SpellingCounter:
    """Counts, entry by entry, the entries each word occurs in."""

    def __init__(self):
        self.counts: Counter[str] = Counter()

    def add(self, words: Iterable[str]) -> None:
        """One entry's distinct words."""
        self.counts.update(words)

    def spelling(self) -> Spelling:
        return Spelling(dict(self.counts))


def edit_distance(a: str, b: str, limit: int) -> int:
    """The edits between a and b (insert, delete or change a letter, or swap two neighbouring
    letters: one edit each, the commonest typos), or limit + 1 once it is sure to exceed
    `limit`. Optimal string alignment: no letter is edited twice."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb and ca != cb:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        # Rows never get smaller (a swap's cell is at least the diagonal one before it).
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[-1], limit + 1)
