"""Reading postings a block at a time (index/postings.py) and what search builds from them give
exactly what Whoosh's own matchers give: documents, weights, positions, BM25F scores, phrase
matches and the proximity bonus, on an index big enough for multi-block and inlined postings.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

from index import postings
from index.analysis import _TOKEN_RE, _outcome, matched_spans, terms, word_index
from index.bitsets import from_docnums, full
from index.ingest import import_paths
from index.schema import TEXT_FIELDS
from index.store import IndexStore
from search.matchset import near
from search.scoring import TermScores

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import write_jsonl  # noqa: E402

RELEVANCE_CORPUS = ROOT / "tests" / "relevance" / "corpus.jsonl"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    """An index of 400 generated entries and the relevance corpus (postings of many blocks,
    and rare words whose postings Whoosh inlines in the term table)."""
    folder = tmp_path_factory.mktemp("postings")
    generated = write_jsonl(folder / "generated.jsonl", 400)
    import_paths(folder / "data", [generated, RELEVANCE_CORPUS])
    ix = IndexStore(folder / "data").open()
    with ix.searcher() as s:
        yield s


def _terms(searcher, field: str) -> list[str]:
    return [t.decode("utf-8") for t in searcher.reader().lexicon(field)]


def _whoosh_postings(searcher, field, text):
    m = searcher.reader().postings(field, text)
    out = []
    while m.is_active():
        out.append((m.id(), m.weight(), m.value()))
        m.next()
    return out


def test_the_index_has_postings_of_several_blocks(searcher):
    assert searcher.doc_frequency("summary", "therapi") > 256  # blocks of 128


def test_other_matchers_are_read_through_whooshs_interface(sample_data):
    """A segment with a deleted document wraps its postings in a filter: the slow path."""
    ix = IndexStore(sample_data).open()
    with ix.searcher() as s:
        victim = s.document_number(id=s.stored_fields(0)["id"])
        before = {t: _whoosh_postings(s, "summary", t) for t in _terms(s, "summary")}
    writable = whoosh_index.open_dir(str(IndexStore(sample_data).current().path))
    with writable.writer() as writer:
        writer.delete_document(victim)
    with IndexStore(sample_data).open().searcher() as s:
        reader = s.reader()
        assert reader.has_deletions()
        decode = reader.schema["summary"].format.decode_positions
        for text, expected in before.items():
            expected = [p for p in expected if p[0] != victim]
            assert list(postings.docnums(reader, "summary", text)) == [d for d, _, _ in expected]
            ids, weights = postings.weights(reader, "summary", text)
            assert list(zip(ids, weights)) == [(d, w) for d, w, _ in expected]
            assert postings.positions(reader, "summary", text, full(10)) == {
                d: decode(v) for d, _, v in expected}
            recent = postings.Recent()
            kept_ids, kept_weights = postings.weights(reader, "summary", text, recent)
            assert (kept_ids, list(kept_weights)) == (ids, weights)
            assert postings.positions(reader, "summary", text, full(10), recent=recent) == {
                d: decode(v) for d, _, v in expected}


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_docnums_weights_and_positions_equal_whooshs_matcher(searcher, field):
    reader = searcher.reader()
    decode = reader.schema[field].format.decode_positions
    everything = full(reader.doc_count_all())
    for text in _terms(searcher, field):
        expected = _whoosh_postings(searcher, field, text)
        assert list(postings.docnums(reader, field, text)) == [d for d, _, _ in expected]
        ids, weights = postings.weights(reader, field, text)
        assert list(zip(ids, weights)) == [(d, w) for d, w, _ in expected]
        assert postings.positions(reader, field, text, everything) == {
            d: decode(v) for d, _, v in expected}
    assert postings.docnums(reader, field, "nosuchword") == postings.docnums(reader, field, "x1")


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_a_kept_whole_posting_list_gives_what_whooshs_matcher_gives(searcher, field):
    """Through `Recent` (one decode for bitset, scores and positions): every term, every
    document's positions, and a few documents' (looked up rather than scanned)."""
    reader = searcher.reader()
    decode = reader.schema[field].format.decode_positions
    size = reader.doc_count_all()
    recent = postings.Recent()
    for text in _terms(searcher, field):
        expected = _whoosh_postings(searcher, field, text)
        assert list(postings.docnums(reader, field, text, recent)) == [d for d, _, _ in expected]
        ids, weights = postings.weights(reader, field, text, recent)
        assert list(zip(ids, weights)) == [(d, w) for d, w, _ in expected]
        assert postings.positions(reader, field, text, full(size), recent=recent) == {
            d: decode(v) for d, _, v in expected}
        few = {d for d, _, _ in expected[::40]} | {size - 1}
        assert postings.positions(reader, field, text, from_docnums(few, size),
                                  recent=recent) == {
            d: decode(v) for d, _, v in expected if d in few}
    assert not postings.docnums(reader, field, "nosuchword", recent)


def test_recent_keeps_at_most_its_capacity_of_postings(searcher):
    reader = searcher.reader()
    recent = postings.Recent(capacity=300)
    big = postings.docnums(reader, "summary", "therapi", recent)
    assert len(big) > 300 and recent._held == 0  # too big to keep: read, not kept
    for text in _terms(searcher, "summary")[:200]:
        postings.docnums(reader, "summary", text, recent)
        assert recent._held <= 300
    assert recent._held == sum(len(w.ids) for w in recent._items.values()) > 150
    last = _terms(searcher, "summary")[199]
    kept = recent.get(reader, "summary", last)
    assert recent.get(reader, "summary", last) is kept


def test_positions_only_for_the_wanted_documents(searcher):
    reader = searcher.reader()
    all_ids = list(postings.docnums(reader, "summary", "therapi"))
    wanted = set(all_ids[::37]) | {max(all_ids)}
    found = postings.positions(reader, "summary", "therapi", from_docnums(wanted, max(all_ids) + 1))
    assert set(found) == wanted
    assert postings.positions(reader, "summary", "therapi", 0) == {}


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_score_arrays_equal_whooshs_bm25f_scores_exactly(searcher, field):
    size = searcher.reader().doc_count_all()
    scores = TermScores(size)
    for text in _terms(searcher, field)[::7]:
        got = scores.of(searcher, field, text)
        m = searcher.postings(field, text)
        expected = [0.0] * size
        while m.is_active():
            expected[m.id()] = m.score()
            m.next()
        from array import array

        assert got == array("f", expected), text
    assert scores.of(searcher, field, "nosuchword") is None


def _phrases(searcher, count: int, rng: random.Random) -> list[list[str]]:
    """Runs of words as they stand in the entries, and some shuffled ones."""
    out = []
    for docnum in rng.sample(range(searcher.doc_count_all()), count):
        words = terms(searcher.stored_fields(docnum)["summary"])
        start = rng.randrange(max(1, len(words) - 4))
        run = words[start:start + rng.choice((2, 2, 3, 4))]
        out.append(run)
        out.append(list(reversed(run)))
    return out


@pytest.mark.parametrize("slop", [1, 4])
def test_phrase_matches_equal_whooshs_phrase_query(searcher, slop):
    reader = searcher.reader()
    rng = random.Random(slop)
    phrases = _phrases(searcher, 60, rng) + [["panic", "disord"], ["therapi", "therapi"]]
    matched = 0
    for words in phrases:
        q = wq.Phrase("summary", words, slop=slop)
        expected = sorted(searcher.docs_for_query(q))
        assert near(reader, "summary", words, slop, full(reader.doc_count_all())) == expected, words
        matched += bool(expected)
    assert matched > 30


def test_proximity_bonus_equals_whooshs_phrase_scores(searcher):
    size = searcher.reader().doc_count_all()
    scores = TermScores(size)
    rng = random.Random(7)
    for words in _phrases(searcher, 20, rng):
        phrases = [wq.Phrase(f, words, slop=4, boost=b)
                   for f, b in (("title", 6.0), ("summary", 2.0), ("implications", 2.6))]
        candidates = list(range(0, size, 3))
        got = scores.proximity(searcher, phrases, candidates)
        m = wq.Or(phrases).matcher(searcher, searcher.context())
        expected = {}
        for docnum in candidates:
            if m.is_active() and m.id() < docnum:
                m.skip_to(docnum)
            if m.is_active() and m.id() == docnum:
                expected[docnum] = m.score()
        assert set(got) == set(expected), words
        for docnum, score in expected.items():
            assert got[docnum] == pytest.approx(score, rel=1e-5)


def _spans_word_by_word(text, wanted):
    out = []
    for m in _TOKEN_RE.finditer(text):
        parts = _outcome(m.group(), True)
        for term in (("".join(parts),) + parts if len(parts) > 1 else parts):
            if term in wanted:
                out.append((m.start(), m.end(), term))
                break
    return out


def test_matched_spans_equal_a_word_by_word_walk_with_or_without_a_kept_word_index(searcher):
    rng = random.Random(3)
    texts = [searcher.stored_fields(d)["summary"] for d in range(0, searcher.doc_count_all(), 9)]
    texts.append("drop-out dropout drop out antidepression Depression's x_depression "
                 "anxiety-related -anxiety anxiety- 'anxiety' a'anxiety b-anxiety ‐anxiety "
                 "anxiety2 2anxiety naïve naive behaviour behavior")
    vocabulary = sorted({t for text in texts for t in terms(text)})
    fixed = frozenset(terms("depression anxiety dropout drop naive behaviour"))
    for text in texts:
        for _ in range(4):
            wanted = frozenset(rng.sample(vocabulary, 4)) | fixed
            expected = _spans_word_by_word(text, wanted)
            assert matched_spans(text, wanted) == expected
            assert matched_spans(text, wanted, word_index(text)) == expected
    assert matched_spans(texts[-1], fixed)  # the fixed words are there to be found


def _best_window_by_brute_force(matches):
    """The first window (a match and those after it ending within SNIPPET_CHARS of a point
    _LEAD before it) with the most distinct terms, then the most matches."""
    from search.snippets import _LEAD, SNIPPET_CHARS

    best, best_start = (-1, -1), 0
    for i, (m_start, _, _) in enumerate(matches):
        start = max(0, m_start - _LEAD)
        inside = [m for m in matches[i:] if m[1] <= start + SNIPPET_CHARS]
        score = (len({m[2] for m in inside}), len(inside))
        if score > best:
            best, best_start = score, start
    return best, best_start


def test_the_snippet_window_is_the_best_one(searcher):
    from search.snippets import _PER_TERM, _best_window

    rng = random.Random(5)
    texts = [searcher.stored_fields(d)["summary"] for d in range(0, searcher.doc_count_all(), 5)]
    vocabulary = sorted({t for text in texts[:40] for t in terms(text)})
    compared = 0
    for text in texts:
        for size in (1, 3, 6):
            matches = matched_spans(text, frozenset(rng.sample(vocabulary, size)))
            if matches:
                score, start = _best_window(matches)
                expected = _best_window_by_brute_force(matches)
                assert (divmod(score, _PER_TERM), start) == expected
                compared += 1
    assert compared > 60


def test_a_phrase_is_marked_in_exactly_the_texts_whoosh_finds_it_in(searcher):
    from search.snippets import Marks, _spans

    rng = random.Random(9)
    texts = {d: searcher.stored_fields(d)["summary"] for d in range(searcher.doc_count_all())}
    phrases = _phrases(searcher, 40, rng) + [["dropout", "rate"], ["cognit", "behavior", "therapi"]]
    marked_somewhere = 0
    for words in phrases:
        found = set(searcher.docs_for_query(wq.Phrase("summary", words)))
        marks = Marks(phrases=frozenset({tuple(words)}))
        for docnum in sorted(found) + rng.sample(sorted(set(texts) - found), 5):
            spans = _spans(texts[docnum], marks)
            assert bool(spans) == (docnum in found), (words, docnum)
            assert {term for _, _, term in spans} <= set(words)
        marked_somewhere += bool(found)
    assert marked_somewhere > 30
