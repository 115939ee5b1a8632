"""The HTML reader: each theme of the replica, entry pages, the old site's monthly pages, saved
and cut-off pages, broken markup, and the same entries as the text reader from the same page."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pytest

from conftest_crawl import listed_entry, theme_of
from crawler.htmlpage import ListingPage, parse_html_page, parse_listing
from crawler.importer import read_file
from crawler.textpage import parse_text_page
from index.archive import Archive
from index.ingest import import_paths
from replica import pages
from replica.content import PER_PAGE, POSTS, TOPICS, TYPES

ORIGIN = "https://blog.example"
PAGE_URL = ORIGIN + "/pprnet/blog?p=1"
SAVED = Path(__file__).parent / "replica" / "saved"
SAMPLE = Path(__file__).parent.parent / "sample" / "pprnet-blog-page.txt"


def listing_page(number: int, theme: str | None = None) -> ListingPage:
    """Page `number` of the replica's blog, in its own theme unless another is asked for."""
    posts = POSTS[(number - 1) * PER_PAGE : number * PER_PAGE]
    html = pages.listing(posts, number, 3, {}, theme or ("rows", "flat", "teasers")[number - 1])
    return parse_listing(html, ORIGIN + f"/pprnet/blog?p={number}")


# The replica's three themes


@pytest.mark.parametrize("number", [1, 2, 3])
def test_each_theme_gives_the_entries_as_the_listing_shows_them(number):
    page = listing_page(number)
    posts = POSTS[(number - 1) * PER_PAGE : number * PER_PAGE]
    assert page.page.entries == tuple(listed_entry(post, ORIGIN) for post in posts)
    assert page.page.problems == ()


@pytest.mark.parametrize("number", [1, 2, 3])
def test_each_theme_gives_the_filters_by_name_and_id(number):
    page = listing_page(number)
    assert page.topic_links == tuple((name, ident) for ident, name in TOPICS)
    assert page.type_links == tuple((name, ident) for ident, name in TYPES)
    assert page.page.topics == tuple(name for _, name in TOPICS)
    assert page.page.research_types == ("Single Empirical Studies",
                                        "Meta-Analyses & Systematic Reviews",
                                        "Reviews – Book Chapters")


def test_linked_titles_are_permalinks_and_teasers_are_to_be_followed():
    rows, flat, teasers = listing_page(1), listing_page(2), listing_page(3)
    assert [url for _, url in rows.entry_links] == [ORIGIN + pages.link(p) for p in POSTS[:6]]
    assert rows.partial == () and flat.entry_links == () and flat.partial == ()
    assert teasers.entry_links == tuple((listed_entry(p).id, ORIGIN + pages.link(p)) for p in POSTS[12:])
    assert teasers.partial == tuple(listed_entry(p).id for p in POSTS[12:])


def test_the_pager_is_read_as_links_and_never_as_text():
    page = listing_page(1)
    assert page.page_links == (ORIGIN + "/pprnet/blog?p=2", ORIGIN + "/pprnet/blog?p=3")
    flat = listing_page(2)
    assert flat.page.entries[-1].implications == POSTS[11].implications


def test_a_filter_listing_page_in_another_theme_gives_the_same_ids():
    for number in (1, 2, 3):
        own = [e.id for e in listing_page(number).page.entries]
        assert [e.id for e in listing_page(number, "rows").page.entries] == own
        assert [e.id for e in listing_page(number, "teasers").page.entries] == own


# Entry pages


@pytest.mark.parametrize("slug", ["long-term-chronic", "group-late-life"])
def test_an_entry_page_gives_the_whole_entry(slug):
    post = next(p for p in POSTS if p.slug == slug)
    url = ORIGIN + pages.link(post)
    expected = listed_entry(post).replace(
        summary="\n\n".join(post.summary), implications=post.implications)
    page = parse_listing(pages.entry(post), url, month=expected.month)
    assert page.page.entries == (expected.replace(url=url if post.page == "undated" else ""),)


def test_a_page_with_no_month_anywhere_gives_nothing_and_says_so():
    post = next(p for p in POSTS if p.page == "undated")
    page = parse_html_page(pages.entry(post), ORIGIN + pages.link(post))
    assert page.entries == ()
    assert page.problems == ("no month heading found, so the page holds no entries",)


def test_scripts_banners_footers_and_sidebars_are_not_read():
    html = pages.entry(POSTS[0])  # a script, a footer and a sidebar each hold a month
    assert [e.month for e in parse_html_page(html, ORIGIN).entries] == ["2024-06"]


# The old site, saved pages, imports


def test_an_old_site_monthly_page_takes_its_month_from_its_address_or_title():
    data = (SAVED / "pprnet_blog_sept2013.html").read_bytes()
    by_title = parse_html_page(data)
    by_address = parse_html_page(data, "http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_sept2013.html")
    assert [e.id for e in by_title.entries] == [
        "2013-09-early-change-in-psychotherapy", "2013-09-handbook-review-therapist-variables"]
    assert [e.id for e in by_address.entries] == [e.id for e in by_title.entries]
    early, handbook = by_title.entries
    assert early.implications == ("A sudden gain is worth naming with the client: what changed, "
                                  "and how can it be kept?")
    assert handbook.summary.startswith("Handbook of Psychotherapy and Behavior Change: Starting")
    assert handbook.citation.startswith("Beutel, S. & Ng, W. (2013).")
    assert "therapist’s warmth" in handbook.summary
    assert by_address.entries[0].url == "http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_sept2013.html"


