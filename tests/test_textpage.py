"""The text-page reader, on the bundled sample page and on tiny pages for each known variant."""

from pathlib import Path

from crawler.citation import parse_citation
from crawler.ids import entry_id
from crawler.records import Entry, ParsedPage
from crawler.textpage import parse_text_page
from crawler.vocabulary import TOPICS

SAMPLE = Path(__file__).parent.parent / "sample" / "pprnet-blog-page.txt"
URL = "https://socialsciences.uottawa.ca/pprnet/blog?cat_2=42"

HEADER = """Blog
A short introduction: every month this blog sums up research that clinicians can use.
This month...

…I blog about alliance ruptures and routine feedback
Type of Research
Topics
- ALL Topics (clear)
- Alliance and Therapeutic Relationship
- Feedback and Progress Monitoring
"""

CITE = (
    "Moreau, A. B., & Osei, K. (2018). Repairing alliance ruptures in brief therapy. "
    "Journal of Clinical Practice, 12(3), 45-60. https://doi.org/10.9999/jcp.2018.7"
)


def entry(month, title, citation="", summary="", implications="", url=""):
    """The Entry a page should yield, its citation fields filled the way the parser fills them."""
    parts = parse_citation(citation)
    return Entry(
        id=entry_id(month, title),
        month=month,
        title=title,
        citation=citation,
        summary=summary,
        implications=implications,
        url=url,
        authors=parts.authors if citation else (),
        pub_year=parts.year if citation else None,
        journal=parts.journal if citation else "",
        doi=parts.doi if citation else "",
    )


def page(body: str) -> ParsedPage:
    return parse_text_page(HEADER + body)


# --- the bundled sample page -------------------------------------------------------------


def sample() -> ParsedPage:
    return parse_text_page(SAMPLE.read_text(encoding="utf-8"), URL)


def test_sample_yields_its_six_entries_in_order():
    assert [e.id for e in sample().entries] == [
        "2023-03-capacity-to-mentalize-predicted-outcomes-in-inpatient-therapy-for-resistant-depression",
        "2022-12-adding-short-term-psychodynamic-psychotherapy-to-antidepressants",
        "2022-06-the-evidence-for-psychodynamic-therapy",
        "2021-11-psychological-treatments-for-panic-disorder",
        "2021-06-psychotherapies-for-depression",
        "2020-08-is-psychodynamic-therapy-effective-for-treating-personality-disorders",
    ]


def test_sample_topics_and_no_problems():
    parsed = sample()
    assert parsed.topics == TOPICS
    assert len(parsed.topics) == 36
    assert parsed.research_types == ()
    assert parsed.problems == ()


def fields(e: Entry) -> dict:
    """An entry's short fields whole, its long texts by first and last sentence."""
    return {
        "month": e.month,
        "title": e.title,
        "citation": e.citation,
        "authors": e.authors,
        "pub_year": e.pub_year,
        "journal": e.journal,
        "doi": e.doi,
        "url": e.url,
        "topics": e.topics,
        "research_type": e.research_type,
        "summary": (e.summary.split(". ")[0], e.summary.rsplit(". ", 1)[-1]),
        "implications": (e.implications.split(". ")[0], e.implications.rsplit(". ", 1)[-1]),
        "paragraphs": (e.summary.count("\n\n") + 1, e.implications.count("\n\n") + 1),
    }


def test_sample_papola_entry():
    papola = sample().entries[3]
    assert fields(papola) == {
        "month": "2021-11",
        "title": "Psychological Treatments for Panic Disorder",
        "citation": "Papola, D., Ostuzzi, G., Tedeschi, F., Gastaldon, C., Purgato, M., "
        "Del Giovane, C., . . . Barbui, C. (2021). Comparative efficacy and acceptability of "
        "psychotherapies for panic disorder with or without agoraphobia: Systematic review "
        "and network meta-analysis of randomised controlled trials. The British Journal of "
        "Psychiatry, 1-13. doi:10.1192/bjp.2021.148",
        "authors": ("Papola", "Ostuzzi", "Tedeschi", "Gastaldon", "Purgato", "Del Giovane",
                    "Barbui"),
        "pub_year": 2021,
        "journal": "The British Journal of Psychiatry",
        "doi": "10.1192/bjp.2021.148",
        "url": URL,
        "topics": (),
        "research_type": "",
        "summary": (
            "Panic disorder affects between 1.1% and 3.7% of the population, and panic "
            "symptoms can occur in about 10% of patients in primary care",
            "Behavior therapy and cognitive therapy were less accepted by patients than short "
            "term psychodynamic therapy and CBT.",
        ),
        "implications": (
            "The results of this large network meta-analysis indicates that CBT and "
            "short-term dynamic therapy are efficacious treatments for panic disorder",
            "These findings confirm a growing trend indicating the efficacy of psychodynamic "
            "therapies for panic and as well as for other common mental disorders.",
        ),
        "paragraphs": (1, 1),
    }


