"""Suggestions under the search box (search/complete.py, /api/suggest): completions drawn from
the archive, each with its kind and what its search finds."""

from __future__ import annotations

import pytest

from search.complete import Completions, fold

from conftest import PANIC


def test_candidates_match_when_each_typed_word_starts_one_of_their_words():
    c = Completions([("Anxiety Disorders", "Anxiety Disorders", "topic"),
                     ("Psychological Treatments for Panic Disorder",
                      "Psychological Treatments for Panic Disorder", "title"),
                     ("panic disorder", "panic disorder", "term"),
                     ("author:Papola", "Papola", "author")])
    assert [x.text for x in c.matching("panic dis", 8)] == [
        "panic disorder", "Psychological Treatments for Panic Disorder"]
    assert [x.text for x in c.matching("dis", 8)] == ["Anxiety Disorders", "panic disorder",
                                                      "Psychological Treatments for Panic Disorder"]
    assert [x.q for x in c.matching("pap", 8)] == ["author:Papola"]
    assert c.matching("p", 8) == [] and c.matching("zebra", 8) == []
    assert len(c.matching("dis", 2)) == 2
    assert fold("Stålsett") == ["stalsett"]


def test_api_suggest_lists_completions_with_kind_and_count(client):
    body = client.get("/api/suggest?q=panic+dis").get_json()
    assert body["query"] == "panic dis"
    assert body["suggestions"][:2] == [
        {"q": "panic disorder", "text": "panic disorder", "kind": "query", "label": "Search",
         "count": 2, "url": "/?q=panic+disorder"},
        {"q": "Psychological Treatments for Panic Disorder",
         "text": "Psychological Treatments for Panic Disorder", "kind": "title", "label": "Title",
         "count": 2, "url": "/?q=Psychological+Treatments+for+Panic+Disorder"},
    ]
    kinds = {s["kind"] for s in client.get("/api/suggest?q=psy").get_json()["suggestions"]}
    assert {"topic", "term", "title"} <= kinds
    author = client.get("/api/suggest?q=cuij").get_json()["suggestions"]
    assert [(s["q"], s["kind"], s["count"]) for s in author] == [("author:Cuijpers", "author", 2)]
    assert client.get("/api/suggest?q=zzzz").get_json()["suggestions"] == []
    assert client.get("/api/suggest").get_json()["suggestions"] == []


def test_api_suggest_in_the_opensearch_shape(client):
    response = client.get("/api/suggest?q=panic+dis&format=opensearch")
    assert response.status_code == 200
    assert response.mimetype == "application/x-suggestions+json"
    q, completions = response.get_json(force=True)
    assert q == "panic dis"
    assert completions[:2] == ["panic disorder", "Psychological Treatments for Panic Disorder"]


def test_api_search_completes_the_last_word_only_with_prefix(client):
    typed = client.get("/api/search?q=panic+dis&prefix=1").get_json()
    assert typed["hits"][0]["id"] == PANIC
    assert all("prefix" not in f["toggle_url"] for group in typed["facets"].values() for f in group)
    whole = client.get("/api/search?q=panic+dis").get_json()
    assert whole["total"] == 0 and whole["interpreted"]["missing"] == ["dis"]


@pytest.mark.parametrize("typed", ["psy", "dep", "panic dis", "therapy out", "borderline per"])
def test_each_suggestion_counts_what_its_search_finds(client, typed):
    suggestions = client.get(f"/api/suggest?q={typed}").get_json()["suggestions"]
    assert suggestions
    for s in suggestions:
        assert s["count"] == client.get(s["url"].replace("/?", "/api/search?")).get_json()["total"], s
    words = [tuple(s["q"].lower().replace("-", " ").split()) for s in suggestions]
    assert len(words) == len(set(words))  # one of each
