"""The reference-line parser, on every citation shape the blog is known to print."""

from pathlib import Path

import pytest

from crawler.citation import CitationParts, looks_like_citation, parse_citation

SAMPLE = Path(__file__).parent.parent / "sample" / "pprnet-blog-page.txt"

SHAPES = {
    "spaces in initials": (
        "Moreau, A. B., & Lindqvist, C. D. (2018). Session pacing in brief therapy. "
        "Journal of Clinical Practice, 12(3), 45-60.",
        CitationParts(("Moreau", "Lindqvist"), 2018, "Journal of Clinical Practice"),
    ),
    "initials without spaces": (
        "Moreau, A.B., Lindqvist, C.D.E., & Osei, K. (2018). Session pacing in brief therapy. "
        "Journal of Clinical Practice, 12(3), 45-60.",
        CitationParts(("Moreau", "Lindqvist", "Osei"), 2018, "Journal of Clinical Practice"),
    ),
    "full first names with &": (
        "Helena Marsh & Tomas Rivera (2012). Listening closely: A practice review. "
        "Counselling Quarterly, 8, 1-15.",
        CitationParts(("Marsh", "Rivera"), 2012, "Counselling Quarterly"),
    ),
    "space before commas": (
        "Okafor , J. D., & Brandt , L. M. (2016). Repairing ruptures in the working alliance. "
        "Alliance Studies, 3(1), 20-31.",
        CitationParts(("Okafor", "Brandt"), 2016, "Alliance Studies"),
    ),
    "et al.": (
        "Lindqvist, C. D., et al. (2020). Group therapy for health anxiety: A pilot trial. "
        "Nordic Psychotherapy Review, 4(2), 101-119.",
        CitationParts(("Lindqvist",), 2020, "Nordic Psychotherapy Review"),
    ),
    "… for omitted authors": (
        "Ahmed, S., Brandt, L., Costa, P.…. Zimmer, R. (2019). Dropout in online therapy. "
        "Digital Mental Health, 2, 33-40.",
        CitationParts(("Ahmed", "Brandt", "Costa", "Zimmer"), 2019, "Digital Mental Health"),
    ),
    ". . . for omitted authors": (
        "Ahmed, S., Brandt, L., . . . Zimmer, R. (2019). Dropout in online therapy. "
        "Digital Mental Health, 2, 33-40.",
        CitationParts(("Ahmed", "Brandt", "Zimmer"), 2019, "Digital Mental Health"),
    ),
    "date with the month": (
        "Novak, T. (2017, December 21). Why clients leave early. Therapy Notes Weekly.",
        CitationParts(("Novak",), 2017, "Therapy Notes Weekly"),
    ),
    "missing period after the year": (
        "Osei, K., & Moreau, A. (2015) Feedback in routine care. "
        "Practice Research Letters, 9, 5-12.",
        CitationParts(("Osei", "Moreau"), 2015, "Practice Research Letters"),
    ),
    "non-ASCII names": (
        "Flückiger, C., Vybíral, Z., & Řiháček, T. (2020). Alliance across cultures. "
        "European Journal of Counselling, 7(1), 1-9.",
        CitationParts(
            ("Flückiger", "Vybíral", "Řiháček"), 2020, "European Journal of Counselling"
        ),
    ),
    "doi.org link at the end": (
        "Brandt, L. M. (2021). Therapist humility. Psychotherapy Journal, 58(2), 200-210. "
        "https://doi.org/10.1037/pst0000999",
        CitationParts(("Brandt",), 2021, "Psychotherapy Journal", "10.1037/pst0000999"),
    ),
    "doi: at the end": (
        "Brandt, L. M. (2021). Therapist humility. Psychotherapy Journal, 58(2), 200-210. "
        "doi:10.1037/pst0000999.",
        CitationParts(("Brandt",), 2021, "Psychotherapy Journal", "10.1037/pst0000999"),
    ),
    "DOI with a space": (
        "Brandt, L. M. (2021). Therapist humility. Psychotherapy Journal. DOI 10.1037/pst0000999",
        CitationParts(("Brandt",), 2021, "Psychotherapy Journal", "10.1037/pst0000999"),
    ),
    "URL at the end": (
        "Costa, P. (2014). Supervision in small clinics. Practice Bulletin, 3, 11-14. "
        "http://www.example.org/bulletin/3.pdf",
        CitationParts(("Costa",), 2014, "Practice Bulletin"),
    ),
    "book chapter": (
        "Marsh, H., & Rivera, T. (2013). Training therapists. In A. Lee, B. Kim, and C. Park "
        "(Eds.) Handbook of Clinical Training (2nd ed.). Harbour Books. Chapter 4.",
        CitationParts(("Marsh", "Rivera"), 2013, "Handbook of Clinical Training"),
    ),
    "whole book": (
        "Okafor, J. D. (2011). Brief dynamic work with couples. Riverbank Press.",
        CitationParts(("Okafor",), 2011, "Brief dynamic work with couples"),
    ),
    "in press": (
        "Zimmer, R., & Novak, T. (in press). Early change in therapy. Journal of Brief Therapy.",
        CitationParts(("Zimmer", "Novak"), None, "Journal of Brief Therapy"),
    ),
    "question in the title": (
        "Costa, P. (2016). Does feedback help? A trial in two clinics. Feedback Research.",
        CitationParts(("Costa",), 2016, "Feedback Research"),
    ),
    "multi-word and hyphenated surnames": (
        "Van der Berg, A., Del Monte, B., & Ruiz-Soto, C. (2010). Waiting lists. "
        "Clinic Review, 1, 2-3.",
        CitationParts(("Van der Berg", "Del Monte", "Ruiz-Soto"), 2010, "Clinic Review"),
    ),
}


