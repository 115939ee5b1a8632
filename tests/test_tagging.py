"""Guessed tags: the shipped rules on the six real sample entries, and the table's checks."""

from pathlib import Path

import pytest

from crawler.errors import CrawlerError
from crawler.records import Entry
from crawler.tagging import DEFAULT_RULES, infer_topics, infer_type, load_rules, tag_entry
from crawler.textpage import parse_text_page
from crawler.vocabulary import EMPIRICAL_STUDY, META_ANALYSIS, REVIEW_CHAPTER, TOPICS

SAMPLE = Path(__file__).parent.parent / "sample" / "pprnet-blog-page.txt"

ANXIETY = "Anxiety Disorders"
ATTRITION = "Attendance, Attrition, and Drop-Out"
CBT = "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)"
CLIENT = "Client Factors"
COMBINATION = "Combination Therapy"
DEPRESSION = "Depression and Depressive Symptoms"
EFFICACY = "Efficacy of Treatments"
IPT = "Interpersonal Psychotherapy (IPT)"
LONG_TERM = "Long-term Outcomes"
MEDS = "Medications/Pharmacotherapy"
PD = "Personality Disorders"
PDT = "Psychodynamic Therapy (PDT)"
SELF = "Self-Reflection and Awareness"

MENTALIZE = "Capacity to Mentalize Predicted Outcomes in Inpatient Therapy for Resistant Depression"
ADDING = "Adding Short-Term Psychodynamic Psychotherapy to Antidepressants"
EVIDENCE = "The Evidence for Psychodynamic Therapy"
PANIC = "Psychological Treatments for Panic Disorder"
DEPRESSION_NMA = "Psychotherapies for Depression"
PERSONALITY = "Is Psychodynamic Therapy Effective for Treating Personality Disorders?"

# What the shipped table makes of each sample entry; a change here is a change in behaviour.
EXPECTED = {
    MENTALIZE: ((CLIENT, DEPRESSION, PDT, SELF), EMPIRICAL_STUDY),
    ADDING: ((CLIENT, COMBINATION, DEPRESSION, MEDS, PDT), META_ANALYSIS),
    EVIDENCE: ((DEPRESSION, EFFICACY, LONG_TERM, MEDS, PDT), REVIEW_CHAPTER),
    PANIC: ((ANXIETY, ATTRITION, CBT, EFFICACY, PDT), META_ANALYSIS),
    DEPRESSION_NMA: ((CBT, DEPRESSION, EFFICACY, IPT, LONG_TERM), META_ANALYSIS),
    PERSONALITY: ((EFFICACY, PD, PDT), META_ANALYSIS),
}

# Topics none of the six entries is about; a cue list that starts catching stray words shows here.
NOT_DISCUSSED = {
    "Placebo Effect", "Neuroscience and Brain", "Trauma and/or PTSD", "Group Psychotherapy",
    "Training", "Termination", "Resistance and Reactance", "Miscellaneous",
}


@pytest.fixture(scope="module")
def sample() -> dict[str, Entry]:
    entries = parse_text_page(SAMPLE.read_text(encoding="utf-8")).entries
    return {entry.title: entry for entry in entries}


def test_sample_entries_get_the_expected_topics_and_type(sample):
    got = {title: (infer_topics(e), infer_type(e)) for title, e in sample.items()}
    assert got == EXPECTED


def test_required_tags_on_the_sample(sample):
    def tags(title):
        return infer_topics(sample[title]), infer_type(sample[title])

    assert ANXIETY in tags(PANIC)[0]
    assert {PD, PDT} <= set(tags(PERSONALITY)[0])
    assert [tags(t)[1] for t in (PANIC, DEPRESSION_NMA, PERSONALITY, ADDING)] == [META_ANALYSIS] * 4
    assert tags(EVIDENCE)[1] == REVIEW_CHAPTER
    assert tags(MENTALIZE)[1] == EMPIRICAL_STUDY
    assert DEPRESSION in tags(MENTALIZE)[0]


def test_sample_topics_are_few_and_plausible(sample):
    for title, entry in sample.items():
        topics = infer_topics(entry)
        assert 1 <= len(topics) <= 5, title
        assert not NOT_DISCUSSED & set(topics), title
        assert topics == tuple(t for t in TOPICS if t in topics), "vocabulary order"


