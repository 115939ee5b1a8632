"""The JSON API: the search answer as a whole, its errors, entries, health, and escaping."""

from __future__ import annotations

import json
import re
from html import unescape
import os

import pytest

from index.archive import Archive
from index.ingest import import_paths
from index.store import IndexStore

from conftest import PANIC

MENTALIZE = "2023-03-capacity-to-mentalize-predicted-outcomes-in-inpatient-therapy-for-resistant-depression"
PDT = "Psychodynamic Therapy (PDT)"
META = "Meta-analysis or Systematic Review"
PANIC_TOPICS = [
    "Anxiety Disorders", "Attendance, Attrition, and Drop-Out",
    "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)", "Efficacy of Treatments", PDT,
]
PANIC_CITATION = (
    "Papola, D., Ostuzzi, G., Tedeschi, F., Gastaldon, C., Purgato, M., Del Giovane, C., . . . "
    "Barbui, C. (2021). Comparative efficacy and acceptability of psychotherapies for panic "
    "disorder with or without agoraphobia: Systematic review and network meta-analysis of "
    "randomised controlled trials. The British Journal of Psychiatry, 1-13. doi:10.1192/bjp.2021.148"
)


PANIC_SENTENCE = (
    "The most effective treatments compared to treatment as usual were CBT (SMD = -0.67, "
    "95%CI: -0.95 to -0.39) and short term psychodynamic therapy (SMD = -0.61, 95%CI: -1.15 to "
    "-0.07)."
)
PANIC_EVIDENCE = {
    "design": "network meta-analysis", "studies": 136, "participants": 7300,
    "effects": [
        {"measure": "SMD", "value": -0.67, "ci": [-0.95, -0.39], "source": PANIC_SENTENCE,
         "text": "SMD = -0.67, 95%CI: -0.95 to -0.39"},
        {"measure": "SMD", "value": -0.61, "ci": [-1.15, -0.07], "source": PANIC_SENTENCE,
         "text": "SMD = -0.61, 95%CI: -1.15 to -0.07"},
    ],
    "found": {
        "design": {
            "text": "network meta-analysis", "qualifier": "", "noun": "",
            "source": "Comparative efficacy and acceptability of psychotherapies for panic "
                      "disorder with or without agoraphobia: Systematic review and network "
                      "meta-analysis of randomised controlled trials.",
        },
        "studies": {
            "text": "136 randomized controlled trials", "qualifier": "",
            "noun": "randomized controlled trials",
            "source": "In this network meta-analysis, Papola and colleagues systematically "
                      "reviewed 136 randomized controlled trials of psychological therapies for "
                      "panic disorder that included over 7,300 patients.",
        },
        "participants": {
            "text": "over 7,300 patients", "qualifier": "over", "noun": "patients",
            "source": "In this network meta-analysis, Papola and colleagues systematically "
                      "reviewed 136 randomized controlled trials of psychological therapies for "
                      "panic disorder that included over 7,300 patients.",
        },
    },
}


def value(name: str, count: int, selected: bool, toggle_url: str) -> dict:
    return {"value": name, "label": name, "count": count, "selected": selected,
            "toggle_url": toggle_url}


def test_search_answers_the_whole_documented_structure(client, sample_data):
    response = client.get("/api/search?q=panic+disorder&year=2021")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    score = body["hits"][0]["score"]
    assert isinstance(score, float) and score > 0
    assert body == {
        "query": "panic disorder",
        "total": 1, "page": 1, "per_page": 10, "pages": 1, "sort": "relevance",
        "hits": [{
            "id": PANIC,
            "title": "Psychological Treatments for Panic Disorder",
            "title_html": "Psychological Treatments for <mark>Panic</mark> <mark>Disorder</mark>",
            "month": "2021-11",
            "url": "https://socialsciences.uottawa.ca/pprnet/blog",
            "citation": PANIC_CITATION,
            "topics": PANIC_TOPICS,
            "research_type": META,
            # The Practice Implications hold both words: what a clinician acts on comes first.
            "snippet_html": (
                "… short-term dynamic therapy are efficacious treatments for <mark>panic</mark> "
                "<mark>disorder</mark>. The authors suggest that these treatments should be "
                "considered as first line interventions. These findings confirm a growing trend "
                "indicating …"
            ),
            "snippet_from": "implications",
            "citation_html": PANIC_CITATION.replace(
                "for panic disorder", "for <mark>panic</mark> <mark>disorder</mark>"),
            "lacking": "",
            "score": score,
            "evidence": PANIC_EVIDENCE,
        }],
        "facets": {
            "topic": [
                value(name, 1, False, f"/?q=panic+disorder&topic={quoted}&year=2021")
                for name, quoted in zip(PANIC_TOPICS, [
                    "Anxiety+Disorders", "Attendance%2C+Attrition%2C+and+Drop-Out",
                    "Cognitive+Therapy+%28CT%29+and+Cognitive-Behavioural+Therapy+%28CBT%29",
                    "Efficacy+of+Treatments", "Psychodynamic+Therapy+%28PDT%29",
                ])
            ],
            "type": [value(META, 1, False,
                           "/?q=panic+disorder&type=Meta-analysis+or+Systematic+Review&year=2021")],
            "year": [
                value("2023", 1, False, "/?q=panic+disorder&year=2021&year=2023"),
                value("2021", 1, True, "/?q=panic+disorder"),
            ],
            "design": [{**value("network meta-analysis", 1, False,
                                "/?q=panic+disorder&year=2021&design=network+meta-analysis"),
                        "label": "Network meta-analysis"}],
            "participants": [{**value("1000-9999", 1, False,
                                      "/?q=panic+disorder&year=2021&participants=1000-9999"),
                              "label": "1,000–9,999"}],
        },
        "suggestion": None,
        "interpreted": {"searched": "panic disorder", "expansions": [], "corrections": [],
                        "partial": False, "ignored": [], "fuzzy": [], "missing": [],
                        "explained": [], "offers": []},
        "index_version": IndexStore(sample_data).current_name(),
    }