def test_sample_keefe_entry():
    keefe = sample().entries[5]
    assert fields(keefe) == {
        "month": "2020-08",
        "title": "Is Psychodynamic Therapy Effective for Treating Personality Disorders?",
        "citation": "Keefe, J. R., McMain, S. F., McCarthy, K. S., Zilcha-Mano, S., Dinger, U., "
        "Sahin, Z., Graham, K., & Barber, J. P. (2019, December 5). A meta-analysis of "
        "psychodynamic treatments for borderline and Cluster C personality disorders. "
        "Personality Disorders: Theory, Research, and Treatment. Advance online publication.",
        "authors": ("Keefe", "McMain", "McCarthy", "Zilcha-Mano", "Dinger", "Sahin", "Graham",
                    "Barber"),
        "pub_year": 2019,
        "journal": "Personality Disorders: Theory, Research, and Treatment",
        "doi": "",
        "url": URL,
        "topics": (),
        "research_type": "",
        "summary": (
            "Personality disorders are common mental conditions affecting between 6.1% and "
            "9.1% of the population",
            "Average study quality was high, suggesting that one could be confident in the "
            "overall findings of this meta analysis.",
        ),
        "implications": (
            "For all outcomes, psychodynamic therapies were as effective as other active "
            "treatments and more effective than no-treatment controls for borderline "
            "personality disorder and for mixed Cluster C disorders (dependent, avoidant, and "
            "obsessive-compulsive personality disorders)",
            "The authors concluded that psychodynamic therapies are effective in treating "
            "personality disorders like borderline personality disorder and those with "
            "Cluster C personality disorders.",
        ),
        "paragraphs": (1, 1),
    }


def test_sample_keeps_typographic_characters():
    entries = sample().entries
    assert "⩽8 rather than more years" in entries[1].summary
    assert "α mean = −.09 per week" in entries[0].summary
    assert "someone’s capacity" in entries[0].summary
    assert entries[0].citation.endswith("68(6), 705–718.")


# --- variants, on tiny pages --------------------------------------------------------------


def test_header_teaser_and_topics_are_not_entries():
    parsed = parse_text_page(HEADER)
    assert parsed == ParsedPage(
        entries=(),
        topics=("Alliance and Therapeutic Relationship", "Feedback and Progress Monitoring"),
        problems=("no month heading found, so the page holds no entries",),
    )


def test_plain_entry():
    parsed = page(
        f"April 2020\nRepairing Ruptures\n{CITE}\nRuptures are common.\n"
        "Practice Implications\nNotice them early.\n"
    )
    assert parsed.entries == (
        entry("2020-04", "Repairing Ruptures", CITE, "Ruptures are common.",
              "Notice them early."),
    )
    assert parsed.entries[0].authors == ("Moreau", "Osei")
    assert parsed.entries[0].doi == "10.9999/jcp.2018.7"
    assert parsed.entries[0].journal == "Journal of Clinical Practice"


def test_title_printed_twice_is_kept_once():
    parsed = page(
        f"May 2021\nFeedback Helps\nFeedback Helps\n{CITE}\nIt helps.\n"
        "Practice Implications\nUse it.\n"
    )
    assert parsed.entries == (entry("2021-05", "Feedback Helps", CITE, "It helps.", "Use it."),)


def test_titles_ending_with_period_and_question_mark_are_kept_as_printed():
    parsed = page(
        "June 2021\nRuptures Can Be Repaired.\nText one.\n"
        "July 2021\nDo Ruptures Matter?\nText two.\n"
    )
    assert parsed.entries == (
        entry("2021-06", "Ruptures Can Be Repaired.", summary="Text one."),
        entry("2021-07", "Do Ruptures Matter?", summary="Text two."),
    )


def test_entry_without_citation_starts_its_summary_under_the_title():
    parsed = page(
        "September 2020\nWhat Clinicians Ask About Feedback\n"
        "Many clinicians ask whether feedback tools are worth the time.\n"
        "This month I look at what the research says.\n"
        "Practice Implications\nTry a short measure first.\n"
    )
    assert parsed.entries == (
        entry(
            "2020-09",
            "What Clinicians Ask About Feedback",
            summary="Many clinicians ask whether feedback tools are worth the time.\n\n"
            "This month I look at what the research says.",
            implications="Try a short measure first.",
        ),
    )


def test_citation_after_the_first_paragraph():
    parsed = page(
        f"October 2020\nRuptures Again\nA word of context first.\n{CITE}\n"
        "The study itself.\nPractice Implications\nAsk about the relationship.\n"
    )
    assert parsed.entries == (
        entry("2020-10", "Ruptures Again", CITE, "A word of context first.\n\nThe study itself.",
              "Ask about the relationship."),
    )


