"""The analyzer: which words meet, which stay apart, what is never a term."""

from __future__ import annotations

import json

import pytest

from index.analysis import clinical_analyzer, name_analyzer, terms
from index.ingest import import_paths
from search.records import SearchRequest
from search.service import SearchService


def indexed(text: str) -> list[tuple[str, int]]:
    """The (term, position) pairs the index stores for a text."""
    return [(t.text, t.pos) for t in clinical_analyzer()(text, positions=True)]


@pytest.mark.parametrize("words", [
    ("mentalizing", "mentalization", "mentalising", "mentalisation", "mentalize", "mentalized"),
    ("behaviour", "behavior", "behavioural", "behavioral"),
    ("randomised", "randomized"),
    ("counselling", "counseling"),
    ("drop-out", "dropout", "Drop‑out"),  # the last with a non-breaking hyphen
    ("Flückiger", "fluckiger", "FLUCKIGER"),
    ("analyse", "analyze", "analyses", "analysis"),
    ("meta-analysis", "meta-analyses", "metaanalysis"),
    ("organisation", "organization"),
    ("paediatric", "pediatric"),
    ("centre", "center"),
    ("patient's", "patient’s", "patient", "patients"),
])
def test_variants_become_one_term(words):
    found = [terms(word) for word in words]

    assert found == [found[0]] * len(words)
    assert len(found[0]) == 1


def test_mentalizing_is_not_mental():
    assert terms("mentalizing mentalization mentalising mental") == [
        "mentaliz", "mentaliz", "mentaliz", "mental"
    ]


@pytest.mark.parametrize("apart", [
    ("personality", "person"),
    ("transference", "transfer"),
    ("university", "universe"),
    ("psychiatry", "psyche"),
])
def test_protected_terms_stay_apart_from_their_porter_neighbours(apart):
    a, b = apart
    assert terms(a) != terms(b)


def test_drop_out_is_indexed_as_its_parts_and_the_joined_word_in_place():
    assert indexed("High drop-out rates") == [
        ("high", 0), ("drop", 1), ("dropout", 1), ("out", 2), ("dropout", 2), ("rate", 3),
    ]


def test_numbers_and_statistics_are_not_terms():
    assert terms("1.47") == []
    assert terms("95%") == []
    assert terms("Hedges g = 1.47, 95% CI [0.90, 2.10], p < .001, n = 57") == ["hedg", "ci"]
    assert indexed("d = 0.67 in 2021 (k = 136)") == [("in", 3)]  # dropped words keep their places


def test_author_names_are_folded_but_not_stemmed():
    names = [t.text for t in name_analyzer()("Flückiger, C., Del Re, A. C., & Wampold, B. E.")]

    assert names == ["fluckiger", "c", "del", "re", "a", "c", "wampold", "b", "e"]


FLUCKIGER_LINE = {
    "month": "2019-02", "title": "The Alliance in Adult Psychotherapy",
    "citation": "Flückiger, C., Del Re, A. C., Wampold, B. E., & Horvath, A. O. (2018). "
                "The alliance in adult psychotherapy: A meta-analytic synthesis. "
                "Psychotherapy, 55(4), 316–340.",
    "summary": "The alliance predicts outcome.",
    "topics": ["Alliance and Therapeutic Relationship"],
    "research_type": "Meta-analysis or Systematic Review",
}
OTHER_LINE = {
    "month": "2019-03", "title": "Feedback Works", "citation": "Lambert, M. J. (2018). Feedback.",
    "summary": "Routine outcome monitoring helps. Fluckiger is not an author here.",
    "topics": ["Feedback and Progress Monitoring"], "research_type": "Review or Book Chapter",
}


@pytest.fixture
def alliance_index(empty_data, tmp_path):
    path = tmp_path / "alliance.jsonl"
    path.write_text(
        "\n".join(json.dumps(line, ensure_ascii=False) for line in (FLUCKIGER_LINE, OTHER_LINE)),
        encoding="utf-8",
    )
    import_paths(empty_data, [path])
    return SearchService(empty_data, answer_cache=0)


@pytest.mark.parametrize("q", ["author:Fluckiger", "author:Flückiger", "author:FLUCKIGER"])
def test_author_search_finds_the_accented_name_either_way(alliance_index, q):
    result = alliance_index.search(SearchRequest(q=q))

    assert [hit.id for hit in result.hits] == ["2019-02-the-alliance-in-adult-psychotherapy"]