def test_search_keys_are_what_the_spec_documents(client):
    body = client.get("/api/search?q=therapy").get_json()

    assert list(body) == ["query", "total", "page", "per_page", "pages", "sort", "hits", "facets",
                          "suggestion", "interpreted", "index_version"]
    assert {tuple(hit) for hit in body["hits"]} == {(
        "id", "title", "title_html", "month", "url", "citation", "topics", "research_type",
        "snippet_html", "score", "snippet_from", "citation_html", "lacking", "evidence",
    )}
    assert list(body["facets"]) == ["topic", "type", "year", "design", "participants"]
    assert {tuple(v) for group in body["facets"].values() for v in group} == {
        ("value", "label", "count", "selected", "toggle_url")
    }


def test_an_empty_query_lists_everything_newest_first_a_page_at_a_time(client):
    body = client.get("/api/search?per_page=4&page=2").get_json()

    assert (body["query"], body["total"], body["page"], body["per_page"], body["pages"]) == ("", 6, 2, 4, 2)
    assert [hit["id"] for hit in body["hits"]] == [
        "2021-06-psychotherapies-for-depression",
        "2020-08-is-psychodynamic-therapy-effective-for-treating-personality-disorders",
    ]


def test_a_suggestion_is_an_object_with_q_and_html(client):
    body = client.get("/api/search?q=panic+psychodinamic").get_json()

    assert body["suggestion"] == {"q": "panic psychodynamic", "html": "panic <mark>psychodynamic</mark>"}


@pytest.mark.parametrize("query, error", [
    ("page=0", {"code": "out_of_range", "param": "page",
                "message": "page must be between 1 and 1000, not 0."}),
    ("page=two", {"code": "invalid_parameter", "param": "page",
                  "message": "page must be a whole number, not 'two'."}),
    ("per_page=1000", {"code": "out_of_range", "param": "per_page",
                       "message": "per_page must be between 1 and 100, not 1000."}),
    ("sort=bogus", {"code": "invalid_parameter", "param": "sort",
                    "message": "sort must be one of relevance, newest, oldest, participants, not 'bogus'."}),
    ("year=abc", {"code": "invalid_parameter", "param": "year",
                  "message": "year must be four digits, like 2021, not 'abc'."}),
    ("topic=Nonexistent", {"code": "unknown_value", "param": "topic",
                           "message": "There is no topic called 'Nonexistent'."}),
    ("type=Anecdote", {"code": "unknown_value", "param": "type",
                       "message": "There is no type of research called 'Anecdote'."}),
    ("q=" + "x" * 2001, {"code": "too_long", "param": "q",
                         "message": "The query is 2001 characters long; at most 2000 are searched."}),
])
def test_bad_parameters_get_400_with_the_error_shape(client, query, error):
    response = client.get(f"/api/search?{query}")

    assert response.status_code == 400
    assert response.get_json() == {"error": error}


def test_an_entry_with_its_related_entries(client, sample_data):
    response = client.get(f"/api/entries/{PANIC}")

    assert response.status_code == 200
    body = response.get_json()
    related = body.pop("related")
    with Archive(sample_data) as archive:
        entry = archive.get(PANIC)
        others = {e.id: e for e in archive.entries() if e.id != PANIC}
    assert body == {**entry.to_dict(), "year": "2021", "evidence": PANIC_EVIDENCE}
    assert body["doi"] == "10.1192/bjp.2021.148"
    assert len(related) >= 3
    assert len({r["id"] for r in related}) == len(related)
    for r in related:
        other = others[r["id"]]
        assert r == {"id": other.id, "title": other.title, "month": other.month,
                     "url": f"/api/entries/{other.id}"}


