"""The Whoosh schema: which entry fields are searched, which are facets, which are shown."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from crawler.evidence import Evidence, extract
from crawler.ids import slugify
from crawler.records import Entry

from .analysis import WORDS, clinical_analyzer, name_analyzer, plain_terms

# Text fields a plain word is looked for in.
TEXT_FIELDS = ("title", "summary", "implications", "citation")
# The Participants facet's bands: (key in URLs and the index, lowest N, highest N, label).
PARTICIPANT_BANDS = (
    ("under-100", 0, 99, "Under 100"),
    ("100-999", 100, 999, "100–999"),
    ("1000-9999", 1000, 9999, "1,000–9,999"),
    ("10000-plus", 10000, None, "10,000 or more"),
)


def participants_band(participants: int | None) -> str:
    """The band key of a participant count; "" when the text states none."""
    if participants is None:
        return ""
    for key, low, high, _ in PARTICIPANT_BANDS:
        if participants >= low and (high is None or participants <= high):
            return key
    return ""


def build_schema() -> Schema:
    """A fresh schema; one is written into every index generation."""
    text = clinical_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text, stored=True, phrase=True),
        summary=TEXT(analyzer=text, stored=True, phrase=True),
        implications=TEXT(analyzer=text, stored=True, phrase=True),
        citation=TEXT(analyzer=text, stored=True, phrase=True),
        authors=TEXT(analyzer=name_analyzer(), stored=True, phrase=False),
        # Facets. Topics are indexed as slugs: topic names hold commas and spaces.
        topics=KEYWORD(stored=False, lowercase=False, scorable=False),
        topic_names=STORED(),
        research_type=ID(stored=True),
        year=ID(stored=True, sortable=True),
        month=ID(stored=True, sortable=True),
        url=STORED(),
        doi=STORED(),
        # Evidence read from the summary (crawler/evidence.py): its JSON form, shown as is;
        # the design and a participants band as facets; k and N for comparisons and sorting.
        evidence=STORED(),
        design=ID(stored=False),
        participants_band=ID(stored=False),
        participants=NUMERIC(int, bits=64, stored=False),
        studies=NUMERIC(int, bits=64, stored=False),
    )


def spelling_words(entry: Entry) -> dict[str, str]:
    """The entry's distinct words as typed (unstemmed), for the spelling vocabulary, each with
    how it is written when the analysis respells it (psychoeducation for psycheducation)."""
    words: dict[str, str] = {}
    for word in set(WORDS.findall(" ".join((entry.title, entry.summary, entry.implications)))):
        pairs = _SPELLING_PAIRS.get(word)
        if pairs is None:
            pairs = _spelling_pairs(word)
            if len(_SPELLING_PAIRS) < 500_000:
                _SPELLING_PAIRS[word] = pairs
        words.update(pairs)
    return words


# A written word's (term, as written) pairs, kept: the same words recur in every entry.
_SPELLING_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {}


def _spelling_pairs(word: str) -> tuple[tuple[str, str], ...]:
    written = word.lower()
    # A hyphenated word's parts and joined form are not written as such.
    return tuple((term, term if "-" in written else written) for term in plain_terms(word))


def document(entry: Entry, evidence: Evidence | None = None) -> dict:
    """The Whoosh document for one archive entry (its evidence read here unless given)."""
    evidence = evidence if evidence is not None else extract(entry)
    # Left out when the text states none: an empty ID would be indexed as a value of its own.
    optional = {name: value for name, value in (
        ("participants", evidence.participants), ("studies", evidence.studies),
        ("design", evidence.design), ("participants_band", participants_band(evidence.participants)),
    ) if value is not None and value != ""}
    return {
        "id": entry.id,
        "title": entry.title,
        "summary": entry.summary,
        "implications": entry.implications,
        "citation": entry.citation,
        "authors": " ".join(entry.authors),
        "topics": " ".join(slugify(t) for t in entry.topics),
        "topic_names": tuple(entry.topics),
        "research_type": entry.research_type,
        "year": entry.year,
        "month": entry.month,
        "url": entry.url,
        "doi": entry.doi,
        "evidence": evidence.to_dict(),
        **optional,
    }
