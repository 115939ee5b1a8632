"""Search as you type: the last word of a query being typed also matches the words that start
with it (bounded, at a lower weight); a submitted search keeps whole words."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from index.spelling import Spelling
from search.compile import (FIELD_BOOSTS, PREFIX_MAX_WORDS, PREFIX_MIN_LETTERS, PREFIX_WEIGHT,
                            compile_query)
from search.params import parse_request
from search.records import SearchRequest
from search.service import SearchService
from search.synonyms import Synonyms

from conftest import PANIC


def _terms(q: wq.Query) -> dict[str, float]:
    """Each title term of a compiled query with its boost (title carries FIELD_BOOSTS['title'])."""
    found = {}
    for leaf in q.leaves():
        if isinstance(leaf, wq.Term) and leaf.fieldname == "title":
            found[leaf.text] = round(leaf.boost / FIELD_BOOSTS["title"], 6)
    return found


VOCABULARY = Spelling({"disorder": 5, "disorders": 4, "distress": 3, "disparaged": 1,
                       "panic": 2, "panicked": 1, "depression": 5})


def _starting(word):
    return VOCABULARY.starting(word, PREFIX_MAX_WORDS)


def test_spelling_lists_words_by_their_start_commonest_first_and_bounded():
    assert VOCABULARY.starting("dis", 10) == ["disorder", "disorders", "distress", "disparaged"]
    assert VOCABULARY.starting("dis", 2) == ["disorder", "disorders"]
    assert VOCABULARY.starting("disorder", 10) == ["disorder", "disorders"]
    assert VOCABULARY.starting("zz", 10) == []
    assert VOCABULARY.starting("", 10) == []
    assert VOCABULARY.starting("dis", 0) == []


def test_the_last_word_expands_to_words_starting_with_it_at_a_lower_weight():
    compiled = compile_query("panic dis", Synonyms(), known=lambda t: t in {"panic", "disord"},
                             starting=_starting)
    assert compiled.completed == "dis"
    # "dis" is not a word: only the completions, each at PREFIX_WEIGHT (disorder(s) are one stem).
    assert _terms(compiled.query) == {"panic": 1.0, "disord": PREFIX_WEIGHT,
                                      "distress": PREFIX_WEIGHT, "disparag": PREFIX_WEIGHT}


def test_a_complete_word_keeps_its_full_weight_and_also_completes():
    compiled = compile_query("panic", Synonyms(), known=lambda t: True, starting=_starting)
    assert _terms(compiled.query) == {"panic": 1.0, "panick": PREFIX_WEIGHT}


def test_only_the_last_word_and_only_from_the_minimum_length():
    compiled = compile_query("dis panic", Synonyms(), known=lambda t: True, starting=_starting)
    assert "distress" not in _terms(compiled.query)
    short = "di"[:PREFIX_MIN_LETTERS - 1]
    compiled = compile_query(f"panic {short}", Synonyms(), known=lambda t: True, starting=_starting)
    assert compiled.completed == "" and "disord" not in _terms(compiled.query)


def test_the_expansion_is_bounded():
    many = Spelling({f"dis{chr(97 + i)}{chr(97 + j)}x": 100 - i * 26 - j
                     for i in range(26) for j in range(26)})
    compiled = compile_query("dis", Synonyms(), known=lambda t: False,
                             starting=lambda w: many.starting(w, PREFIX_MAX_WORDS))
    assert len(_terms(compiled.query)) == PREFIX_MAX_WORDS
    # Even a lookup that returns too many words expands to at most PREFIX_MAX_WORDS.
    compiled = compile_query("dis", Synonyms(), known=lambda t: False,
                             starting=lambda w: many.starting(w, 1000))
    assert len(_terms(compiled.query)) == PREFIX_MAX_WORDS


def test_without_a_lookup_words_stay_whole():
    compiled = compile_query("panic dis", Synonyms(), known=lambda t: t in {"panic", "dis"})
    assert compiled.completed == ""
    assert _terms(compiled.query) == {"panic": 1.0, "dis": 1.0}


def test_prefix_is_a_parameter_that_no_address_carries():
    req = parse_request(lambda name: {"q": ["panic dis"], "prefix": ["1"]}.get(name, []))
    assert req.prefix is True
    assert req.query_string() == "q=panic+dis"
    assert parse_request(lambda name: {"q": ["x"]}.get(name, [])).prefix is False


@pytest.fixture(scope="module")
def service(sample_template):
    svc = SearchService(sample_template, answer_cache=0)
    yield svc
    svc.close()


def test_typing_panic_dis_finds_the_panic_disorder_entry_first(service):
    typed = service.search(SearchRequest(q="panic dis", prefix=True))
    assert typed.hits[0].id == PANIC
    assert typed.interpreted.missing == () and typed.suggestion is None
    assert "<mark>Disorder</mark>" in typed.hits[0].title_html
    # Submitted, the same words are whole words: no entry mentions "dis".
    submitted = service.search(SearchRequest(q="panic dis"))
    assert submitted.total == 0 and submitted.interpreted.missing == ("dis",)


def test_a_start_no_word_has_is_still_a_word_no_entry_mentions(service):
    result = service.search(SearchRequest(q="panic xyzab", prefix=True))
    assert result.total == 0 and result.interpreted.missing == ("xyzab",)


def test_a_whole_word_ranks_above_a_word_that_only_starts_with_it(service):
    # "therap" is no word: entries match by therapy/therapies/therapist at the prefix weight;
    # typing the whole word ranks the same entries with therapy at full weight.
    typed = service.search(SearchRequest(q="therapy", prefix=True))
    whole = service.search(SearchRequest(q="therapy"))
    assert typed.total >= whole.total
    assert {h.id for h in whole.hits} <= {h.id for h in typed.hits}


def test_the_start_of_an_authors_name_completes_from_the_citations(service):
    # Surnames are not in the vocabulary of summaries; the citations' own words complete them.
    typed = service.search(SearchRequest(q="cuij", prefix=True))
    assert typed.total == 2 and typed.interpreted.missing == ()
    assert service.search(SearchRequest(q="cuij")).interpreted.missing == ("cuij",)
