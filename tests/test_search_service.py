"""The search service over the six sample entries: ranking, highlighting, facets, suggestions,
the answer cache, and escaping."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from whoosh import query as wq

from index.ingest import import_paths
from index.store import IndexStore
from search.compile import (FUZZY_WEIGHT, MAX_SPELLING_LOOKUPS, MAX_WORDS, SYNONYM_WEIGHT,
                            compile_query)
from search.errors import BadParameter
from search.records import Hit, Offer, SearchRequest, Suggestion
from search.service import SearchService
from search.synonyms import Synonyms

from conftest import PANIC

MENTALIZE = "2023-03-capacity-to-mentalize-predicted-outcomes-in-inpatient-therapy-for-resistant-depression"
STPP = "2022-12-adding-short-term-psychodynamic-psychotherapy-to-antidepressants"
EVIDENCE = "2022-06-the-evidence-for-psychodynamic-therapy"
DEPRESSION = "2021-06-psychotherapies-for-depression"
PERSONALITY = "2020-08-is-psychodynamic-therapy-effective-for-treating-personality-disorders"
NEWEST_FIRST = [MENTALIZE, STPP, EVIDENCE, PANIC, DEPRESSION, PERSONALITY]

PDT = "Psychodynamic Therapy (PDT)"
DEPRESSIVE = "Depression and Depressive Symptoms"
LONG_TERM = "Long-term Outcomes"
META = "Meta-analysis or Systematic Review"
REVIEW = "Review or Book Chapter"
SINGLE = "Single Empirical Study"


@pytest.fixture(scope="module")
def service(sample_template):
    """A service over the shared sample index; these tests only read it."""
    return SearchService(sample_template, answer_cache=0)


def search(service, q="", **params) -> list[str]:
    return [hit.id for hit in service.search(SearchRequest(q=q, **params)).hits]


def facet(result, param: str) -> dict[str, tuple[int, bool]]:
    """One facet group as {value: (count, selected)}."""
    group = next(g for g in result.facets if g.param == param)
    return {v.value: (v.count, v.selected) for v in group.values}


# --- ranking, highlighting, order --------------------------------------------------------


def test_panic_disorder_ranks_the_panic_entry_first_with_marks(service):
    result = service.search(SearchRequest(q="panic disorder"))

    assert [hit.id for hit in result.hits] == [PANIC, MENTALIZE]
    first = result.hits[0]
    assert first.score > result.hits[1].score
    assert first.evidence.design == "network meta-analysis"  # tests/test_evidence.py: the rest
    assert replace(first, score=None, evidence=None) == Hit(
        id=PANIC,
        title="Psychological Treatments for Panic Disorder",
        title_html="Psychological Treatments for <mark>Panic</mark> <mark>Disorder</mark>",
        month="2021-11",
        url="https://socialsciences.uottawa.ca/pprnet/blog",
        citation=(
            "Papola, D., Ostuzzi, G., Tedeschi, F., Gastaldon, C., Purgato, M., Del Giovane, C., "
            ". . . Barbui, C. (2021). Comparative efficacy and acceptability of psychotherapies for "
            "panic disorder with or without agoraphobia: Systematic review and network "
            "meta-analysis of randomised controlled trials. The British Journal of Psychiatry, "
            "1-13. doi:10.1192/bjp.2021.148"
        ),
        topics=("Anxiety Disorders", "Attendance, Attrition, and Drop-Out",
                "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)",
                "Efficacy of Treatments", PDT),
        research_type=META,
        # The Practice Implications hold both words: the snippet comes from them, and says so.
        snippet_html=(
            "… short-term dynamic therapy are efficacious treatments for <mark>panic</mark> "
            "<mark>disorder</mark>. The authors suggest that these treatments should be "
            "considered as first line interventions. These findings confirm a growing trend "
            "indicating …"
        ),
        score=None,
        snippet_from="implications",
        citation_html=(
            "Papola, D., Ostuzzi, G., Tedeschi, F., Gastaldon, C., Purgato, M., Del Giovane, C., "
            ". . . Barbui, C. (2021). Comparative efficacy and acceptability of psychotherapies for "
            "<mark>panic</mark> <mark>disorder</mark> with or without agoraphobia: Systematic "
            "review and network meta-analysis of randomised controlled trials. The British Journal "
            "of Psychiatry, 1-13. doi:10.1192/bjp.2021.148"
        ),
    )
    # The second hit's snippet is the passage that holds the words, not the summary's opening.
    assert result.hits[1].snippet_html.startswith("… ")
    assert "<mark>panic</mark> <mark>disorder</mark>" in result.hits[1].snippet_html


def test_an_empty_query_lists_all_six_newest_first(service):
    result = service.search(SearchRequest())

    assert result.total == 6
    assert [hit.id for hit in result.hits] == NEWEST_FIRST
    assert [hit.score for hit in result.hits] == [None] * 6


def test_sort_oldest_and_newest(service):
    assert search(service, sort="oldest") == NEWEST_FIRST[::-1]
    assert search(service, "depression", sort="newest") == [MENTALIZE, STPP, EVIDENCE, PANIC, DEPRESSION]
    assert search(service, "depression", sort="oldest") == [DEPRESSION, PANIC, EVIDENCE, STPP, MENTALIZE]


def test_pages_split_the_hits(service):
    pages = [service.search(SearchRequest(per_page=4, page=n)) for n in (1, 2, 3)]

    assert [[hit.id for hit in p.hits] for p in pages] == [NEWEST_FIRST[:4], NEWEST_FIRST[4:], []]
    assert [(p.total, p.pages) for p in pages] == [(6, 2)] * 3


def test_the_title_outweighs_the_body(service):
    assert search(service, "depression")[0] == DEPRESSION  # the one with it in its title
    assert search(service, "personality")[0] == PERSONALITY


def test_abbreviations_find_their_long_forms(service):
    result = service.search(SearchRequest(q="IPT", sort="newest"))

    assert [hit.id for hit in result.hits] == [PANIC, DEPRESSION]
    assert result.interpreted.expansions == ("IPT → interpersonal psychotherapy / interpersonal therapy",)


def test_spelling_variants_find_each_other(service):
    assert search(service, "randomised", sort="newest") == search(service, "randomized", sort="newest")
    assert search(service, "behaviour", sort="newest") == search(service, "behavior", sort="newest")
    assert search(service, "mentalising", sort="newest") == [MENTALIZE, PERSONALITY]
    assert search(service, "drop-out", sort="newest") == search(service, "dropout", sort="newest") == [
        PANIC, PERSONALITY,
    ]


# --- facets ------------------------------------------------------------------------------


def narrowed(request: SearchRequest, param: str, value: str) -> SearchRequest:
    """The request a count describes: topics add to the selection, types and years replace it."""
    if param == "topic":
        return request if value in request.topic else request.toggled("topic", value)
    return replace(request, **{param: (value,)}, page=1)


FACET_REQUESTS = [
    SearchRequest(),
    SearchRequest(q="therapy"),
    SearchRequest(q="depression"),
    SearchRequest(q="panic disorder"),
    SearchRequest(q="therapy", topic=(PDT,)),
    SearchRequest(q="depression", type=(META, REVIEW)),
    SearchRequest(year=("2021", "2022"), topic=(DEPRESSIVE,)),
    SearchRequest(q="panic agoraphobia mentalize"),  # no entry holds all three: most words
    SearchRequest(q="depresion therapi"),  # a misspelling matched one edit away
    SearchRequest(q="psychodinamik", type=(META,)),  # corrected to psychodynamic
]


@pytest.mark.parametrize("request_", FACET_REQUESTS, ids=lambda r: r.query_string() or "all")
def test_every_facet_count_is_the_total_of_selecting_it(service, request_):
    result = service.search(request_)
    checked = 0

    for group in result.facets:
        for value in group.values:
            if value.count == 0:
                continue
            shown = service.search(narrowed(request_, group.param, value.value))
            assert (group.param, value.value, shown.total) == (group.param, value.value, value.count)
            checked += 1

    assert checked >= 5


def test_facet_counts_without_selection_on_the_sample(service):
    result = service.search(SearchRequest())

    assert facet(result, "year") == {
        "2023": (1, False), "2022": (2, False), "2021": (2, False), "2020": (1, False),
    }
    assert facet(result, "type") == {META: (4, False), REVIEW: (1, False), SINGLE: (1, False)}
    assert facet(result, "topic")[PDT] == (5, False)
    assert facet(result, "topic")[DEPRESSIVE] == (4, False)


def test_two_topics_narrow_to_entries_with_both(service):
    result = service.search(SearchRequest(topic=(DEPRESSIVE, LONG_TERM)))

    assert [hit.id for hit in result.hits] == [EVIDENCE, DEPRESSION]
    assert facet(result, "topic")[DEPRESSIVE] == (2, True)
    assert facet(result, "topic")[LONG_TERM] == (2, True)
    assert facet(result, "year") == {"2022": (1, False), "2021": (1, False)}


def test_two_types_widen_to_entries_of_either(service):
    result = service.search(SearchRequest(type=(REVIEW, SINGLE)))

    assert [hit.id for hit in result.hits] == [MENTALIZE, EVIDENCE]
    assert facet(result, "type") == {META: (4, False), REVIEW: (1, True), SINGLE: (1, True)}


def test_two_years_widen_and_the_year_counts_ignore_their_own_selection(service):
    result = service.search(SearchRequest(year=("2021", "2023")))

    assert [hit.id for hit in result.hits] == [MENTALIZE, PANIC, DEPRESSION]
    assert facet(result, "year") == {
        "2023": (1, True), "2022": (2, False), "2021": (2, True), "2020": (1, False),
    }
    # Other groups count only what is shown.
    assert facet(result, "type") == {META: (2, False), SINGLE: (1, False)}
    assert facet(result, "topic")[PDT] == (2, False)


def test_selected_values_are_listed_even_at_count_zero(service):
    result = service.search(SearchRequest(year=("2015",), topic=("Empathy",)))

    assert result.total == 0
    assert result.hits == ()
    assert facet(result, "year")["2015"] == (0, True)
    assert facet(result, "topic") == {"Empathy": (0, True)}


def test_facet_toggles_and_clears_are_query_strings(service):
    result = service.search(SearchRequest(q="panic disorder", year=("2021",)))
    year = next(g for g in result.facets if g.param == "year")

    assert [(v.value, v.toggle) for v in year.values] == [
        ("2023", "q=panic+disorder&year=2021&year=2023"),
        ("2021", "q=panic+disorder"),
    ]
    assert year.clear == "q=panic+disorder"


@pytest.mark.parametrize("request_", [
    SearchRequest(),
    SearchRequest(q="a & b = c?", topic=("Anxiety Disorders", "Couples & Families"), page=3),
    SearchRequest(q="x", type=("Meta-analysis",), year=("2020", "2021"), sort="oldest",
                  per_page=25, page=2),
])
def test_toggle_query_strings_are_those_of_the_toggled_requests(request_):
    for param, value in [("topic", "Anxiety Disorders"), ("topic", "Grief"), ("type", "RCT"),
                         ("type", "Meta-analysis"), ("year", "2021"), ("year", "1999")]:
        toggled = request_.toggled(param, value)
        assert request_.toggled_query(param, value) == toggled.query_string()
        assert toggled.page == 1 and (value in getattr(toggled, param)) != (
            value in getattr(request_, param))


@pytest.mark.parametrize("param, value", [("topic", "Nonexistent"), ("type", "Anecdote")])
def test_an_unknown_facet_value_is_a_bad_parameter(service, param, value):
    with pytest.raises(BadParameter) as caught:
        service.search(SearchRequest(**{param: (value,)}))

    assert (caught.value.param, caught.value.code, caught.value.value) == (param, "unknown_value", value)


def test_a_quoted_phrase_is_marked_only_where_its_words_stand_together(service):
    result = service.search(SearchRequest(q='"panic disorder"'))
    hit = next(h for h in result.hits if h.id == MENTALIZE)

    assert "(e.g., <mark>panic</mark> <mark>disorder</mark>, social anxiety disorder)" in hit.snippet_html
    plain = service.search(SearchRequest(q="panic disorder"))  # words: marked wherever they are
    assert "social anxiety <mark>disorder</mark>" in next(
        h for h in plain.hits if h.id == MENTALIZE).snippet_html


def test_phrase_marks_need_the_words_in_order_with_nothing_between():
    from search.snippets import Marks, title_html

    marks = Marks(frozenset({"cbt"}), frozenset({("work", "allianc"), ("cognit", "behavior", "therapi"),
                                                 ("dropout", "rate")}))
    html = title_html("Working alliance, alliance working, working on the alliance: cognitive-"
                      "behavioral therapy or cognitive behavioral therapy (CBT), behavioral therapy, "
                      "drop-out rates", marks)
    assert html == ("<mark>Working</mark> <mark>alliance</mark>, alliance working, working on the "
                    "alliance: <mark>cognitive-behavioral</mark> <mark>therapy</mark> or "
                    "<mark>cognitive</mark> <mark>behavioral</mark> <mark>therapy</mark> "
                    "(<mark>CBT</mark>), behavioral therapy, <mark>drop-out</mark> <mark>rates</mark>")


# --- did you mean, partial matches ------------------------------------------------------


def test_a_misspelled_word_gets_a_suggestion(service):
    result = service.search(SearchRequest(q="panic psychodinamic"))

    assert result.suggestion == Suggestion(q="panic psychodynamic", html="panic <mark>psychodynamic</mark>")


def test_a_lone_misspelling_still_finds_and_suggests(service):
    result = service.search(SearchRequest(q="psychodinamic"))

    assert result.suggestion == Suggestion(q="psychodynamic", html="<mark>psychodynamic</mark>")
    assert result.total == 6
    assert result.request.q == "psychodinamic"


def test_two_swapped_letters_are_one_edit_away(service):
    result = service.search(SearchRequest(q="psychodyanmic"))

    assert result.interpreted.fuzzy == ("psychodyanmic",)
    assert result.interpreted.corrections == ()  # matched as typed, not corrected afterwards
    assert result.total == 6
    assert result.suggestion == Suggestion(q="psychodynamic", html="<mark>psychodynamic</mark>")


def test_a_word_matched_one_edit_away_brings_its_synonyms():
    compiled = compile_query("attriton", Synonyms(), known=lambda term: False,
                             near=lambda word: ["attrition"] if word == "attriton" else [])

    assert compiled.fuzzy == ["attriton"]
    assert compiled.expansions == ["attrition → dropout / drop out / premature termination"]
    found = {(q.fieldname, q.text, q.boost) for q in compiled.query.leaves()
             if isinstance(q, wq.Term)}
    assert ("summary", "dropout", FUZZY_WEIGHT * SYNONYM_WEIGHT) in found
    assert ("summary", "attrit", FUZZY_WEIGHT) in found


def test_a_misspelled_synonym_phrase_is_searched_as_the_phrase_it_misspells():
    near = {"theraputic": ["therapeutic"], "aliance": ["alliance"]}
    compiled = compile_query("theraputic aliance", Synonyms(), known=lambda term: False,
                             near=lambda word: near.get(word, []))

    assert compiled.fuzzy == ["theraputic", "aliance"]
    assert compiled.expansions == ["therapeutic alliance → working alliance"]
    phrases = {(q.fieldname, tuple(q.words), q.boost) for q in _subqueries(compiled.query)
               if isinstance(q, wq.Phrase)}
    assert ("summary", ("therapeut", "allianc"), FUZZY_WEIGHT) in phrases
    assert ("summary", ("work", "allianc"), FUZZY_WEIGHT * SYNONYM_WEIGHT) in phrases


def _subqueries(q):
    yield q
    for child in q.children():
        yield from _subqueries(child)


def test_a_long_misspelled_word_finds_its_two_edit_correction_and_says_so(service):
    result = service.search(SearchRequest(q="psychodinamik", sort="newest"))  # 13 letters

    assert result.request.q == "psychodinamik"
    assert result.interpreted.fuzzy == ("psychodinamik",)
    assert result.suggestion.q == "psychodynamic"
    assert [hit.id for hit in result.hits] == NEWEST_FIRST


@pytest.mark.parametrize("q, missing", [
    ("PTSD", ("PTSD",)),  # an abbreviation: never read as "post"
    ("ADHD", ("ADHD",)),  # never read as "and"
    ("knee replacement surgery", ("knee", "replacement", "surgery")),  # "knee" is no "know"
    ("couples therapy", ("couples",)),
    ("psychodynamic xylophone", ("xylophone",)),
    ("psyhcodynamic", ()),  # 13 letters, a swap: within the budget, found
])
def test_a_word_no_entry_holds_makes_the_query_find_nothing(service, q, missing):
    result = service.search(SearchRequest(q=q))

    assert result.interpreted.missing == missing
    assert (result.total == 0) == bool(missing)
    assert result.interpreted.corrections == ()


def test_what_was_missing_is_explained_and_the_rest_offered(service):
    ptsd = service.search(SearchRequest(q="PTSD")).interpreted
    assert ptsd.explained == ("PTSD: posttraumatic stress disorder",)
    assert ptsd.offers == ()
    couples = service.search(SearchRequest(q="couples therapy")).interpreted
    assert couples.offers == (Offer(q="therapy", words="therapy", total=5),)
    both = service.search(SearchRequest(q="agoraphobia mentalize")).interpreted
    assert both.missing == ()
    assert both.offers == (Offer(q="agoraphobia", words="agoraphobia", total=1),
                           Offer(q="mentalize", words="mentalize", total=2))


def test_no_suggestion_for_words_the_index_holds(service):
    assert service.search(SearchRequest(q="panic disorder")).suggestion is None
    assert service.search(SearchRequest(q="")).suggestion is None


def test_three_words_no_entry_holds_together_show_entries_lacking_one_and_say_which(service):
    result = service.search(SearchRequest(q="panic agoraphobia mentalize"))

    assert result.interpreted.partial is True
    assert [(hit.id, hit.lacking) for hit in result.hits] == [
        (PANIC, "mentalize"), (MENTALIZE, "agoraphobia")]
    assert service.search(SearchRequest(q="panic disorder")).interpreted.partial is False


def test_most_words_never_shows_an_entry_lacking_two(service):
    # "psychodynamic" is in every entry, "agoraphobia" only in PANIC's, "panic" there and in
    # MENTALIZE's, and "mentalize" (mentalizing) in MENTALIZE's and the personality disorders
    # review's, which lacks both "panic" and "agoraphobia": it may not show.
    result = service.search(SearchRequest(q="psychodynamic panic agoraphobia mentalize"))
    assert sorted((hit.id, hit.lacking) for hit in result.hits) == sorted([
        (PANIC, "mentalize"), (MENTALIZE, "agoraphobia")])


def test_two_words_no_entry_holds_together_find_nothing(service):
    result = service.search(SearchRequest(q="agoraphobia mentalize"))
    assert (result.total, result.interpreted.partial) == (0, False)


def test_nothing_found_is_an_empty_answer(service):
    result = service.search(SearchRequest(q="xylophone"))

    assert (result.total, result.hits, result.pages) == (0, (), 1)
    assert all(group.values == () for group in result.facets)


# --- the answer cache --------------------------------------------------------------------


def jsonl(path, *entries: dict):
    path.write_text("\n".join(json.dumps(e) for e in entries), encoding="utf-8")
    return path


NEW_ENTRY = {"month": "2024-01", "title": "Panic Online", "summary": "Internet panic treatment.",
             "topics": ["Anxiety Disorders"], "research_type": SINGLE}


def test_cached_answers_are_keyed_by_index_version(sample_data, tmp_path):
    service = SearchService(sample_data, answer_cache=16)
    first = service.search(SearchRequest(q="panic"))
    assert service.search(SearchRequest(q="panic")) is first  # answered from the cache

    import_paths(sample_data, [jsonl(tmp_path / "new.jsonl", NEW_ENTRY)])
    after = service.search(SearchRequest(q="panic", sort="newest"))

    assert [hit.id for hit in after.hits] == ["2024-01-panic-online", MENTALIZE, PANIC]
    assert after.index_version != first.index_version
    assert service.search(SearchRequest()).total == 7


def test_with_the_cache_off_nothing_is_kept(sample_data):
    service = SearchService(sample_data, answer_cache=0)

    assert service.search(SearchRequest(q="panic")) is not service.search(SearchRequest(q="panic"))


# --- escaping ---------------------------------------------------------------------------

XSS = "<script>alert(1)</script>"
XSS_ENTRY = {
    "month": "2019-04", "title": f"Rupture {XSS} Repair",
    "citation": f"Eubanks, C. F. {XSS} (2018). Alliance rupture repair. Psychotherapy, 55(4), 508-519.",
    "summary": f"Alliance {XSS} ruptures & <b>repairs</b> matter.",
    "implications": "Repair <img src=x onerror=alert(2)> ruptures.",
    "topics": ["Alliance and Therapeutic Relationship"], "research_type": SINGLE,
}


@pytest.fixture
def xss_service(empty_data, tmp_path):
    import_paths(empty_data, [jsonl(tmp_path / "xss.jsonl", XSS_ENTRY)])
    return SearchService(empty_data, answer_cache=0)


def test_titles_and_snippets_are_escaped_with_only_marks_as_markup(xss_service):
    hit = xss_service.search(SearchRequest(q="alert")).hits[0]

    assert hit.title_html == "Rupture &lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; Repair"
    assert hit.snippet_html == "Repair &lt;img src=x onerror=<mark>alert</mark>(2)&gt; ruptures."
    assert hit.snippet_from == "implications"
    assert hit.citation_html == (
        "Eubanks, C. F. &lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; (2018). Alliance "
        "rupture repair. Psychotherapy, 55(4), 508-519.")
    assert hit.title == f"Rupture {XSS} Repair"  # plain text stays plain; templates escape it


@pytest.mark.parametrize("q", ["", "script", "onerror", "ruptures"])
def test_no_markup_but_mark_survives_in_any_snippet(xss_service, q):
    hit = xss_service.search(SearchRequest(q=q)).hits[0]

    for html in (hit.title_html, hit.snippet_html):
        assert re.sub(r"</?mark>", "", html).count("<") == 0
        assert "&lt;" in html


# --- bugs found ---------------------------------------------------------------------------


def test_the_suggestion_is_the_nearest_word(service):
    result = service.search(SearchRequest(q="regulated"))

    assert [hit.id for hit in result.hits] == [MENTALIZE]
    assert result.suggestion in (None, Suggestion(q="regulate", html="<mark>regulate</mark>"))


def lookups(q: str) -> tuple[int, int]:
    """(near-word lookups, words offered to "did you mean") that compiling `q` costs."""
    calls: list[str] = []

    def near(word: str) -> list[str]:
        calls.append(word)
        return []

    compiled = compile_query(q[:2000], Synonyms(), known=lambda term: False, near=near)
    return len(calls), len(compiled.words)


def test_a_long_query_of_plain_words_costs_at_most_max_words_lookups():
    letters = "abcdefghijklmnopqrstuvwxyz"
    assert lookups("psychodinamic " * 200) == (2, 2)  # the cut-off last word is another word
    assert lookups(" ".join(f"word{a}{b}x" for a in letters for b in letters[:10])) == (
        MAX_SPELLING_LOOKUPS, MAX_WORDS)


def test_a_maximal_query_is_read_as_its_one_word(service):
    result = service.search(SearchRequest(q=("psychodinamic " * 200)[:2000]))

    assert result.total == 6
    # The cut-off last word, 12 letters, is two edits from psychodynamic: within its budget.
    assert result.interpreted.fuzzy == ("psychodinamic", "psychodinami")


@pytest.mark.parametrize("q", ["psychodinamic OR " * 200, "(psychodinamic panic) " * 100],
                         ids=["or-chain", "groups"])
def test_or_chains_and_groups_are_capped_too(q):
    near_calls, words = lookups(q)

    assert near_calls <= MAX_SPELLING_LOOKUPS
    assert words <= MAX_WORDS


@pytest.mark.parametrize("q", ["therapy", "depression anxiety", "treatment outcomes",
                               "empathy OR alliance", "treatment -panic", "author:Cuijpers depression"])
def test_terms_are_scored_exactly_as_whoosh_scores_them(sample_data, q):
    """For queries of terms, the one ranker (search/scoring.py) gives Whoosh's own scores."""
    from search.compile import compile_query
    from search.scoring import relevance

    service = SearchService(sample_data, answer_cache=0)
    view = service.view()
    searcher = service.searcher(view)
    query = compile_query(q, service.synonyms).query
    whoosh = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
    docs = sorted(whoosh)
    ours = dict(zip(docs, relevance(searcher, view.matches, view.scores, query, docs)))

    assert len(docs) > 0
    # Whoosh scores a NOT as 1.0 for every entry it lets through: the same shift for all.
    shift = 1.0 if "-" in q else 0.0
    assert ours == {d: pytest.approx(score - shift, rel=1e-6) for d, score in whoosh.items()}