@pytest.mark.parametrize("line, expected", SHAPES.values(), ids=SHAPES.keys())
def test_parse_citation_shapes(line, expected):
    assert parse_citation(line) == expected


@pytest.mark.parametrize("line", [line for line, _ in SHAPES.values()], ids=SHAPES.keys())
def test_every_shape_looks_like_a_citation(line):
    assert looks_like_citation(line)


def test_sample_citations():
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    parsed = [parse_citation(line) for line in lines if looks_like_citation(line)]
    assert parsed == [
        CitationParts(
            ("Halstensen", "Gjestad", "Luyten", "Wampold", "Granqvist", "Stålsett", "Johnson"),
            2021,
            "Journal of Counseling Psychology",
        ),
        CitationParts(
            ("Driessen", "Fokkema", "Dekker", "Peen", "Van", "Cuijpers"),
            2022,
            "Psychological Medicine",
        ),
        CitationParts(
            ("Barber", "Muran", "McCarthy", "Keefe", "Zilchamano"),
            2021,
            "Bergin and Garfield’s Handbook of Psychotherapy and Behavior Change",
        ),
        CitationParts(
            ("Papola", "Ostuzzi", "Tedeschi", "Gastaldon", "Purgato", "Del Giovane", "Barbui"),
            2021,
            "The British Journal of Psychiatry",
            "10.1192/bjp.2021.148",
        ),
        CitationParts(
            ("Cuijpers", "Quero", "Noma", "Ciharova", "Miguel", "Karyotaki", "Cipriani",
             "Cristea", "Furukawa"),
            2021,
            "World Psychiatry",
        ),
        CitationParts(
            ("Keefe", "McMain", "McCarthy", "Zilcha-Mano", "Dinger", "Sahin", "Graham",
             "Barber"),
            2019,
            "Personality Disorders: Theory, Research, and Treatment",
        ),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Handbook of Psychotherapy and Behavior Change: Starting in March 2013 I will review "
        "one chapter a month of the new edition.",
        "In this study, Moreau and colleagues (2018) followed 120 clients for a year.",
        "Moreau (2018) found that slower pacing kept clients in therapy longer.",
        "Mentalizing is the capacity to understand behaviour in terms of mental states.",
        "Effects held at follow-up (2019 data; g = 0.41).",
        "Practice Implications",
        "",
    ],
)
def test_prose_and_preambles_are_not_citations(line):
    assert not looks_like_citation(line)


@pytest.mark.parametrize(
    "text", ["", "(", ")", "(2019)", ". . .", "…", "& & (2020).", "(in press)", ", , (2001) ,"]
)
def test_odd_input_never_raises(text):
    assert isinstance(parse_citation(text), CitationParts)
    assert isinstance(looks_like_citation(text), bool)


def test_line_without_a_year_keeps_only_its_doi():
    assert parse_citation("Notes from a workshop. doi:10.5555/abc.12") == CitationParts(
        doi="10.5555/abc.12"
    )
