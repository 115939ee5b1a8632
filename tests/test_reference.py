"""The structured reference parser, judged on every citation variant the archive holds.

Expectations are read off the printed texts: a field the text does not print stays empty.
"""

import json
from pathlib import Path

import pytest

from crawler.citation import looks_like_citation
from crawler.reference import Author, Reference, parse_reference

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "sample" / "pprnet-blog-page.txt"
CORPUS = ROOT / "tests" / "relevance" / "corpus.jsonl"


def A(family: str, initials: str = "") -> Author:
    return Author(family=family, initials=initials)


SAMPLE_REFERENCES = [
    # A journal article with volume, issue and pages.
    Reference(
        kind="article",
        authors=(A("Halstensen", "K."), A("Gjestad", "R."), A("Luyten", "P."), A("Wampold", "B."),
                 A("Granqvist", "P."), A("Stålsett", "G."), A("Johnson", "S. U.")),
        year=2021, title="Depression and mentalizing: A psychodynamic therapy process study",
        container="Journal of Counseling Psychology", volume="68", issue="6", pages="705–718",
    ),
    # Authors elided with "…", a question in the title, a journal with nothing after it.
    Reference(
        kind="article",
        authors=(A("Driessen", "E."), A("Fokkema", "M."), A("Dekker", "J. J. M."), A("Peen", "J."),
                 A("Van", "H. L."), A("Cuijpers", "P.")),
        omitted="before_last", year=2022,
        title="Which patients benefit from adding short-term psychodynamic psychotherapy to "
              "antidepressants in the treatment of depression? A systematic review and "
              "meta-analysis of individual participant data",
        container="Psychological Medicine",
    ),
    # A book chapter: editors (one printed without initials), edition, publisher.
    Reference(
        kind="chapter",
        authors=(A("Barber", "J."), A("Muran", "J. C."), A("McCarthy", "K."), A("Keefe", "J. R."),
                 A("Zilchamano", "S.")),
        year=2021, title="Research on dynamic therapies",
        container="Bergin and Garfield’s Handbook of Psychotherapy and Behavior Change",
        editors=(A("Barkham"), A("Lutz", "W."), A("Castonguay", "L. G.")),
        edition="7th", publisher="Wiley",
    ),
    # ". . ." elision, pages without a volume, doi: prefix.
    Reference(
        kind="article",
        authors=(A("Papola", "D."), A("Ostuzzi", "G."), A("Tedeschi", "F."), A("Gastaldon", "C."),
                 A("Purgato", "M."), A("Del Giovane", "C."), A("Barbui", "C.")),
        omitted="before_last", year=2021,
        title="Comparative efficacy and acceptability of psychotherapies for panic disorder with "
              "or without agoraphobia: Systematic review and network meta-analysis of "
              "randomised controlled trials",
        container="The British Journal of Psychiatry", pages="1-13", doi="10.1192/bjp.2021.148",
    ),
    # No "&" before the last author; volume and pages without an issue; no DOI.
    Reference(
        kind="article",
        authors=(A("Cuijpers", "P."), A("Quero", "S."), A("Noma", "H."), A("Ciharova", "M."),
                 A("Miguel", "C."), A("Karyotaki", "E."), A("Cipriani", "A."), A("Cristea", "I. A."),
                 A("Furukawa", "T. O.")),
        year=2021,
        title="Psychotherapies for depression: A network meta-analysis covering efficacy, "
              "acceptability and long-term outcomes of all main treatment types",
        container="World Psychiatry", volume="20", pages="283-293",
    ),
    # A full date, a journal name with commas, "Advance online publication".
    Reference(
        kind="article",
        authors=(A("Keefe", "J. R."), A("McMain", "S. F."), A("McCarthy", "K. S."),
                 A("Zilcha-Mano", "S."), A("Dinger", "U."), A("Sahin", "Z."), A("Graham", "K."),
                 A("Barber", "J. P.")),
        year=2019, month=12, day=5,
        title="A meta-analysis of psychodynamic treatments for borderline and Cluster C "
              "personality disorders",
        container="Personality Disorders: Theory, Research, and Treatment",
        status="Advance online publication",
    ),
]


def test_every_sample_reference():
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    assert [parse_reference(line) for line in lines if looks_like_citation(line)] == SAMPLE_REFERENCES


