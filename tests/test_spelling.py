"""The spelling vocabulary (index/spelling.py): what a build writes, and lookups by edit
distance that agree with Whoosh's own (its terms_within over a field of the same words)."""

from __future__ import annotations

import random

from whoosh.fields import TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from index.analysis import clinical_analyzer
from index.spelling import Spelling, edit_distance
from index.store import IndexStore
from tests.conftest import SAMPLE


def _typos(word: str, rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    i = rng.randrange(1, len(word))
    return [word[:i] + word[i + 1:],                                 # a letter dropped
            word[:i] + rng.choice(letters) + word[i:],               # one added
            word[:i] + rng.choice(letters) + word[i + 1:],           # one changed
            word[:i - 1] + word[i:i + 1] + word[i - 1:i] + word[i + 1:],  # two swapped
            word[:i] + rng.choice(letters) + word[i + 2:] + "s"]     # two edits


# Entries of the sample whose title, summary or implications hold each word, counted by reading
# the page (psychodynamic: all six; panic: the panic-disorder and the mentalizing entries).
SAMPLE_COUNTS = {"psychodynamic": 6, "depression": 5, "randomized": 3, "panic": 2,
                 "mentalize": 1, "agoraphobia": 1, "alliance": 0}


def test_the_build_writes_each_words_entry_count(sample_data):
    store = IndexStore(sample_data)
    with store.open().reader() as reader:
        spelling = store.spelling(store.current_name(), reader)
    assert {w: spelling.frequency(w) for w in SAMPLE_COUNTS} == SAMPLE_COUNTS
    assert spelling.frequency("therapi") == 0  # words as typed, not stems
    assert spelling.frequency("therapy") == 5


def test_lookups_by_edit_distance_find_what_whoosh_finds_and_swapped_letters():
    text = SAMPLE.read_text(encoding="utf-8")
    schema = Schema(spell=TEXT(analyzer=clinical_analyzer(stemming=False), phrase=False))
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for paragraph in text.split("\n\n"):
            writer.add_document(spell=paragraph)
    rng = random.Random(11)
    with ix.reader() as reader:
        spelling = Spelling.from_field(reader)
        words = sorted(spelling.frequencies)
        assert len(words) > 300
        checked = swapped = 0
        for word in rng.sample([w for w in words if len(w) >= 5], 60):
            for typo in _typos(word, rng):
                for distance in (1, 2):
                    found = set(spelling.within(typo, distance))
                    # Whoosh counts a swap of two letters as two edits; here it is one.
                    levenshtein = {w.decode() if isinstance(w, bytes) else w
                                   for w in reader.terms_within("spell", typo, distance, prefix=1)}
                    assert levenshtein - {typo} <= found, (typo, distance)
                    assert found == {w for w in words if w != typo and w[0] == typo[0]
                                     and _osa(typo, w) <= distance}, (typo, distance)
                    checked += bool(found)
                    swapped += bool(found - levenshtein)
        assert checked > 200 and swapped > 10
    found = spelling.within("depresion", 1)
    assert found == sorted(found, key=lambda w: (-spelling.frequency(w), w))
    assert "depression" in found


def test_edit_distance_counts_edits_and_stops_past_the_limit():
    assert edit_distance("depresion", "depression", 2) == 1
    assert edit_distance("borderlien", "borderline", 2) == 1  # a swap is one edit
    assert edit_distance("ab", "ba", 1) == 1 and edit_distance("abc", "ca", 3) == 3
    assert edit_distance("depresion", "anxiety", 2) == 3  # past the limit: limit + 1
    assert edit_distance("", "ab", 2) == 2


def _osa(a: str, b: str) -> int:
    """Optimal string alignment distance, the textbook table in full (no early stop)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def test_edit_distance_equals_the_full_table_up_to_its_limit():
    rng = random.Random(4)
    letters = "abcde"
    for _ in range(3000):
        a = "".join(rng.choice(letters) for _ in range(rng.randrange(0, 7)))
        b = "".join(rng.choice(letters) for _ in range(rng.randrange(0, 7)))
        for limit in (1, 2, 3):
            full = _osa(a, b)
            assert edit_distance(a, b, limit) == (full if full <= limit else limit + 1), (a, b)
