"""The Whoosh schema: which entry fields are searched, which are facets, which are shown."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from crawler.ids import slugify
from crawler.records import Entry

from .analysis import WORDS, clinical_analyzer, name_analyzer, plain_terms

# Text fields a plain word is looked for in.
TEXT_FIELDS = ("title", "summary", "implications", "citation")


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
    )


def spelling_words(entry: Entry) -> dict[str, str]:
    """The entry's distinct words as typed (unstemmed), for the spelling vocabulary, each with
    how it is written when the analysis respells it (psychoeducation for psycheducation)."""
    words: dict[str, str] = {}
    for word in set(WORDS.findall(" ".join((entry.title, entry.summary, entry.implications)))):
        written = word.lower()
        for term in plain_terms(word):
            # A hyphenated word's parts and joined form are not written as such.
            words[term] = term if "-" in written else written
    return words


def document(entry: Entry) -> dict:
    """The Whoosh document for one archive entry."""
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
    }
