"""Guessing topics and research type from an entry's own words, by the rules in tag_rules.toml.

Moving parts: `load_rules` turns the table into a checked `TagRules`; `infer_topics` scores
each topic's cues over the weighted fields; `infer_type` takes the first matching type rule;
`tag_entry` fills only the tags the site did not give, and marks them as guessed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from crawler.errors import CrawlerError
from crawler.tables import read_table
from crawler.records import Entry
from crawler.vocabulary import RESEARCH_TYPES, TOPICS

DEFAULT_RULES = Path(__file__).with_name("tag_rules.toml")
FIELDS = ("title", "citation_title", "citation", "summary", "implications")

# Typographic hyphens and apostrophes would keep "drop‑out" or "patient’s" from matching.
_PLAIN = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2019": "'"})
# APA: "Authors (2021). Article title. Journal ..." -- also "(2019, December 5)" and no period.
_ARTICLE_TITLE = re.compile(r"\(\s*\d{4}[^)]*\)\.?\s*(.+?\.)(?=\s|$)", re.DOTALL)


@dataclass(frozen=True)
class TagRules:
    """The tag table, checked and compiled, so every entry is scored the same way."""

    source: str
    weights: tuple[tuple[str, float], ...]
    min_score: float
    max_topics: int
    fallback: str
    topics: tuple[tuple[str, re.Pattern[str]], ...]  # vocabulary order
    type_fields: tuple[str, ...]
    types: tuple[tuple[str, re.Pattern[str]], ...]  # first match wins
    default_type: str


def load_rules(path: Path | None = None) -> TagRules:
    """The rules in `path`, or the shipped table (read once) when no path is given."""
    return _default_rules() if path is None else _read_rules(Path(path))


@functools.cache
def _default_rules() -> TagRules:
    return _read_rules(DEFAULT_RULES)


def _read_rules(path: Path) -> TagRules:
    """Parse and check one table; every mistake names the file so an editor can fix it."""
    data, fail = read_table(path, "tag rules")

    try:
        scoring, search = data["scoring"], data["type_search"]
        weights = tuple((str(k), float(v)) for k, v in scoring["weights"].items())
        min_score, max_topics = float(scoring["min_score"]), int(scoring["max_topics"])
        fallback, type_fields = scoring["fallback"], tuple(search["fields"])
        default_type, topic_table, type_table = search["default"], data["topics"], data["types"]
        type_rules = [(rule["name"], rule["cues"]) for rule in type_table]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise fail(f"missing or malformed setting {exc}") from exc
    for field in [name for name, _ in weights] + list(type_fields):
        if field not in FIELDS:
            raise fail(f"unknown field {field!r}; known fields: {', '.join(FIELDS)}")
    for topic in [*topic_table, fallback]:
        if topic not in TOPICS:
            raise fail(f"unknown topic {topic!r} (names must match crawler/vocabulary.py)")
    for kind in [name for name, _ in type_rules] + [default_type]:
        if kind not in RESEARCH_TYPES:
            raise fail(f"unknown research type {kind!r}; known: {', '.join(RESEARCH_TYPES)}")
    compile_cues = functools.partial(_compile, fail=fail)
    topics = tuple((t, compile_cues(t, topic_table[t])) for t in TOPICS if t in topic_table)
    types = tuple((name, compile_cues(name, cues)) for name, cues in type_rules)
    return TagRules(
        str(path), weights, min_score, max_topics, fallback, topics, type_fields, types,
        default_type,
    )


def _compile(key: str, cues: object, fail: Callable[[str], CrawlerError]) -> re.Pattern[str]:
    """One pattern per tag; longest cues first so a phrase is not also counted as its first word."""
    if not isinstance(cues, list) or not all(isinstance(c, str) and c.strip() for c in cues):
        raise fail(f"cues for {key!r} must be a list of non-empty strings")
    parts = []
    for cue in sorted((c.strip().lower() for c in cues), key=len, reverse=True):
        if "*" in cue[:-1] or not cue.rstrip("*"):
            raise fail(f"cue {cue!r} for {key!r}: '*' is only allowed at the end of a word")
        body = re.escape(cue.rstrip("*")).replace(r"\ ", r"\s+")
        parts.append(body + (r"\w*" if cue.endswith("*") else ""))
    # A never-matching pattern keeps cue-less tags (the fallback) in the table.
    alternatives = "|".join(parts) or r"(?!x)x"
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def article_title(citation: str) -> str:
    """The article's title inside an APA citation (the whole citation when none is found)."""
    found = _ARTICLE_TITLE.search(citation)
    return found.group(1) if found else citation


def _fields(entry: Entry) -> dict[str, str]:
    """The texts the rules may name, with typographic characters made plain."""
    article = article_title(entry.citation)
    texts = (entry.title, article, entry.citation, entry.summary, entry.implications)
    return {name: text.translate(_PLAIN) for name, text in zip(FIELDS, texts, strict=True)}


def topic_scores(entry: Entry, rules: TagRules | None = None) -> dict[str, float]:
    """Each topic's weighted cue count, for tuning the table and explaining a guess."""
    rules = rules or load_rules()
    texts = _fields(entry)
    return {
        topic: sum(w * len(pattern.findall(texts[field])) for field, w in rules.weights)
        for topic, pattern in rules.topics
    }


def infer_topics(entry: Entry, rules: TagRules | None = None) -> tuple[str, ...]:
    """The best-scoring topics in vocabulary order, or the fallback so no entry goes untagged."""
    rules = rules or load_rules()
    scores = topic_scores(entry, rules)
    passing = [t for t, score in scores.items() if score >= rules.min_score]
    best = sorted(passing, key=lambda t: -scores[t])[: rules.max_topics]  # stable: ties by order
    return tuple(t for t in TOPICS if t in best) or (rules.fallback,)


def infer_type(entry: Entry, rules: TagRules | None = None) -> str:
    """The first type rule matching the first field that matches any, else the default type."""
    rules = rules or load_rules()
    texts = _fields(entry)
    for field in rules.type_fields:
        for kind, pattern in rules.types:
            if pattern.search(texts[field]):
                return kind
    return rules.default_type


def tag_entry(entry: Entry, rules: TagRules | None = None) -> Entry:
    """The entry with missing tags guessed and flagged; tags the site gave stay as they are."""
    changes: dict[str, object] = {}
    if not entry.topics:
        changes.update(topics=infer_topics(entry, rules), topics_inferred=True)
    if not entry.research_type:
        changes.update(research_type=infer_type(entry, rules), type_inferred=True)
    return entry.replace(**changes) if changes else entry