def test_tag_entry_fills_only_missing_tags_and_flags_them(sample):
    entry = sample[PANIC]
    assert (entry.topics, entry.research_type) == ((), "")
    assert tag_entry(entry) == entry.replace(
        topics=EXPECTED[PANIC][0], topics_inferred=True,
        research_type=META_ANALYSIS, type_inferred=True,
    )
    site_tagged = entry.replace(topics=("Placebo Effect",), research_type=REVIEW_CHAPTER)
    assert tag_entry(site_tagged) == site_tagged
    assert (site_tagged.topics_inferred, site_tagged.type_inferred) == (False, False)
    topics_only = entry.replace(topics=("Placebo Effect",))
    assert tag_entry(topics_only) == topics_only.replace(
        research_type=META_ANALYSIS, type_inferred=True
    )


def test_off_topic_entry_falls_back_to_miscellaneous():
    entry = Entry(
        id="2019-05-bake-sale", month="2019-05", title="Bake Sale on Friday",
        summary="Volunteers will sell cookies and lemonade in the lobby at noon.",
    )
    assert tag_entry(entry) == entry.replace(
        topics=("Miscellaneous",), topics_inferred=True,
        research_type=EMPIRICAL_STUDY, type_inferred=True,
    )


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        ("Mentalising and Outcome", SELF),  # British -ise
        ("Mentalization-Based Treatment", SELF),  # prefix cue
        ("Drop-out from Therapy", ATTRITION),
        ("Dropouts in Youth Therapy", ATTRITION),
        ("Behaviour Therapy for Insomnia", CBT),
        ("Behavior Therapy for Insomnia", CBT),
    ],
)
def test_cue_spellings_match(title, topic):
    assert topic in infer_topics(Entry(id="x", month="2020-01", title=title))


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        ("Inpatient Therapy for Treatment-Resistant Depression", "Resistance and Reactance"),
        ("Short-Term Psychodynamic Psychotherapy", "Treatment Length and Frequency"),
        ("Self-harm in Adolescents", "Outcomes and Deterioration"),
        ("Panicky Moments in Session", ANXIETY),  # whole words only
    ],
)
def test_lookalike_words_do_not_match(title, topic):
    assert topic not in infer_topics(Entry(id="x", month="2020-01", title=title))


def test_a_chapter_citation_outranks_meta_analyses_in_its_summary():
    entry = Entry(
        id="x", month="2020-01", title="Does Therapy Work?",
        citation="Lee, A. (2020). On therapy. In B. Cole (Ed.), Handbook of Therapy. Wiley.",
        summary="Several meta-analyses show that therapy works.",
    )
    assert infer_type(entry) == REVIEW_CHAPTER
    assert infer_type(entry.replace(citation="")) == META_ANALYSIS


def test_default_rules_are_read_once():
    assert load_rules() is load_rules()


def _edited_rules(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "tag_rules.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_edited_copy_of_the_table_loads_and_is_used(tmp_path):
    path = _edited_rules(tmp_path, "min_score = 3 ", "min_score = 1000 ")
    entry = Entry(id="x", month="2020-01", title="Panic Disorder")
    assert infer_topics(entry, load_rules(path)) == ("Miscellaneous",)


@pytest.mark.parametrize(
    ("old", "new", "bad_key"),
    [
        ('"Adherance" = [', '"Adherence" = [', "'Adherence'"),
        ('name = "Review or Book Chapter"', 'name = "Book Review"', "'Book Review'"),
        ('"cbt", "cognitive-behavioural"', '"cbt", "cog*nitive"', "'cog*nitive'"),
        ("[scoring.weights]\ntitle = 3", "[scoring.weights]\nheadline = 3", "'headline'"),
    ],
)
def test_bad_table_names_the_file_and_the_bad_key(tmp_path, old, new, bad_key):
    path = _edited_rules(tmp_path, old, new)
    with pytest.raises(CrawlerError) as caught:
        load_rules(path)
    assert str(path) in str(caught.value)
    assert bad_key in str(caught.value)


def test_unparsable_table_is_a_crawler_error(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[scoring\n", encoding="utf-8")
    with pytest.raises(CrawlerError, match="broken.toml"):
        load_rules(path)