def test_an_unknown_entry_is_a_404_in_json(client):
    response = client.get("/api/entries/2099-01-no-such-entry")

    assert response.status_code == 404
    assert response.get_json() == {
        "error": {"code": "not_found", "message": "No entry has the id '2099-01-no-such-entry'."}
    }


def test_an_unknown_api_address_is_a_404_in_json(client):
    response = client.get("/api/nothing-here")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_healthz_reports_the_serving_index(client, sample_data):
    generation = IndexStore(sample_data).current()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok", "entries": 6, "index_version": generation.name,
        "index_built_at": generation.built_at, "index_analysis_current": True,
        "index_evidence_current": True, "worker": os.getpid(),
    }


def test_healthz_says_when_the_index_needs_a_rebuild_for_new_analysis(client, sample_data):
    info_file = IndexStore(sample_data).current().path / "build.json"
    info = json.loads(info_file.read_text())
    info_file.write_text(json.dumps({**info, "analyzer_version": info["analyzer_version"] - 1}))

    assert client.get("/healthz").get_json()["index_analysis_current"] is False


def test_without_an_index_healthz_and_search_answer_503(empty_data, make_app):
    client = make_app(empty_data, ANSWER_CACHE=0).test_client()
    message = (f"No search index in {empty_data.resolve()}. "
               "Run `pprsearch import FILE` or `pprsearch reindex` first.")

    health = client.get("/healthz")
    api = client.get("/api/search?q=panic")
    page = client.get("/")

    assert (health.status_code, health.get_json()) == (
        503, {"status": "no_index", "entries": 0, "message": message})
    assert (api.status_code, api.get_json()) == (503, {"error": {"code": "no_index", "message": message}})
    assert page.status_code == 503
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Search is not ready" in html
    assert "pprsearch import FILE" in html
    assert "Traceback" not in html


def test_a_rebuild_is_seen_by_the_running_app_even_with_the_answer_cache_on(
    sample_data, make_app, tmp_path
):
    client = make_app(sample_data, ANSWER_CACHE=64).test_client()
    assert client.get("/api/search?q=panic").get_json()["total"] == 2

    path = tmp_path / "new.jsonl"
    path.write_text(json.dumps({"month": "2024-01", "title": "Panic Online",
                                "summary": "Internet panic treatment."}), encoding="utf-8")
    import_paths(sample_data, [path])
    body = client.get("/api/search?q=panic").get_json()

    assert body["total"] == 3
    assert "2024-01-panic-online" in [hit["id"] for hit in body["hits"]]
    assert client.get("/healthz").get_json()["entries"] == 7


XSS = "<script>alert(1)</script>"


def test_content_is_escaped_in_the_api_html_fields(empty_data, make_app, tmp_path):
    path = tmp_path / "xss.jsonl"
    path.write_text(json.dumps({
        "month": "2019-04", "title": f"Rupture {XSS} Repair",
        "citation": f"Eubanks, C. F. {XSS} (2018). Rupture repair. Psychotherapy.",
        "summary": f"Alliance {XSS} ruptures matter.",
    }), encoding="utf-8")
    import_paths(empty_data, [path])
    client = make_app(empty_data, ANSWER_CACHE=0).test_client()

    hit = client.get("/api/search?q=alert").get_json()["hits"][0]

    assert hit["snippet_html"] == "Alliance &lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; ruptures matter."
    assert hit["title_html"] == "Rupture &lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; Repair"
    assert hit["title"] == f"Rupture {XSS} Repair"  # plain-text fields are data, not HTML


@pytest.mark.parametrize("q", ["therapz mark", "mark therapz", "therapz lt", "therapz amp",
                               "therapz &lt; mark", "therapz <mark>"])
def test_a_suggestions_markup_is_built_once_from_escaped_text(q):
    """Query words that are parts of the markup (mark, lt, amp) never get marked inside it."""
    from search.suggest import suggest

    fixes = {"therapz": ["therapy"], "mark": ["more"], "lt": ["let"], "amp": ["map"]}
    words = [w for w in q.split() if w.isalpha()]
    suggestion = suggest(q, words, lambda word: fixes.get(word, []), known=lambda term: False)

    html = suggestion.html
    # Its only markup is whole <mark> elements around words, and without them it is the
    # suggested query, escaped once.
    assert re.fullmatch(r"(?:[^<>]|<mark>[^<>]+</mark>)*", html), html
    assert unescape(re.sub(r"</?mark>", "", html)) == suggestion.q
    assert "<mark>therapy</mark>" in html


def test_did_you_mean_marks_each_corrected_word(client):
    suggestion = client.get("/api/search?q=therapz+psychodinamic").get_json()["suggestion"]

    assert suggestion == {"q": "therapy psychodynamic",
                          "html": "<mark>therapy</mark> <mark>psychodynamic</mark>"}
