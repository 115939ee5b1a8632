"""Following a search (Atom), adding the site to a browser (OpenSearch), and the sitemap."""

from __future__ import annotations

import json
import time
from xml.etree import ElementTree as ET

import feedparser

from index.ingest import import_paths

from conftest import PANIC

ATOM = "{http://www.w3.org/2005/Atom}"


def test_feed_of_a_search_parses_cleanly(client):
    response = client.get("/feed.atom?q=psychodynamic")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    ids = [h["id"] for h in client.get("/api/search?q=psychodynamic&sort=newest").get_json()["hits"]]
    assert [e.link for e in feed.entries] == [f"http://localhost/entries/{i}" for i in ids]
    assert feed.feed.title == "“psychodynamic” · PPRNet Search"
    assert feed.feed.links[0].href == "http://localhost/feed.atom?q=psychodynamic"
    first = feed.entries[0]
    assert first.id.startswith("urn:uuid:")
    assert first.published.startswith("2023-03-01")
    assert first.updated >= first.published
    assert "Halstensen, K." in first.summary


def test_entry_ids_are_stable_across_searches_and_hosts(client):
    one = feedparser.parse(client.get("/feed.atom?q=panic").data)
    two = feedparser.parse(client.get("/feed.atom?topic=Anxiety+Disorders", base_url="https://example.org").data)
    by_link = {e.link.rsplit("/", 1)[1]: e.id for e in one.entries}
    assert {e.link.rsplit("/", 1)[1]: e.id for e in two.entries}[PANIC] == by_link[PANIC]


def test_updated_follows_the_last_change(sample_data, make_app, tmp_path):
    client = make_app(sample_data, ANSWER_CACHE=0).test_client()
    before = {e.id: e.updated for e in feedparser.parse(client.get("/feed.atom").data).entries}
    entry = client.get(f"/api/entries/{PANIC}").get_json()
    entry.pop("related"), entry.pop("year")
    entry["summary"] += " Changed."
    time.sleep(1.1)  # the archive keeps times to the second
    changed = tmp_path / "changed.jsonl"
    changed.write_text(json.dumps(entry) + "\n", encoding="utf-8")
    import_paths(sample_data, [changed])
    after = feedparser.parse(client.get("/feed.atom").data)
    assert len(after.entries) == 6 and not after.bozo
    moved = [e.id for e in after.entries if e.updated != before[e.id]]
    assert [e.link for e in after.entries if e.id in moved] == [f"http://localhost/entries/{PANIC}"]


def test_feed_escapes_what_it_must(client):
    response = client.get("/feed.atom?q=%3Cscript%3E+%26+%22x%22")
    assert response.status_code == 200
    feed = feedparser.parse(response.data)
    assert not feed.bozo
    assert feed.feed.title == "“<script> & \"x\"” · PPRNet Search"


def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    ns = "{http://a9.com/-/spec/opensearch/1.1/}"
    assert root.tag == f"{ns}OpenSearchDescription"
    assert root.find(f"{ns}ShortName").text == "PPRNet Search"
    urls = {u.get("type"): u.get("template") for u in root.findall(f"{ns}Url")}
    assert urls["text/html"] == "http://localhost/?q={searchTerms}"
    assert urls["application/atom+xml"] == "http://localhost/feed.atom?q={searchTerms}"
    assert "application/x-suggestions+json" not in urls  # the product offers no suggestions


def test_every_page_links_the_opensearch_description(client):
    for path in ("/", "/?q=panic", f"/entries/{PANIC}", f"/entries/{PANIC}/cite", "/nope"):
        html = client.get(path).get_data(as_text=True)
        assert ('<link rel="search" type="application/opensearchdescription+xml" '
                'title="PPRNet Search" href="/opensearch.xml">') in html, path


def test_sitemap_lists_every_entry(client):
    response = client.get("/sitemap.xml")
    root = ET.fromstring(response.data)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [u.find(f"{ns}loc").text for u in root.findall(f"{ns}url")]
    ids = [h["id"] for h in client.get("/api/search?per_page=100").get_json()["hits"]]
    assert sorted(locs[1:]) == sorted(f"http://localhost/entries/{i}" for i in ids)
    assert len(ids) == 6
    assert all(len(u.find(f"{ns}lastmod").text) == 10 for u in root.findall(f"{ns}url")[1:])