def test_author_search_looks_only_at_authors(alliance_index):
    assert alliance_index.search(SearchRequest(q="author:Lambert")).total == 1
    assert [h.id for h in alliance_index.search(SearchRequest(q="author:Horvath")).hits] == [
        "2019-02-the-alliance-in-adult-psychotherapy"
    ]
    assert alliance_index.search(SearchRequest(q="author:alliance")).total == 0


def test_a_number_in_the_query_is_left_out_and_said_so(alliance_index):
    result = alliance_index.search(SearchRequest(q="alliance 1.47"))

    assert result.interpreted.ignored == ("1.47",)
    assert [hit.id for hit in result.hits] == ["2019-02-the-alliance-in-adult-psychotherapy"]


# --- bugs found ---------------------------------------------------------------------------


@pytest.mark.parametrize("words", [
    ("regulate", "regulated", "regulating", "regulation"),
    ("randomize", "randomized", "randomization"),
    ("motivated", "motivation"),
    ("plan", "planned", "planning"),
    ("drop", "dropped"),
])
def test_inflections_of_one_word_become_one_term(words):
    found = [terms(word) for word in words]

    assert found == [found[0]] * len(words)


def test_supervise_supervised_and_supervision_meet():
    assert terms("supervise") == terms("supervised") == terms("supervision")


@pytest.mark.parametrize("pair", [("emphasise", "emphasize"), ("litre", "liter"),
                                  ("defence", "defense")])
def test_more_spelling_variants_meet(pair):
    assert terms(pair[0]) == terms(pair[1])


def test_term_positions_make_the_same_postings_as_whoosh_positions():
    """The build's one-pass analysis (term_positions, index/segment.py) gives each term the
    positions Whoosh's Positions format gives it through the tokenizer."""
    from whoosh.formats import Positions

    from index.analysis import clinical_analyzer, term_positions

    texts = [
        "Drop-out rates fell; the client’s well-being and the patient's drop out were reported.",
        "Mentalization-based treatment (MBT) vs. CBT: d = 0.47, 95% CI, n = 1,203 — Flückiger",
        "Behavioural counselling in paediatric care, re-analysed; self-harm and self harm",
        "", "- -- 12 3.4 ’s",
    ]
    analyzer = clinical_analyzer()
    fmt = Positions()
    for text in texts:
        expected = {term: fmt.decode_positions(value)
                    for term, _, _, value in fmt.word_values(text, analyzer, mode="index")}
        assert term_positions(text) == expected, text
    # The joined word at its first and last part's positions, the parts at their own.
    assert term_positions(texts[0])["dropout"] == [0, 1]
    assert term_positions(texts[0])["drop"] == [0, 11]


def test_token_positions_place_each_word_where_the_index_does():
    """Snippets find a phrase by the positions of its words (token_positions): each word's
    position and terms are those Whoosh's Positions format gives the same text."""
    from whoosh.formats import Positions

    from index.analysis import clinical_analyzer, token_positions, word_index

    texts = [
        "Drop-out rates fell; the client’s well-being and the patient's drop out were reported.",
        "Mentalization-based treatment (MBT) vs. CBT: d = 0.47, 95% CI, panic 2 disorder",
        "", "- -- 12 3.4 ’s",
    ]
    fmt = Positions()
    for text in texts:
        expected = {(term, pos) for term, _, _, value in
                    fmt.word_values(text, clinical_analyzer(), mode="index")
                    for pos in fmt.decode_positions(value)}
        found = set()
        for at, (pos, parts) in token_positions(text).items():
            assert text[at].isalnum(), (text, at)
            for k, part in enumerate(parts):
                found.add((part, pos + k))
            if len(parts) > 1:  # the joined word at its first and last part
                found |= {("".join(parts), pos), ("".join(parts), pos + len(parts) - 1)}
        assert found == expected, text
    # Kept with a word index: worked out once.
    index = word_index(texts[0])
    assert token_positions(texts[0], index) is token_positions(texts[0], index)
    assert token_positions(texts[0])[texts[0].index("rates")] == (2, ("rate",))
