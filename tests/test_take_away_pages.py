"""What the pages offer for taking entries away: links out, Cite, Export, Follow, previews."""

from __future__ import annotations

import csv
import io

import feedparser
import rispy
from bs4 import BeautifulSoup

from index.archive import Archive

from conftest import PANIC, SAMPLE


def soup_of(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "lxml")


def test_results_link_the_doi_and_offer_cite(client):
    page = soup_of(client, "/?q=panic+disorder")
    hit = next(h for h in page.select(".hit") if PANIC in h.h2.a["href"])
    # The compact result links the DOI in its source line; the full citation is on the entry page.
    assert hit.select_one(".meta a.doi")["href"] == "https://doi.org/10.1192/bjp.2021.148"
    assert hit.select_one("a.cite-link")["href"] == f"/entries/{PANIC}/cite"


def test_follow_and_export_carry_the_search(client):
    page = soup_of(client, "/?q=psychodynamic&type=Meta-analysis+or+Systematic+Review&sort=oldest&page=1")
    follow = page.select_one(".take-away a.follow")["href"]
    assert follow == "/feed.atom?q=psychodynamic&type=Meta-analysis+or+Systematic+Review"
    head = page.select_one('head link[rel=alternate][type="application/atom+xml"]')
    assert head["href"] == follow
    exports = [a["href"] for a in page.select(".take-away .export a")]
    assert exports == [
        f"/export?q=psychodynamic&type=Meta-analysis+or+Systematic+Review&sort=oldest&format={f}"
        for f in ("ris", "bibtex", "csv", "jsonl")
    ]
    # The links work and agree with the page's count.
    total = client.get("/api/search?q=psychodynamic&type=Meta-analysis+or+Systematic+Review").get_json()["total"]
    assert len(rispy.loads(client.get(exports[0]).get_data(as_text=True))) == total
    rows = list(csv.DictReader(io.StringIO(client.get(exports[2]).get_data(as_text=True))))
    assert len(rows) == total
    assert len(feedparser.parse(client.get(follow).data).entries) == total


def test_entry_page_previews_and_prints_its_address(client):
    page = soup_of(client, f"/entries/{PANIC}")
    description = page.select_one('meta[name="description"]')["content"]
    assert description.startswith("Panic disorder affects between 1.1% and 3.7% of the population")
    assert len(description) <= 201
    assert page.select_one('meta[property="og:title"]')["content"] == "Psychological Treatments for Panic Disorder"
    assert page.select_one('meta[property="og:description"]')["content"] == description
    assert page.select_one('meta[property="og:url"]')["content"] == f"http://localhost/entries/{PANIC}"
    assert page.select_one(".print-only.address").text == f"http://localhost/entries/{PANIC}"
    assert page.select_one(".entry-actions a.cite-link")["href"] == f"/entries/{PANIC}/cite"
    assert page.select_one('link[rel="search"]')["href"] == "/opensearch.xml"


def test_sample_entries_link_the_blog_listing_they_came_from(client):
    page = soup_of(client, f"/entries/{PANIC}")
    link = page.select_one(".entry .source a")
    assert link["href"] == "https://socialsciences.uottawa.ca/pprnet/blog"
    assert link.text == "Read this summary on the PPRNet blog"


def test_import_source_url_from_the_command_line(run_cli, empty_data):
    result = run_cli("import", str(SAMPLE), "--source-url", "https://example.org/pprnet/blog", data=empty_data)
    assert result.exit_code == 0, result.output
    with Archive(empty_data) as archive:
        assert {e.url for e in archive.entries()} == {"https://example.org/pprnet/blog"}
    result = run_cli("import", str(SAMPLE), "--source-url", "blog", data=empty_data)
    assert result.exit_code != 0 and "--source-url" in result.output
