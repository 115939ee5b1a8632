"""The query language: what each input parses to, and malformed input that must never raise."""

from __future__ import annotations

import pytest

from search.querylang import And, Not, Or, Phrase, Word, YearRange, parse
from search.records import SearchRequest
from search.service import SearchService


@pytest.mark.parametrize("text, tree", [
    ("panic", Word("panic")),
    ("panic disorder", And((Word("panic"), Word("disorder")))),
    ("panic AND disorder", And((Word("panic"), Word("disorder")))),
    ('"panic disorder"', Phrase("panic disorder")),
    ('"panic disorder" agoraphobia', And((Phrase("panic disorder"), Word("agoraphobia")))),
    ("panic -agoraphobia", And((Word("panic"), Not(Word("agoraphobia"))))),
    ("panic NOT agoraphobia", And((Word("panic"), Not(Word("agoraphobia"))))),
    ("+panic", Word("panic")),
    ("CBT OR IPT depression", And((Or((Word("CBT"), Word("IPT"))), Word("depression")))),
    ("depression CBT OR IPT", And((Word("depression"), Or((Word("CBT"), Word("IPT")))))),
    ("CBT || IPT || PDT", Or((Word("CBT"), Word("IPT"), Word("PDT")))),
    ("(CBT OR IPT) (depression OR anxiety)",
     And((Or((Word("CBT"), Word("IPT"))), Or((Word("depression"), Word("anxiety")))))),
    ("title:panic", Word("panic", "title")),
    ("TITLE:panic", Word("panic", "title")),
    ('title:"panic disorder"', Phrase("panic disorder", "title")),
    ("title:(panic OR anxiety)", Or((Word("panic", "title"), Word("anxiety", "title")))),
    ("author:Flückiger", Word("Flückiger", "authors")),
    ("authors:Tasca", Word("Tasca", "authors")),
    ("implications:dropout", Word("dropout", "implications")),
    ("summary:alliance", Word("alliance", "summary")),
    ("journal:Psychotherapy", Word("Psychotherapy", "citation")),
    ("year:2021", YearRange("2021", "2021")),
    ("year:2019..2022", YearRange("2019", "2022")),
    ("year:2019-2022", YearRange("2019", "2022")),
    ("panic year:2021..2023", And((Word("panic"), YearRange("2021", "2023")))),
    ("-year:2021", Not(YearRange("2021", "2021"))),
    ("unknown:field", Word("unknown:field")),
    ("http://doi.org/10.1192", Word("http://doi.org/10.1192")),
])
def test_parse_gives_the_tree(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize("text, tree", [
    ("", None),
    ("   ", None),
    ('"unbalanced phrase', Phrase("unbalanced phrase")),
    ('panic "', Word("panic")),
    ('""', None),
    ("AND", None),
    ("OR", None),
    ("NOT", None),
    ("AND OR NOT", None),
    ("panic AND", Word("panic")),
    ("OR panic", Word("panic")),
    ("panic OR", Word("panic")),
    ("title:", None),
    ("title: panic", Word("panic")),
    ("year:abc", None),
    ("year:", None),
    (")(", None),
    ("((panic", Word("panic")),
    ("panic))", Word("panic")),
    ("-", Word("-")),
])
def test_malformed_input_degrades_to_what_can_be_searched(text, tree):
    assert parse(text) == tree


PUNCTUATION = "!@#$%^&*()_+-=[]{};':\",./<>?\\|`~"
ALL = 6  # the sample's entries: a query with nothing searchable lists every one

# (input, what it parses to, how many sample entries its search finds). A search sees at most
# 2,000 characters, so the longest inputs search only their start (see each note).
HOSTILE = [
    ('"unbalanced', Phrase("unbalanced"), 0),
    ('a "b c', And((Word("a"), Phrase("b c"))), ALL),  # a stopword and one-letter words
    ("AND", None, ALL),
    ("title:", None, ALL),
    ("author:", None, ALL),
    ("year:", None, ALL),
    ("-", Word("-"), ALL),
    ("--", Word("--"), ALL),
    ("NOT NOT NOT", None, ALL),
    ("(" * 3000 + "panic" + ")" * 3000, Word("panic"), ALL),  # searched: 2,000 "("
    ("(" * 3000, None, ALL),
    (")" * 3000, None, ALL),
    ("NOT " * 1000 + "panic", Not(Word("panic")), ALL),  # searched: 500 NOTs, no word
    ("-" * 2000, Word("-" * 2000), ALL),
    ("title:(" * 500, None, 0),  # searched: its first 2,000 characters, ending "title:(title"
    ('"' * 2000, None, ALL),
    ("OR " * 600, None, ALL),
    ("panic OR " * 20 + "OR " * 300, Word("panic"), 2),  # the same branch twenty times: one
    ("year:9999..0000", YearRange("9999", "0000"), 0),
    ("\x00\x01\u200b\ufeff panic", And((Word("\x00\x01\u200b\ufeff"), Word("panic"))), 2),
    ("😀 ψ 你好", And((Word("😀"), Word("ψ"), Word("你好"))), 0),  # no entry holds 你好
]


@pytest.mark.parametrize("text, tree, total", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_parses_to_what_it_says(text, tree, total):
    assert parse(text) == tree


@pytest.fixture(scope="module")
def service(sample_template):
    return SearchService(sample_template, answer_cache=0)


@pytest.mark.parametrize("text, tree, total", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_still_searches(service, text, tree, total):
    result = service.search(SearchRequest(q=" ".join(text.split())[:2000]))

    assert result.total == total
    assert len(result.hits) == min(total, 10)


@pytest.mark.parametrize("q, ids", [
    ("title:panic", ["2021-11-psychological-treatments-for-panic-disorder"]),
    ("implications:panic", ["2021-11-psychological-treatments-for-panic-disorder"]),
    ("year:2021", ["2021-11-psychological-treatments-for-panic-disorder",
                   "2021-06-psychotherapies-for-depression"]),
    ("year:2022..2023", ["2023-03-capacity-to-mentalize-predicted-outcomes-in-inpatient-therapy-for-resistant-depression",
                         "2022-12-adding-short-term-psychodynamic-psychotherapy-to-antidepressants",
                         "2022-06-the-evidence-for-psychodynamic-therapy"]),
    ("panic -agoraphobia", ["2023-03-capacity-to-mentalize-predicted-outcomes-in-inpatient-therapy-for-resistant-depression"]),
    ('"panic disorder" -year:2021', ["2023-03-capacity-to-mentalize-predicted-outcomes-in-inpatient-therapy-for-resistant-depression"]),
    ("author:Papola", ["2021-11-psychological-treatments-for-panic-disorder"]),
    ("title:(panic OR personality)", ["2021-11-psychological-treatments-for-panic-disorder",
                                      "2020-08-is-psychodynamic-therapy-effective-for-treating-personality-disorders"]),
])
def test_parsed_queries_search_what_they_say(service, q, ids):
    result = service.search(SearchRequest(q=q, sort="newest"))

    assert [hit.id for hit in result.hits] == ids


@pytest.mark.parametrize("text, tree", [
    ('-"panic disorder"', Not(Phrase("panic disorder"))),
    ("-(panic OR anxiety)", Not(Or((Word("panic"), Word("anxiety"))))),
])
def test_minus_excludes_a_phrase_or_group(text, tree):
    assert parse(text) == tree


def test_minus_phrase_search_leaves_out_the_phrase(service):
    result = service.search(SearchRequest(q='therapy -"panic disorder"', sort="newest"))

    assert [hit.id for hit in result.hits] == [
        "2022-06-the-evidence-for-psychodynamic-therapy",
        "2021-06-psychotherapies-for-depression",
        "2020-08-is-psychodynamic-therapy-effective-for-treating-personality-disorders",
    ]