def _bm25(searcher, field: str, docnum: int, tf: int, df: int) -> float:
    """BM25F as Whoosh defines it, written out: what a phrase's own frequency should score."""
    import math

    weighting = searcher.weighting
    b = weighting._field_B.get(field, weighting.B)
    length = searcher.reader().doc_field_length(docnum, field)
    norm = weighting.K1 * ((1 - b) + b * length / searcher.avg_field_length(field))
    idf = math.log(searcher.doc_count_all() / (df + 1)) + 1
    return idf * (tf * (weighting.K1 + 1)) / (tf + norm)


def test_a_phrase_is_scored_by_its_own_frequency(sample_data):
    from whoosh import query as wq

    from search.scoring import relevance

    service = SearchService(sample_data, answer_cache=0)
    view = service.view()
    searcher = service.searcher(view)
    panic = searcher.document_number(id=PANIC)
    mentalize = searcher.document_number(id=MENTALIZE)
    # "panic disorder" stands four times in PANIC's summary ("Panic disorder affects ...",
    # "... is characterized", "... can be", "therapies for panic disorder"), once in
    # MENTALIZE's ("(e.g., panic disorder, ...)"), and in no other entry's.
    counts = [len(re.findall(r"\bpanic\W+disorders?\b", searcher.stored_fields(d)["summary"], re.I))
              for d in (panic, mentalize)]
    assert counts == [4, 1]
    phrase = wq.Phrase("summary", ["panic", "disord"], slop=1, boost=2.0)
    scores = relevance(searcher, view.matches, view.scores, phrase, [panic, mentalize])
    assert scores == [pytest.approx(2.0 * _bm25(searcher, "summary", panic, 4, 2), rel=1e-6),
                      pytest.approx(2.0 * _bm25(searcher, "summary", mentalize, 1, 2), rel=1e-6)]
    result = SearchService(sample_data, answer_cache=0).search(SearchRequest(q='"panic disorder"'))
    assert [h.id for h in result.hits][:1] == [PANIC]