def test_an_old_site_page_with_headings_only_is_read_by_its_file_name():
    text = (SAVED / "pprnet_blog_jan2015.html").read_text(encoding="utf-8")
    page = parse_html_page(text, source="pprnet_blog_jan2015.html")
    assert [(e.id, e.citation, e.implications) for e in page.entries] == [(
        "2015-01-homework-compliance-in-cbt", "",
        "Review homework at the start of each session and set tasks together with the client.")]


def test_a_saved_page_cut_off_mid_entry_keeps_what_it_holds():
    page = parse_listing((SAVED / "saved-listing-cut.html").read_text(encoding="utf-8"))
    first, cut = page.page.entries
    assert first.authors == ("Řiháček", "Vybíral", "Flückiger")
    assert first.url == "https://socialsciences.uottawa.ca/pprnet/blog/client-preferences-2016"
    assert cut.summary.endswith("rated empat") and cut.implications == ""
    assert page.partial == (cut.id,)


def test_import_reads_saved_html_through_the_same_parser(tmp_path):
    page = read_file(SAVED / "saved-listing-cut.html")
    assert all(e.topics_inferred and e.type_inferred for e in page.entries)
    report = import_paths(tmp_path, [SAVED / "saved-listing-cut.html",
                                     SAVED / "pprnet_blog_sept2013.html"])
    assert report.counts.new == 4
    with Archive(tmp_path) as archive:
        assert archive.count() == 4


def test_the_html_of_a_text_page_gives_the_same_entries():
    text = SAMPLE.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    html = "<html><body><main>" + "".join(
        f"<li>{escape(line[2:])}</li>" if line.startswith("- ") else f"<p>{escape(line)}</p>"
        for line in lines) + "</main></body></html>"
    assert parse_html_page(html).entries == parse_text_page(text).entries


# Markup of every kind


def test_practice_implications_inside_a_paragraph_is_a_heading():
    html = ("<h2>May 2019</h2><h3>Title Here</h3><p>Summary.</p>"
            "<p><strong>Practice Implications:</strong> Do this.</p>")
    (entry,) = parse_html_page(html).entries
    assert (entry.summary, entry.implications) == ("Summary.", "Do this.")


def test_one_element_with_line_breaks_reads_like_a_text_page():
    html = ("<div>March 2021<br>One Title<br>One Title<br>Summary words.<br>"
            "Practice Implications<br>Implication words.<br>February 2021<br>Two</div>")
    # "February 2021" over a lone "Two" has no body: not an entry (#17.9).
    assert [(e.id, e.summary, e.implications) for e in parse_html_page(html).entries] == [
        ("2021-03-one-title", "Summary words.", "Implication words.")]


@pytest.mark.parametrize("markup", [
    pytest.param("", id="empty"), pytest.param("   ", id="blank"),
    pytest.param("<<<>>>", id="brackets"), pytest.param("<html><body></body></html>", id="no-body"),
    pytest.param(b"\x00\xff\xfe binary \x89PNG", id="binary"),
    pytest.param("<p>" * 5000 + "April 2020<p>Deep<p>Text", id="5000-open-p"),
    pytest.param("<div>" * 3000 + "May 2020<br>Nested", id="3000-open-div"),
    pytest.param("<table><tr><td>June 2020<td>Cell title<tr><td>Summary</table></p></div></span>",
                 id="stray-closers"),
    pytest.param("<h2>July 2020</h2><h3>Title</h3><p>Unclosed <b>bold <i>italic <a href='x'>link",
                 id="unclosed-inline"),
    pytest.param("<html><body><h2>August 2020</h2><!-- <h3>commented</h3> --><h3>Real</h3>"
                 "<![CDATA[x]]>", id="comment-cdata"),
])
def test_broken_markup_never_raises(markup):
    page = parse_listing(markup)
    assert isinstance(page, ListingPage)
    assert all(entry.title for entry in page.page.entries)


def test_deeply_nested_pages_still_give_their_entries():
    html = "<div>" * 3000 + "<h2>May 2020</h2><h3>Nested Title</h3><p>Body.</p>"
    assert [e.id for e in parse_html_page(html).entries] == ["2020-05-nested-title"]


def test_filters_in_a_drop_down_or_links_keeping_the_other_filter():
    html = (
        "<select name='cat_1'><option value=''>- Any -</option><option value='24'>Études</option>"
        "</select><a href='blog?cat_1=24&cat_2=12'>Alliance</a><a href='blog?cat_1=24'>Études</a>"
        "<a href='blog?cat_2=All'>ALL Topics (clear)</a>"
    )
    page = parse_listing(html, ORIGIN + "/pprnet/blog?cat_1=24")
    assert (page.topic_links, page.type_links) == ((("Alliance", "12"),), (("Études", "24"),))


def test_every_theme_is_covered():
    assert {theme_of(post) for post in POSTS} == {"rows", "flat", "teasers"}
