"""Evidence read from the summaries: the extractor, its accuracy against the hand labels, and
evidence in the index, the API, the facets, the query syntax, the pages and the CLI."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from markupsafe import Markup

from crawler.errors import CrawlerError
from crawler.evidence import Effect, Evidence, Mention, extract, sentences
from crawler.evidence_rules import DEFAULT_PATTERNS, load_patterns
from crawler.records import Entry
from index.archive import Archive
from index.store import IndexStore
from search.querylang import And, Not, NumberRange, Word, parse
from search.records import SearchRequest
from search.service import SearchService
from tests.evidence.evaluate import evaluate
from webui.evidence_view import evidence_line, marked

from conftest import PANIC

MENTALIZE = "2023-03-capacity-to-mentalize-predicted-outcomes-in-inpatient-therapy-for-resistant-depression"
STPP = "2022-12-adding-short-term-psychodynamic-psychotherapy-to-antidepressants"
EVIDENCE = "2022-06-the-evidence-for-psychodynamic-therapy"
DEPRESSION = "2021-06-psychotherapies-for-depression"
PERSONALITY = "2020-08-is-psychodynamic-therapy-effective-for-treating-personality-disorders"
MINUS = "\u2212"


def entry(summary: str, citation: str = "") -> Entry:
    return Entry(id="2020-01-test", month="2020-01", title="Test", citation=citation,
                 summary=summary)


def effects(summary: str) -> list[tuple]:
    return [(e.measure, e.value, e.ci) for e in extract(entry(summary)).effects]


# --- accuracy against the hand labels ---------------------------------------------------------


def test_nothing_is_invented_on_the_labelled_entries():
    report = evaluate()

    assert report.invented == ()
    assert report.unsupported == ()
    assert {f: t.precision for f, t in report.tallies.items()} == {
        "design": 1.0, "studies": 1.0, "participants": 1.0, "effects": 1.0, "ci": 1.0}
    # Recall: the one known miss is a sample of therapists (tests/evidence/truth.toml).
    assert all(t.recall >= 0.95 for t in report.tallies.values())
    assert sum(t.labelled for t in report.tallies.values()) >= 120


def test_the_evaluate_script_prints_precision_and_recall_per_field(capsys):
    from tests.evidence.evaluate import main

    main()
    out = capsys.readouterr().out
    for field in ("design", "studies", "participants", "effects", "ci"):
        assert f"\n{field} " in out
    assert "Invented (extracted, not labelled): none" in out


# --- the extractor on small literal texts ------------------------------------------------------


def test_the_papola_sentence_gives_both_smds_with_their_source():
    summary = ("In this network meta-analysis, Papola and colleagues systematically reviewed 136 "
               "randomized controlled trials of psychological therapies for panic disorder that "
               "included over 7,300 patients. The most effective treatments compared to treatment "
               "as usual were CBT (SMD = -0.67, 95%CI: -0.95 to -0.39) and short term "
               "psychodynamic therapy (SMD = -0.61, 95%CI: -1.15 to -0.07).")
    found = extract(entry(summary))
    first, second = sentences(summary)
    s1, s2 = summary[first[0]:first[1]], summary[second[0]:second[1]]

    assert found == Evidence(
        design="network meta-analysis", studies=136, participants=7300,
        effects=(
            Effect("SMD", -0.67, (-0.95, -0.39), s2, "SMD = -0.67, 95%CI: -0.95 to -0.39"),
            Effect("SMD", -0.61, (-1.15, -0.07), s2, "SMD = -0.61, 95%CI: -1.15 to -0.07"),
        ),
        design_from=Mention("this network meta-analysis", s1),
        studies_from=Mention("136 randomized controlled trials", s1, "",
                             "randomized controlled trials"),
        participants_from=Mention("over 7,300 patients", s1, "over", "patients"),
    )
    assert Evidence.from_dict(json.loads(json.dumps(found.to_dict()))) == found


@pytest.mark.parametrize("summary, expected", [
    (f"Scores fell (d = {MINUS}0.45, 95% CI {MINUS}0.70 to {MINUS}0.20).",
     [("d", -0.45, (-0.70, -0.20))]),
    ("Scores fell (g = 0.63; 95% CI [0.87, 0.41], SE = 0.08, p = .002).",
     [("g", 0.63, (0.41, 0.87))]),
    ("It helped (OR = 2.10, 95% CI 1.40\u20133.15).", [("OR", 2.10, (1.40, 3.15))]),
    ("It helped (g = 0.5 [0.2, 0.8]) and lasted (g = 0.3 (0.1, 0.5)).",
     [("g", 0.5, (0.2, 0.8)), ("g", 0.3, (0.1, 0.5))]),
    ("Fewer relapsed (RR = 0.68, 95% confidence interval 0.52 to 0.89; NNT = 7).",
     [("RR", 0.68, (0.52, 0.89)), ("NNT", 7.0, None)]),
    ("Depression improved (d = 1.47; \u03b1 mean = \u2212.09 per week, p = .001).",
     [("d", 1.47, None)]),
    ("Mentalizing predicted outcome (b = \u221216.80, p = .043).", []),
    ("Faster with more sessions (B = \u22120.35 per week, p = .002).", []),
    ("Larger for severe cases [B = \u22120.49, 95% CI: \u22120.61 to \u22120.37, p < 0.0001].",
     [("B", -0.49, (-0.61, -0.37))]),
    ("It worked (Hedges\u2019 g = 0.93 [0.70, 1.16]).", [("Hedges' g", 0.93, (0.70, 1.16))]),
    ("The correlation was modest (r = .28, p < .001), I\u00b2 = 78%.", [("r", 0.28, None)]),
    ("Panic affects between 1.1% and 3.7% of people; 63% of trials tested CBT.", []),
])
def test_effects_are_read_as_written_and_rates_and_slopes_are_not(summary, expected):
    assert effects(summary) == expected


@pytest.mark.parametrize("summary, studies, participants", [
    ("Trials were pooled (k = 12, N = 1,234).", 12, 1234),
    ("In this study of a community clinic (n = 57), clients attended 12 sessions.", None, 57),
    ("Two arms (n = 96 activation; n = 94 usual care) were compared.", None, None),
    ("They reviewed the seven studies that tested it, with 482 patient effect sizes.", 7, 482),
    ("Cuijpers included 331 studies (representing over 34,000 patients).", 331, 34000),
    ("In 2019 students waited 21 days; of the 2,745 students who began, most stayed.", None, 2745),
    ("Adults aged 65 or older were followed for 12 months; 18% of participants dropped out.",
     None, None),
    ("Insomnia affects 30% of adults over the age of 65, and 45 percent of patients.", None, None),
    ("Between 2010 and 2019 participants were recruited at 3 sites.", None, None),
    ("Berg followed 38 therapists and 412 clients.", None, 412),
    ("Each year, about 800,000 people die by suicide worldwide. The trial enrolled 120 adults.",
     None, 120),
    ("A previous meta-analysis of 30 studies found small effects. Two studies have shown it.",
     None, None),
    ("Roughly one in five clients leave early.", None, None),
    ("Depression and mentalizing were measured in a naturalistic study.", None, None),
])
def test_counts_come_only_from_what_counts_people_and_studies(summary, studies, participants):
    found = extract(entry(summary))
    assert (found.studies, found.participants) == (studies, participants)


@pytest.mark.parametrize("citation, summary, design", [
    ("Papola, D. (2021). Comparative efficacy: Systematic review and network meta-analysis of "
     "randomised controlled trials. The British Journal of Psychiatry.", "", "network meta-analysis"),
    ("Driessen, E. (2022). Which patients benefit? A systematic review and meta-analysis of "
     "individual participant data. Psychological Medicine.", "",
     "individual participant data meta-analysis"),
    ("", "In this meta-analysis, Keefe and colleagues assessed it.", "meta-analysis"),
    ("", "In a number of meta analyses, it worked. A meta-analysis found no difference.", None),
    ("", "This was a naturalistic study of intensive inpatient therapy.", "naturalistic study"),
    ("", "Adults were randomly assigned to CBT or waitlist.", "randomized controlled trial"),
    ("", "Barber and colleagues review the research on the efficacy of dynamic therapy.",
     "review"),
    ("Ruiz, M. (2020). Intensive day treatment. European Eating Disorders Review, 28, 1-9.", "",
     None),
    ("", "What keeps a client in therapy when progress is slow?", None),
])
def test_the_design_is_named_by_the_title_or_by_the_summary_of_itself(citation, summary, design):
    assert extract(entry(summary, citation)).design == design


def test_a_text_without_numbers_has_no_evidence():
    found = extract(entry("Clients who feel heard are more likely to stay in therapy."))
    assert found == Evidence()
    assert found.empty and evidence_line(found) == []


def test_sentences_do_not_break_at_decimals_or_abbreviations():
    text = ("Mood improved (d = 1.47; p = .001), e.g. in Norway. Others, i.e. the rest, did "
            "not. Smith et al. (2020) agree.")
    assert [text[a:b] for a, b in sentences(text)] == [
        "Mood improved (d = 1.47; p = .001), e.g. in Norway.",
        "Others, i.e. the rest, did not.",
        "Smith et al. (2020) agree.",
    ]


def test_design_hints_only_skip_sentences_no_pattern_could_match(tmp_path):
    """The hint words are a speed-up: without them every labelled entry reads the same."""
    from tests.evidence.evaluate import entries

    text = DEFAULT_PATTERNS.read_text(encoding="utf-8")
    start = text.index("hints = [")
    end = text.index("]", start) + 1
    unfiltered = tmp_path / "patterns.toml"
    unfiltered.write_text(text[:start] + 'hints = [""]' + text[end:], encoding="utf-8")
    every_sentence = load_patterns(unfiltered)
    for item in entries().values():
        assert extract(item, every_sentence) == extract(item), item.id


def test_a_pattern_file_with_a_mistake_names_the_file_and_the_problem(tmp_path):
    text = DEFAULT_PATTERNS.read_text(encoding="utf-8")
    bad = tmp_path / "patterns.toml"
    bad.write_text(text.replace('name = "review"', 'name = "case report"'), encoding="utf-8")
    with pytest.raises(CrawlerError, match=r"patterns.toml: unknown design 'case report'"):
        load_patterns(bad)
    bad.write_text(text.replace("{signed}", "{unsigned}", 1), encoding="utf-8")
    with pytest.raises(CrawlerError, match=r"unknown part \{unsigned\}"):
        load_patterns(bad)


# --- presentation ---------------------------------------------------------------------------


def test_the_evidence_line_reads_like_the_issue_asks():
    found = extract(Entry(
        id="x", month="2021-11", title="t",
        summary="In this network meta-analysis, they reviewed 136 randomized controlled trials "
                "that included over 7,300 patients. CBT was best (SMD = -0.67, 95%CI: -0.95 to "
                "-0.39)."))
    assert evidence_line(found) == [
        "Network meta-analysis", "136 RCTs", "7,300+ patients", "SMD -0.67 [-0.95, -0.39]"]


def test_marked_escapes_the_sentence_and_marks_only_the_words_read():
    assert marked('A <b>"big"</b> effect (d = 1.2).', "d = 1.2") == Markup(
        'A &lt;b&gt;&#34;big&#34;&lt;/b&gt; effect (<mark>d = 1.2</mark>).')
    assert marked("No such words & more.", "d = 9") == Markup("No such words &amp; more.")
    assert marked("(g = 0.5; g = 0.5) & g = 0.3", "g = 0.5", "g = 0.5", "g = 0.3") == Markup(
        "(<mark>g = 0.5</mark>; <mark>g = 0.5</mark>) &amp; <mark>g = 0.3</mark>")


# --- the index, the service and the API over the sample ----------------------------------------


@pytest.fixture(scope="module")
def service(sample_template):
    return SearchService(sample_template, answer_cache=0)


def ids(service, q="", **params) -> list[str]:
    return [h.id for h in service.search(SearchRequest(q=q, **params)).hits]


def facet(result, param: str) -> dict[str, tuple[int, bool]]:
    group = next(g for g in result.facets if g.param == param)
    return {v.value: (v.count, v.selected) for v in group.values}


def test_done_when_papola_and_halstensen_read_as_the_issue_says(client):
    hits = {h["id"]: h for h in client.get("/api/search?per_page=10").get_json()["hits"]}
    papola = hits[PANIC]["evidence"]
    assert (papola["design"], papola["studies"], papola["participants"]) == (
        "network meta-analysis", 136, 7300)
    assert [(e["measure"], e["value"], e["ci"]) for e in papola["effects"]] == [
        ("SMD", -0.67, [-0.95, -0.39]), ("SMD", -0.61, [-1.15, -0.07])]
    halstensen = client.get(f"/api/entries/{MENTALIZE}").get_json()["evidence"]
    assert halstensen["participants"] == 57
    assert [(e["measure"], e["value"], e["ci"]) for e in halstensen["effects"]] == [
        ("d", 1.47, None)]
    assert halstensen["effects"][0]["source"].startswith("Depressive symptoms improved")
    assert hits[MENTALIZE]["evidence"] == halstensen


def test_design_and_participants_facets_widen_and_ignore_their_own_selection(service):
    everything = service.search(SearchRequest())
    assert facet(everything, "design") == {
        "network meta-analysis": (2, False), "meta-analysis": (1, False),
        "individual participant data meta-analysis": (1, False),
        "naturalistic study": (1, False), "review": (1, False)}
    assert facet(everything, "participants") == {
        "under-100": (1, False), "100-999": (1, False), "1000-9999": (2, False),
        "10000-plus": (1, False)}

    picked = service.search(SearchRequest(design=("network meta-analysis", "meta-analysis")))
    assert picked.total == 3
    # The design group still counts every design (its own selection left out) ...
    assert facet(picked, "design")["naturalistic study"] == (1, False)
    assert facet(picked, "design")["meta-analysis"] == (1, True)
    # ... while the other groups count within the selection.
    assert facet(picked, "participants") == {"1000-9999": (2, False), "10000-plus": (1, False)}

    both = service.search(SearchRequest(design=("network meta-analysis",),
                                        participants=("under-100", "10000-plus")))
    assert [h.id for h in both.hits] == [DEPRESSION]
    assert facet(both, "participants") == {
        "under-100": (0, True), "1000-9999": (1, False), "10000-plus": (1, True)}
    labels = {v.value: v.label for g in both.facets if g.param == "participants" for v in g.values}
    assert labels == {"under-100": "Under 100", "1000-9999": "1,000–9,999",
                      "10000-plus": "10,000 or more"}


@pytest.mark.parametrize("url, param", [
    ("/api/search?design=case+report", "design"),
    ("/api/search?participants=lots", "participants"),
])
def test_unknown_design_or_band_is_a_bad_parameter(client, url, param):
    response = client.get(url)
    assert response.status_code == 400
    assert response.get_json()["error"]["param"] == param


@pytest.mark.parametrize("text, tree", [
    ("participants:>1000", NumberRange("participants", 1001, None)),
    ("participants:>=1,000", NumberRange("participants", 1000, None)),
    ("studies:<10", NumberRange("studies", None, 9)),
    ("studies:<=10", NumberRange("studies", None, 10)),
    ("studies:12", NumberRange("studies", 12, 12)),
    ("participants:100..999", NumberRange("participants", 100, 999)),
    ("panic -participants:>1000",
     And((Word("panic"), Not(NumberRange("participants", 1001, None))))),
    ("participants:>many", None),
    ("studies:", None),
])
def test_count_comparisons_parse(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize("q, expected", [
    ("participants:>1000", {PANIC, DEPRESSION, PERSONALITY}),
    ("studies:>=10", {EVIDENCE, PANIC, DEPRESSION, PERSONALITY}),
    ("participants:100..999", {STPP}),
    ("studies:7", {STPP}),
    ("participants:<100 depression", {MENTALIZE}),
    ("panic participants:>1000", {PANIC}),
    ("psychodynamic -participants:>1000", {MENTALIZE, STPP, EVIDENCE}),
])
def test_count_comparisons_search(service, q, expected):
    for sort in ("relevance", "newest"):
        assert set(ids(service, q, sort=sort)) == expected


def test_sort_by_participants_puts_the_largest_first_and_unstated_last(service, client):
    assert ids(service, sort="participants") == [
        DEPRESSION, PANIC, PERSONALITY, STPP, MENTALIZE, EVIDENCE]
    body = client.get("/api/search?sort=participants&per_page=2&page=2").get_json()
    assert [h["id"] for h in body["hits"]] == [PERSONALITY, STPP]


def _make_pre_evidence_generation(data: Path) -> None:
    """Rewrite the serving generation as an index built before evidence was read: no evidence
    fields in its schema, no design or participants in its facet file."""
    from whoosh import index as whoosh_index

    from index.schema import build_schema, document

    new_fields = ("evidence", "design", "participants_band", "participants", "studies")
    with Archive(data) as archive:
        entries = sorted(archive.entries(), key=lambda e: e.id)
    entries.sort(key=lambda e: e.month, reverse=True)
    generation = IndexStore(data).current()
    facets_file = generation.path / "facets.pickle"
    built = pickle.loads(facets_file.read_bytes())
    del built["participants"], built["bits"]["design"], built["bits"]["participants_band"]
    info_file = generation.path / "build.json"
    # Built before evidence (and before builds listed their files with checksums).
    info = {k: v for k, v in json.loads(info_file.read_text()).items()
            if k not in ("evidence", "files")}
    for path in generation.path.iterdir():
        path.unlink()
    info_file.write_text(json.dumps(info))
    facets_file.write_bytes(pickle.dumps(built))
    schema = build_schema()
    for name in new_fields:
        schema.remove(name)
    old = whoosh_index.create_in(str(generation.path), schema)
    with old.writer() as writer:
        for e in entries:
            writer.add_document(**{k: v for k, v in document(e).items() if k not in new_fields})


def test_an_index_built_before_evidence_still_serves_with_evidence_null(sample_data, make_app):
    _make_pre_evidence_generation(sample_data)
    client = make_app(sample_data, ANSWER_CACHE=0).test_client()

    body = client.get("/api/search?q=panic").get_json()
    assert body["total"] == 2 and body["hits"][0]["id"] == PANIC
    assert [h["evidence"] for h in body["hits"]] == [None, None]
    assert body["facets"]["design"] == [] and body["facets"]["participants"] == []
    assert client.get(f"/api/entries/{PANIC}").get_json()["evidence"] is None
    assert client.get("/api/search?q=participants:>1000").get_json()["total"] == 0
    assert client.get("/api/search?q=-studies:>1").get_json()["total"] == 6
    assert client.get("/api/search?sort=participants").get_json()["total"] == 6
    picked = client.get("/api/search?design=meta-analysis").get_json()
    assert picked["total"] == 0 and picked["facets"]["design"][0]["selected"] is True
    page = client.get(f"/entries/{PANIC}").get_data(as_text=True)
    assert "the search index predates it" in page
    assert client.get("/healthz").get_json()["index_evidence_current"] is False
    assert client.get("/?q=panic").status_code == 200

    with Archive(sample_data) as archive:  # the reindex
        IndexStore(sample_data).build(list(archive.entries()))
    assert client.get("/healthz").get_json()["index_evidence_current"] is True
    assert client.get(f"/api/entries/{PANIC}").get_json()["evidence"]["studies"] == 136


# --- pages and the CLI ------------------------------------------------------------------------


def test_each_result_shows_its_evidence_line_and_the_entry_its_card(client):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(client.get("/?q=panic+disorder").get_data(as_text=True), "html.parser")
    lines = [" ".join(p.get_text().split()) for p in soup.select(".hit .evidence-line")]
    assert lines == [
        "Network meta-analysis · 136 RCTs · 7,300+ patients · SMD -0.67 [-0.95, -0.39] (+1 more)",
        "Naturalistic study · 57 patients · d 1.47",
    ]
    card = BeautifulSoup(client.get(f"/entries/{PANIC}").get_data(as_text=True),
                         "html.parser").select_one(".evidence-card")
    rows = [(r.dt.get_text(), [v.get_text() for v in r.select(".ev-value")],
             [m.get_text() for m in r.select("mark")]) for r in card.select(".ev-row")]
    assert rows == [
        ("Design", ["Network meta-analysis"], ["network meta-analysis"]),
        ("Studies", ["136 RCTs"], ["136 randomized controlled trials"]),
        ("Participants", ["7,300+ patients"], ["over 7,300 patients"]),
        # Both effects come from one sentence: one row, both marked in it.
        ("Effects", ["SMD -0.67 [-0.95, -0.39]", "SMD -0.61 [-1.15, -0.07]"],
         ["SMD = -0.67, 95%CI: -0.95 to -0.39", "SMD = -0.61, 95%CI: -1.15 to -0.07"]),
    ]


def test_the_page_filters_by_design_and_participants_and_says_so(client):
    from bs4 import BeautifulSoup

    html = client.get("/?design=network+meta-analysis&participants=10000-plus").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("#result-count").get_text() == (
        "1 entry, network meta-analysis, 10,000 or more participants")
    assert [a["aria-label"] for a in soup.select(".active-filters a.removable")] == [
        "Remove filter Design: network meta-analysis",
        "Remove filter Participants: 10,000 or more"]
    legends = [f.legend.get_text() for f in soup.select("fieldset.facet")]
    assert legends == ["Topic", "Type of research", "Year", "Design", "Participants"]
    assert soup.select_one('input[type=checkbox][name=design][value="network meta-analysis"]').has_attr("checked")


def test_the_cli_filters_sorts_and_shows_evidence(run_cli):
    result = run_cli("search", "--design", "network meta-analysis", "--sort", "participants")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "2 entries (page 1 of 1)"
    assert "   Evidence: Network meta-analysis · 331 studies · 34,000+ patients" in lines
    assert "Participants: 1,000–9,999 (1), 10,000 or more (1)" in lines

    result = run_cli("search", "participants:>1000", "--participants", "1000-9999", "--json")
    body = json.loads(result.stdout)
    assert [h["id"] for h in body["hits"]] == [PANIC, PERSONALITY]
    assert body["hits"][0]["evidence"]["participants"] == 7300