SHAPES = {
    "article number as pages": (
        "Nwachukwu, E., Halvorsen, T., & Guerrero, S. (2020). A DBT skills group as a stand-alone "
        "treatment for BPD: A randomized comparison. Behaviour Research and Therapy, 131, 103644.",
        Reference(kind="article", authors=(A("Nwachukwu", "E."), A("Halvorsen", "T."),
                  A("Guerrero", "S.")), year=2020,
                  title="A DBT skills group as a stand-alone treatment for BPD: A randomized comparison",
                  container="Behaviour Research and Therapy", volume="131", pages="103644"),
    ),
    "question ending the first part of the title": (
        "Brünner, L., Okafor, C. N., & Lindqvist, A. (2012). Who leaves? Client characteristics "
        "and drop-out in a university psychotherapy training clinic. Psychotherapy Research, "
        "22(5), 512–524.",
        Reference(kind="article", authors=(A("Brünner", "L."), A("Okafor", "C. N."),
                  A("Lindqvist", "A.")), year=2012,
                  title="Who leaves? Client characteristics and drop-out in a university "
                        "psychotherapy training clinic",
                  container="Psychotherapy Research", volume="22", issue="5", pages="512–524"),
    ),
    "apostrophe and particle surnames": (
        "O'Callaghan, S., Nakamura, H., & Ferreira, L. (2013). Premature termination of "
        "counselling for children and adolescents: A meta-analysis. Counselling Psychology "
        "Quarterly, 26(2), 143–162.",
        Reference(kind="article", authors=(A("O'Callaghan", "S."), A("Nakamura", "H."),
                  A("Ferreira", "L.")), year=2013,
                  title="Premature termination of counselling for children and adolescents: "
                        "A meta-analysis",
                  container="Counselling Psychology Quarterly", volume="26", issue="2",
                  pages="143–162"),
    ),
    "et al.": (
        "Lindqvist, C. D., et al. (2020). Group therapy for health anxiety: A pilot trial. "
        "Nordic Psychotherapy Review, 4(2), 101-119.",
        Reference(kind="article", authors=(A("Lindqvist", "C. D."),), omitted="after_last",
                  year=2020, title="Group therapy for health anxiety: A pilot trial",
                  container="Nordic Psychotherapy Review", volume="4", issue="2", pages="101-119"),
    ),
    "full first names": (
        "Helena Marsh & Tomas Rivera (2012). Listening closely: A practice review. "
        "Counselling Quarterly, 8, 1-15.",
        Reference(kind="article", authors=(A("Marsh", "H."), A("Rivera", "T.")), year=2012,
                  title="Listening closely: A practice review", container="Counselling Quarterly",
                  volume="8", pages="1-15"),
    ),
    "doi.org link": (
        "Brandt, L. M. (2021). Therapist humility. Psychotherapy Journal, 58(2), 200-210. "
        "https://doi.org/10.1037/pst0000999",
        Reference(kind="article", authors=(A("Brandt", "L. M."),), year=2021,
                  title="Therapist humility", container="Psychotherapy Journal", volume="58",
                  issue="2", pages="200-210", doi="10.1037/pst0000999"),
    ),
    "a web address that is not a DOI": (
        "Costa, P. (2014). Supervision in small clinics. Practice Bulletin, 3, 11-14. "
        "http://www.example.org/bulletin/3.pdf",
        Reference(kind="article", authors=(A("Costa", "P."),), year=2014,
                  title="Supervision in small clinics", container="Practice Bulletin",
                  volume="3", pages="11-14", url="http://www.example.org/bulletin/3.pdf"),
    ),
    "chapter with editors written first-name first": (
        "Marsh, H., & Rivera, T. (2013). Training therapists. In A. Lee, B. Kim, and C. Park "
        "(Eds.) Handbook of Clinical Training (2nd ed.). Harbour Books. Chapter 4.",
        Reference(kind="chapter", authors=(A("Marsh", "H."), A("Rivera", "T.")), year=2013,
                  title="Training therapists", container="Handbook of Clinical Training",
                  editors=(A("Lee", "A."), A("Kim", "B."), A("Park", "C.")), edition="2nd",
                  publisher="Harbour Books"),
    ),
    "chapter with pages": (
        "Okafor, J. D. (2015). Ruptures. In L. Brandt (Ed.), Alliance work (pp. 12-30). "
        "Riverbank Press.",
        Reference(kind="chapter", authors=(A("Okafor", "J. D."),), year=2015, title="Ruptures",
                  container="Alliance work", editors=(A("Brandt", "L."),), pages="12-30",
                  publisher="Riverbank Press"),
    ),
    "whole book": (
        "Okafor, J. D. (2011). Brief dynamic work with couples. Riverbank Press.",
        Reference(kind="book", authors=(A("Okafor", "J. D."),), year=2011,
                  title="Brief dynamic work with couples", publisher="Riverbank Press"),
    ),
    "title starting with a number": (
        "Costa, P. (2016). 10 years of feedback: What we learned. Feedback Research, 4, 1-9.",
        Reference(kind="article", authors=(A("Costa", "P."),), year=2016,
                  title="10 years of feedback: What we learned", container="Feedback Research",
                  volume="4", pages="1-9"),
    ),
    "in press": (
        "Zimmer, R., & Novak, T. (in press). Early change in therapy. Journal of Brief Therapy.",
        Reference(kind="article", authors=(A("Zimmer", "R."), A("Novak", "T.")),
                  status="in press", title="Early change in therapy",
                  container="Journal of Brief Therapy"),
    ),
}


@pytest.mark.parametrize("line, expected", SHAPES.values(), ids=SHAPES.keys())
def test_reference_shapes(line, expected):
    assert parse_reference(line) == expected


def test_every_corpus_citation_has_authors_year_title_and_journal():
    """The relevance corpus's 43 journal articles: each field present and read whole."""
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        citation = json.loads(line)["citation"]
        ref = parse_reference(citation)
        assert ref is not None and ref.kind == "article", citation
        assert len(ref.authors) == 3 and all(a.family and a.initials for a in ref.authors), citation
        assert ref.year and ref.title and ref.container and ref.volume and ref.pages, citation
        assert citation.startswith(ref.authors[0].family)
        assert f"{ref.title}. {ref.container}, {ref.volume}" in citation


def test_no_year_no_reference():
    assert parse_reference("Read more in the archives.") is None


def test_page_range():
    assert Reference(kind="article", pages="705–718").page_range == ("705", "718")
    assert Reference(kind="article", pages="103644").page_range == ("103644", "")


def test_agrees_with_the_search_fields_on_every_shape_of_test_citation():
    """The shapes tests/test_citation.py collects (read off real texts there): the same surnames,
    year, source and DOI as the fields the index searches on."""
    from test_citation import SHAPES as CITATION_SHAPES

    for name, (line, parts) in CITATION_SHAPES.items():
        ref = parse_reference(line)
        assert tuple(a.family for a in ref.authors) == parts.authors, name
        assert (ref.year, ref.doi) == (parts.year, parts.doi), name
        source = ref.title if ref.kind == "book" else ref.container
        assert source == parts.journal, name