def test_an_edited_synonyms_file_applies_to_the_next_search_without_a_reindex(sample_data, tmp_path):
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("CBT = cognitive behavioral therapy\n", encoding="utf-8")
    service = SearchService(sample_data, answer_cache=16, synonyms_file=synonyms)
    version = IndexStore(sample_data).current_name()
    assert service.search(SearchRequest(q="jitters")).total == 0

    synonyms.write_text("CBT = cognitive behavioral therapy\njitters = panic attacks\n",
                        encoding="utf-8")

    result = service.search(SearchRequest(q="jitters"))
    assert [h.id for h in result.hits] == [PANIC]
    assert result.interpreted.expansions == ("jitters → panic attacks",)
    assert IndexStore(sample_data).current_name() == version  # no rebuild happened


def test_a_misspelt_word_matches_words_one_letter_away_below_exact_matches(service):
    result = service.search(SearchRequest(q="borderlne"))  # one letter left out

    assert result.interpreted.fuzzy == ("borderlne",)
    assert {h.id for h in result.hits} == {
        "2020-08-is-psychodynamic-therapy-effective-for-treating-personality-disorders",
        "2022-06-the-evidence-for-psychodynamic-therapy"}
    assert "<mark>borderline</mark>" in result.hits[0].snippet_html
    exact = service.search(SearchRequest(q="borderline"))
    assert exact.hits[0].score > result.hits[0].score  # the tolerant match weighs less


def test_a_snippet_holds_the_most_query_words_however_often_one_repeats():
    """Distinct words come first, whatever the count: a passage repeating one query word a
    dozen times does not beat one holding two of them (counts once outweighed a word)."""
    from search.snippets import Marks, snippet_html

    marks = Marks(words=frozenset({"therapi", "shame"}))
    repeated = " ".join(["therapy works"] * 12) + "."
    both = "Clients spoke of shame early in therapy."
    html, where = snippet_html(summary=both, implications=repeated, marks=marks)
    assert where == "summary"
    assert html == "Clients spoke of <mark>shame</mark> early in <mark>therapy</mark>."
    # As many words in each: the implications, however few their matches.
    html, where = snippet_html(summary=repeated, implications="Therapy helps.",
                               marks=Marks(words=frozenset({"therapi"})))
    assert (html, where) == ("<mark>Therapy</mark> helps.", "implications")
