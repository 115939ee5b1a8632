"""The pages people use: the search page, entry pages, friendly errors, escaping."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup

from index.ingest import import_paths

from conftest import PANIC

MENTALIZE = "2023-03-capacity-to-mentalize-predicted-outcomes-in-inpatient-therapy-for-resistant-depression"
PDT = "Psychodynamic Therapy (PDT)"


def get(client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def link(href: str) -> tuple[str, list[tuple[str, str]]]:
    """A URL as its path and its query pairs, in order."""
    parts = urlsplit(href)
    return parts.path, parse_qsl(parts.query, keep_blank_values=True)


def text(node) -> str:
    return " ".join(node.get_text(" ").split())


def hit_ids(soup) -> list[str]:
    return [h2["id"].removeprefix("hit-") for h2 in soup.select("ol.hits h2")]


def checkboxes(soup, param: str) -> dict[str, bool]:
    return {box["value"]: box.has_attr("checked")
            for box in soup.select(f'input[type=checkbox][name="{param}"]')}


def notices(soup) -> list[str]:
    return [text(p) for p in soup.select(".notice")]


# --- the search page ---------------------------------------------------------------------


def test_results_show_the_count_marks_and_links(client):
    soup = get(client, "/?q=panic+disorder")

    assert text(soup.select_one("#result-count")) == "2 entries for “panic disorder”"
    assert hit_ids(soup) == [PANIC, MENTALIZE]
    first = soup.select("ol.hits li.hit")[0]
    title = first.select_one("h2 a")
    assert str(title) == (
        f'<a href="/entries/{PANIC}?q=panic+disorder">Psychological Treatments for '
        "<mark>Panic</mark> <mark>Disorder</mark></a>"
    )
    assert [text(m) for m in first.select(".snippet mark")][:2] == ["panic", "disorder"]
    assert text(first.select_one(".snippet .from")) == "Practice implications:"
    # One line of source instead of the citation, which the entry page shows in full.
    assert first.select_one(".citation") is None
    assert text(first.select_one(".meta")) == (
        "November 2021 · Meta-analysis or Systematic Review · "
        "Papola et al. (2021), The British Journal of Psychiatry · DOI · Cite")
    assert first.select_one(".meta a.doi")["href"] == "https://doi.org/10.1192/bjp.2021.148"
    assert soup.select_one("#q")["value"] == "panic disorder"


def test_a_result_is_compact_and_marks_a_matched_author_in_its_source_line(client):
    soup = get(client, "/?q=author:Papola")
    hit = soup.select("ol.hits li.hit")[0]
    assert str(hit.select_one(".meta .source")) == (
        '<span class="source"><mark>Papola</mark> et al. (2021), The British Journal of '
        "Psychiatry</span>")
    # Title, source line (with the DOI and Cite), evidence line, snippet: topics are in the
    # filters and on the entry page.
    assert hit.select(".chips") == []
    assert [p["class"][0] for p in hit.select("article > p")] == ["meta", "evidence-line", "snippet"]


def test_facet_checkboxes_show_what_is_selected(client):
    soup = get(client, f"/?q=therapy&topic={PDT}&year=2022&year=2020")

    assert checkboxes(soup, "year") == {"2023": False, "2022": True, "2021": False, "2020": True}
    topics = checkboxes(soup, "topic")
    assert topics[PDT] is True
    assert [name for name, on in topics.items() if on] == [PDT]
    assert set(checkboxes(soup, "type").values()) == {False}
    assert text(soup.select_one("#result-count")) == (
        "2 entries for “therapy” in Psychodynamic Therapy (PDT), 2020 or 2022"
    )


def test_a_selected_value_with_no_entries_is_still_shown_checked(client):
    soup = get(client, "/?year=2015")

    assert checkboxes(soup, "year") == {
        "2023": False, "2022": False, "2021": False, "2020": False, "2015": True,
    }
    assert hit_ids(soup) == []
    assert text(soup.select_one("#result-count")) == "0 entries, 2015"


def test_each_facet_value_carries_the_url_that_toggles_it(client):
    soup = get(client, "/?q=panic+disorder&year=2021")
    toggles = {box["value"]: link(box["data-toggle"])
               for box in soup.select('input[type=checkbox][name="year"]')}

    assert toggles == {
        "2023": ("/", [("q", "panic disorder"), ("year", "2021"), ("year", "2023")]),
        "2021": ("/", [("q", "panic disorder")]),
    }


def test_pagination_links_keep_every_parameter(client):
    kept = [("q", "psychodynamic"), ("topic", PDT), ("type", "Meta-analysis or Systematic Review"),
            ("type", "Review or Book Chapter"), ("type", "Single Empirical Study"),
            ("year", "2020"), ("year", "2021"), ("year", "2022"), ("year", "2023")]
    query = "&".join(f"{k}={v}" for k, v in kept)

    soup = get(client, f"/?{query}&sort=oldest&per_page=2&page=2")

    pager = soup.select_one("nav.pager")
    assert link(pager.select_one("a[rel=prev]")["href"]) == (
        "/", kept + [("sort", "oldest"), ("per_page", "2")])
    assert link(pager.select_one("a[rel=next]")["href"]) == (
        "/", kept + [("sort", "oldest"), ("page", "3"), ("per_page", "2")])
    numbered = [(text(a), link(a["href"])) for a in pager.select("ul a")]
    assert numbered == [
        ("1", ("/", kept + [("sort", "oldest"), ("per_page", "2")])),
        ("2", ("/", kept + [("sort", "oldest"), ("page", "2"), ("per_page", "2")])),
        ("3", ("/", kept + [("sort", "oldest"), ("page", "3"), ("per_page", "2")])),
    ]
    assert pager.select_one("[aria-current=page]").get_text() == "2"
    assert len(hit_ids(soup)) == 2
    assert soup.select_one("ol.hits")["start"] == "3"


def test_the_last_page_has_no_next_and_the_first_no_previous(client):
    first = get(client, "/?per_page=2")
    last = get(client, "/?per_page=2&page=3")

    assert first.select_one("nav.pager a[rel=prev]") is None
    assert first.select_one("nav.pager a[rel=next]") is not None
    assert last.select_one("nav.pager a[rel=next]") is None
    assert hit_ids(last) == [
        "2021-06-psychotherapies-for-depression",
        "2020-08-is-psychodynamic-therapy-effective-for-treating-personality-disorders",
    ]


@pytest.mark.parametrize("url, selected", [
    ("/?q=panic", "relevance"),
    ("/?q=panic&sort=oldest", "oldest"),
    ("/", "newest"),  # no words: listed newest first, and the select says so
])
def test_the_sort_select_shows_the_order_used(client, url, selected):
    soup = get(client, url)

    options = soup.select("select#sort option")
    assert [o["value"] for o in options] == ["relevance", "newest", "oldest", "participants"]
    assert [o["value"] for o in options if o.has_attr("selected")] == [selected]


def test_an_empty_query_lists_all_entries_newest_first(client):
    soup = get(client, "/")

    assert text(soup.select_one("#result-count")) == "6 entries"
    assert hit_ids(soup)[0] == MENTALIZE
    assert len(hit_ids(soup)) == 6


def test_a_query_with_no_results_says_so_and_offers_a_way_out(client):
    soup = get(client, "/?q=xylophone&topic=Anxiety+Disorders")

    assert text(soup.select_one("#result-count")) == "0 entries for “xylophone” in Anxiety Disorders"
    empty = soup.select_one(".empty")
    assert text(empty.select_one("h2")) == "No entry mentions xylophone"  # in the whole archive
    assert ("/", [("q", "xylophone")]) in [link(a["href"]) for a in empty.select("a")]


def test_a_word_no_entry_holds_finds_nothing_and_offers_the_rest(client):
    soup = get(client, "/?q=couples+therapy")

    assert text(soup.select_one("#result-count")) == "0 entries for “couples therapy”"
    assert hit_ids(soup) == []
    empty = soup.select_one(".empty")
    assert text(empty.select_one("h2")) == "No entry mentions couples"
    (offer,) = empty.select(".offers a")
    assert text(offer) == "5 entries mention therapy"
    assert link(offer["href"]) == ("/", [("q", "therapy")])
    assert text(get(client, offer["href"]).select_one("#result-count")) == "5 entries for “therapy”"


def test_an_abbreviation_no_entry_holds_is_explained(client):
    soup = get(client, "/?q=PTSD")

    empty = soup.select_one(".empty")
    assert text(empty.select_one("h2")) == "No entry mentions PTSD"
    assert text(empty.select_one(".explained")) == "PTSD: posttraumatic stress disorder"
    assert soup.select(".suggestion") == []


def test_two_words_no_entry_holds_together_offer_each_word(client):
    soup = get(client, "/?q=agoraphobia+mentalize")

    empty = soup.select_one(".empty")
    assert text(empty.select_one("h2")) == "No entry mentions all of “agoraphobia mentalize” together"
    assert [text(a) for a in empty.select(".offers a")] == [
        "1 entry mentions agoraphobia", "2 entries mention mentalize"]  # mentalizing, too


def test_a_suggestion_links_to_the_corrected_search(client):
    soup = get(client, "/?q=panic+psychodinamic")

    suggestion = soup.select_one(".suggestion a")
    assert link(suggestion["href"]) == ("/", [("q", "panic psychodynamic")])
    assert str(suggestion.select_one("mark")) == "<mark>psychodynamic</mark>"


# --- bad input on the page ---------------------------------------------------------------


@pytest.mark.parametrize("url, notice, count", [
    ("/?page=999", "There is no page 999 of these results; here is page 1.", "6 entries"),
    ("/?q=therapy&topic=Nonexistent", "There is no topic called 'Nonexistent'.",
     "5 entries for “therapy”"),
    ("/?sort=bogus", "sort must be one of relevance, newest, oldest, participants, not 'bogus'.", "6 entries"),
    ("/?per_page=0", "per_page must be between 1 and 100, not 0.", "6 entries"),
    ("/?page=1001", "page must be between 1 and 1000, not 1001.", "6 entries"),
    ("/?year=20x1", "year must be four digits, like 2021, not '20x1'.", "6 entries"),
])
def test_bad_parameters_give_the_page_with_a_notice(client, url, notice, count):
    soup = get(client, url)

    assert notices(soup) == [notice]
    assert text(soup.select_one("#result-count")) == count


def test_a_query_of_five_thousand_characters_is_cut_and_searched(client):
    q = ("panic " * 1000)[:5000]

    soup = get(client, f"/?q={q}")

    assert notices(soup) == ["The query is 5000 characters long; at most 2000 are searched."]
    assert text(soup.select_one("#result-count")).startswith("2 entries for “panic panic")
    assert hit_ids(soup) == [PANIC, MENTALIZE]


def test_a_bad_value_keeps_the_good_ones_beside_it(client):
    soup = get(client, f"/?q=therapy&topic=Nonexistent&topic={PDT}")

    assert notices(soup) == ["There is no topic called 'Nonexistent'."]
    assert checkboxes(soup, "topic")[PDT] is True
    assert text(soup.select_one("#result-count")) == "4 entries for “therapy” in Psychodynamic Therapy (PDT)"


def test_a_bad_year_keeps_the_good_year_beside_it(client):
    soup = get(client, "/?year=abc&year=2021")

    assert notices(soup) == ["year must be four digits, like 2021, not 'abc'."]
    assert text(soup.select_one("#result-count")) == "2 entries, 2021"


@pytest.mark.parametrize("url, notice", [
    ("/?type=x%20", "There is no type of research called 'x'."),
    ("/?topic=%20Nope", "There is no topic called 'Nope'."),
    ("/?year=%20abc", "year must be four digits, like 2021, not 'abc'."),
    ("/?year=abc%20&year=%20abc&topic=Nope%20&topic=Nope", None),
])
def test_a_padded_bad_value_is_dropped_like_an_unpadded_one(client, url, notice):
    response = client.get(url)

    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    if notice:
        assert notices(soup) == [notice]
    assert text(soup.select_one("#result-count")) == "6 entries"


# --- entry pages ------------------------------------------------------------------------


def test_an_entry_page_shows_the_whole_entry(client):
    soup = get(client, f"/entries/{PANIC}")

    assert text(soup.select_one("h1")) == "Psychological Treatments for Panic Disorder"
    citation = soup.select_one("p.citation")
    assert [(a["href"], text(a)) for a in citation.select("a")] == [
        ("https://doi.org/10.1192/bjp.2021.148", "doi:10.1192/bjp.2021.148")
    ]
    assert text(citation).startswith("Papola, D., Ostuzzi, G.")
    sections = {text(s.select_one("h2")): text(s) for s in soup.select("article section")}
    assert list(sections) == ["Evidence at a glance", "Summary", "Practice Implications"]
    assert sections["Summary"].startswith("Summary Panic disorder affects between 1.1% and 3.7%")
    assert sections["Practice Implications"].startswith(
        "Practice Implications The results of this large network meta-analysis")
    assert text(soup.select_one("time")) == "November 2021"


def test_entry_topic_chips_link_to_the_filtered_search(client):
    soup = get(client, f"/entries/{PANIC}")

    chips = [(text(a), link(a["href"])) for a in soup.select("article .chips a")]
    assert chips == [(name, ("/", [("topic", name)])) for name in (
        "Anxiety Disorders", "Attendance, Attrition, and Drop-Out",
        "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)",
        "Efficacy of Treatments", PDT,
    )]
    type_chip = soup.select_one("a.chip.type")
    assert link(type_chip["href"]) == ("/", [("type", "Meta-analysis or Systematic Review")])


def test_entry_topic_links_lead_to_pages_listing_the_entry(client):
    soup = get(client, f"/entries/{PANIC}")

    for a in soup.select("article .chips a"):
        assert PANIC in hit_ids(get(client, a["href"]))


def test_entry_page_lists_related_entries(client):
    soup = get(client, f"/entries/{PANIC}")

    related = [link(a["href"])[0] for a in soup.select("section.related a")]
    assert len(related) >= 3
    assert f"/entries/{PANIC}" not in related
    for href in related:
        get(client, href)  # each one is a real entry page


def test_entry_page_reached_from_a_search_links_previous_next_and_back(client):
    order = [h["id"] for h in client.get("/api/search?q=therapy&per_page=100").get_json()["hits"]]
    i = order.index(PANIC)
    assert 0 < i < len(order) - 1  # the sample puts it mid-list

    soup = get(client, f"/entries/{PANIC}?q=therapy")

    assert link(soup.select_one("a[rel=prev]")["href"]) == (f"/entries/{order[i - 1]}", [("q", "therapy")])
    assert link(soup.select_one("a[rel=next]")["href"]) == (f"/entries/{order[i + 1]}", [("q", "therapy")])
    assert link(soup.select_one("a.back")["href"]) == ("/", [("q", "therapy")])


def test_entry_page_without_a_search_has_no_previous_or_next(client):
    soup = get(client, f"/entries/{PANIC}")

    assert soup.select("a[rel=prev]") == [] and soup.select("a[rel=next]") == []


def test_hit_links_carry_the_search_to_the_entry_page(client):
    soup = get(client, "/?q=therapy&sort=newest")

    hrefs = [link(a["href"]) for a in soup.select("ol.hits h2 a")]
    assert hrefs[0] == (f"/entries/{MENTALIZE}", [("q", "therapy"), ("sort", "newest")])


def test_an_unknown_entry_is_a_friendly_404_page(client):
    soup = get(client, "/entries/2099-01-no-such-entry", status=404)

    assert text(soup.select_one("h1")) == "Not found"
    assert "No entry has the id '2099-01-no-such-entry'." in text(soup)
    assert soup.select_one('a[href="/"]') is not None


def test_an_unknown_address_is_a_friendly_404_page(client):
    soup = get(client, "/no/such/page", status=404)

    assert text(soup.select_one("h1")) == "Not found"
    assert "There is no page at this address." in text(soup)


# --- escaping ---------------------------------------------------------------------------

XSS = "<script>alert(1)</script>"


@pytest.fixture
def xss_client(empty_data, make_app, tmp_path):
    path = tmp_path / "xss.jsonl"
    path.write_text(json.dumps({
        "month": "2019-04", "title": f"Rupture {XSS} Repair",
        "citation": f"Eubanks, C. F. {XSS} (2018). Rupture repair. Psychotherapy. doi:10.1/x{XSS}",
        "summary": f"Alliance {XSS} ruptures matter.",
        "implications": f"Repair {XSS} them.",
        "topics": ["Empathy"], "research_type": "Single Empirical Study",
    }), encoding="utf-8")
    import_paths(empty_data, [path])
    return make_app(empty_data, ANSWER_CACHE=0).test_client()


XSS_ID = "2019-04-rupture-script-alert-1-script-repair"


@pytest.mark.parametrize("url", ["/?q=alert", "/?q=rupture", "/", f"/entries/{XSS_ID}",
                                 f"/entries/{XSS_ID}?q=alert"])
def test_content_is_escaped_in_the_pages(xss_client, url):
    html = xss_client.get(url).get_data(as_text=True)

    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    soup = BeautifulSoup(html, "html.parser")
    scripts = [urlsplit(s.get("src")).path for s in soup.select("script")]
    assert set(scripts) <= {"/static/cite.js", "/static/search.js", "/static/typeahead.js"}
    assert {"/static/cite.js", "/static/typeahead.js"} <= set(scripts)


def test_next_and_previous_cross_the_results_pages(client):
    """At the edge of a results page the neighbour comes from the next page, linked with it."""
    html = client.get("/entries/2022-12-adding-short-term-psychodynamic-psychotherapy-to-antidepressants"
                      "?q=&per_page=2").get_data(as_text=True)
    soup = BeautifulSoup(html, "lxml")

    assert "Result 2 of 6" in soup.select_one(".position").get_text()
    following = soup.select_one('a[rel="next"]')["href"]
    assert following.startswith("/entries/2022-06-the-evidence-for-psychodynamic-therapy?")
    assert ("page", ["2"]) in parse_qs(urlsplit(following).query).items()
    preceding = soup.select_one('a[rel="prev"]')["href"]
    assert preceding.startswith("/entries/2023-03-capacity-to-mentalize")
    assert "page" not in parse_qs(urlsplit(preceding).query)
