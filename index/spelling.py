"""The index's words as people type them (unstemmed), with how many entries hold each: what
"did you mean" and spelling tolerance look a typed word up in.

A build writes it as one file beside the index. As a Whoosh field it held a third of all
postings and cost a third of a build, to answer "which words are there, how common".
"""

from __future__ import annotations

import bisect
import pickle
from collections import Counter
from pathlib import Path
from typing import Mapping

FILE = "spelling.pickle"


class Spelling:
    """Words and their document frequencies, searchable by edit distance."""

    def __init__(self, frequencies: dict[str, int], written: dict[str, str] | None = None):
        self.frequencies = frequencies
        # How a word the analysis respells is written in the entries, to show it as written.
        self.written = written or {}
        # first letter -> length -> words, built for a letter when a word starting with it is
        # first looked up
        self._buckets: dict[str, dict[int, list[str]]] = {}
        self._sorted: list[str] | None = None  # every word in order, for prefix lookups
        # (word, distance) -> what `within` found: the vocabulary is fixed for a generation.
        self._within: dict[tuple[str, int], tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self.frequencies)

    def frequency(self, word: str) -> int:
        return self.frequencies.get(word, 0)

    def as_written(self, word: str) -> str:
        """The word as the entries write it (psycheducation -> psychoeducation)."""
        return self.written.get(word, word)

    def within(self, word: str, distance: int) -> list[str]:
        """The words, other than `word`, at most `distance` edits from it (edit_distance: a
        swap of two letters is one) that begin with its first letter, most frequent first."""
        if not word:
            return []
        key = (word, distance)
        found = self._within.get(key)
        if found is None:
            found = self._look_up(word, distance)
            if len(self._within) >= _WITHIN_KEPT:
                self._within.clear()
            self._within[key] = found
        return list(found)

    def _look_up(self, word: str, distance: int) -> tuple[str, ...]:
        by_length = self._bucket(word[0])
        letters = set(word)
        found = []
        for length in range(len(word) - distance, len(word) + distance + 1):
            for candidate in by_length.get(length, ()):
                # An edit changes at most two of the letters one word has and the other lacks:
                # a quick, exact test that spares most edit distances.
                if (candidate != word and len(letters.symmetric_difference(candidate)) <= 2 * distance
                        and edit_distance(word, candidate, distance) <= distance):
                    found.append(candidate)
        return tuple(sorted(found, key=lambda w: (-self.frequencies[w], w)))

    def starting(self, prefix: str, limit: int) -> list[str]:
        """At most `limit` words that start with `prefix` (itself included when it is a
        word), most frequent first: what the word being typed may become."""
        if not prefix or limit <= 0:
            return []
        words = self._sorted
        if words is None:
            words = self._sorted = sorted(self.frequencies)
        found = []
        for i in range(bisect.bisect_left(words, prefix), len(words)):
            if not words[i].startswith(prefix):
                break
            found.append(words[i])
        found.sort(key=lambda w: (-self.frequencies[w], w))
        return found[:limit]

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
            pickle.dump({"frequencies": self.frequencies, "written": self.written}, f,
                        protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, folder: Path) -> "Spelling | None":
        """The words a build wrote (None for an index built before they were written)."""
        try:
            with open(Path(folder) / FILE, "rb") as f:
                saved = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError):
            return None
        if isinstance(saved.get("frequencies"), dict):
            return cls(saved["frequencies"], saved.get("written"))
        return cls(saved)  # built before written forms were kept: frequencies alone

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
        self.forms: Counter[tuple[str, str]] = Counter()  # (word, as written): entries

    def add(self, words: Mapping[str, str]) -> None:
        """One entry's distinct words, each with how it is written there."""
        self.counts.update(words.keys())
        self.forms.update(words.items())

    def merge(self, other: "SpellingCounter") -> None:
        """Another counter's entries added to this one's (a build's runs of entries, joined)."""
        self.counts.update(other.counts)
        self.forms.update(other.forms)

    def spelling(self) -> Spelling:
        """The counts, and for a word never written as the analysis spells it, its commonest
        written form (mentalising and mentalizing both written: mentalizing stays)."""
        best: dict[str, tuple[int, str]] = {}
        for (word, written), count in self.forms.items():
            if (count, written) > best.get(word, (0, "")):
                best[word] = (count, written)
        written = {word: form for word, (_, form) in best.items()
                   if form != word and (word, word) not in self.forms}
        return Spelling(dict(self.counts), written)


# Look-ups kept per vocabulary (all dropped when full).
_WITHIN_KEPT = 4096


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