def test_series_preamble_stays_in_the_summary():
    preamble = (
        "Handbook of Psychotherapy and Behavior Change: Starting in March 2013 I will review "
        "one chapter a month of the new edition."
    )
    parsed = page(
        f"March 2013\nA Year of Chapters\n{preamble}\nThe first chapter is on outcomes.\n"
        "Practice Implications\nRead widely.\n"
    )
    assert parsed.entries == (
        entry("2013-03", "A Year of Chapters",
              summary=f"{preamble}\n\nThe first chapter is on outcomes.",
              implications="Read widely."),
    )


def test_page_cut_off_mid_entry_keeps_the_partial_entry():
    parsed = page(
        f"April 2020\nFirst\n{CITE}\nWhole.\nPractice Implications\nDone.\n"
        f"March 2020\nSecond\n{CITE}\nThis paragraph stops in the mid"
    )
    assert parsed.entries == (
        entry("2020-04", "First", CITE, "Whole.", "Done."),
        entry("2020-03", "Second", CITE, "This paragraph stops in the mid"),
    )
    assert parsed.problems == ()


def test_page_cut_off_right_after_a_title():
    parsed = page(f"April 2020\nFirst\n{CITE}\nWhole.\nMarch 2020\nOnly a Title\n")
    assert parsed.entries == (
        entry("2020-04", "First", CITE, "Whole."),
        entry("2020-03", "Only a Title"),
    )


def test_month_heading_without_title_is_skipped_and_noted():
    parsed = page("April 2020\nFirst\nText.\nMarch 2020\n")
    assert parsed.entries == (entry("2020-04", "First", summary="Text."),)
    assert parsed.problems == ("month heading 'March 2020' has no title under it; skipped",)


def test_crlf_bom_blank_lines_and_stray_spaces_change_nothing():
    clean = HEADER + (
        f"April 2020\nFirst\n{CITE}\nOne.\nTwo.\nPractice Implications\nThree.\n"
        "March 2020\nSecond\nFour.\n"
    )
    messy = "\ufeff" + "\r\n".join(
        f"  {line}  " if i % 3 else f"\r\n{line}\t\r\n" for i, line in enumerate(clean.split("\n"))
    )
    assert parse_text_page(messy) == parse_text_page(clean)
    assert len(parse_text_page(messy).entries) == 2


def test_same_title_in_different_months_gives_different_ids():
    parsed = page("April 2020\nOn Empathy\nOne.\nApril 2019\nOn Empathy\nTwo.\n")
    assert [e.id for e in parsed.entries] == ["2020-04-on-empathy", "2019-04-on-empathy"]
    assert parsed.problems == ()


def test_two_entries_in_one_month_sharing_a_citation():
    parsed = page(
        f"May 2020\nRuptures, Part One\n{CITE}\nFirst half.\nPractice Implications\nA.\n"
        f"May 2020\nRuptures, Part Two\n{CITE}\nSecond half.\nPractice Implications\nB.\n"
    )
    assert parsed.entries == (
        entry("2020-05", "Ruptures, Part One", CITE, "First half.", "A."),
        entry("2020-05", "Ruptures, Part Two", CITE, "Second half.", "B."),
    )


def test_entry_without_practice_implications_is_all_summary():
    parsed = page(f"June 2020\nNo Heading Here\n{CITE}\nOne.\nTwo.\n")
    assert parsed.entries == (entry("2020-06", "No Heading Here", CITE, "One.\n\nTwo."),)


def test_sentence_starting_with_a_month_is_not_a_heading():
    parsed = page("March 2013\nChapters\nMarch 2013 was the start of this series.\n")
    assert parsed.entries == (
        entry("2013-03", "Chapters", summary="March 2013 was the start of this series."),
    )


def test_abbreviated_month_headings():
    parsed = page("Sept 2013\nOne\nText.\nJan 2015\nTwo\nText.\n")
    assert [e.month for e in parsed.entries] == ["2013-09", "2015-01"]


def test_source_url_is_given_to_every_entry():
    parsed = parse_text_page(HEADER + "April 2020\nOne\nText.\nMarch 2020\nTwo\n", URL)
    assert [e.url for e in parsed.entries] == [URL, URL]


def test_same_title_twice_in_one_month_is_kept_and_noted():
    parsed = page("April 2020\nOn Empathy\nOne.\nApril 2020\nOn Empathy\nTwo.\n")
    assert parsed.entries == (
        entry("2020-04", "On Empathy", summary="One."),
        entry("2020-04", "On Empathy", summary="Two."),
    )
    assert parsed.problems == ("2 entries share the id '2020-04-on-empathy'",)
