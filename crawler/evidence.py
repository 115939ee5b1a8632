"""How strong a study is, read from an entry's own words: design, k, N and effect sizes.

Moving parts: `extract(entry)` returns an `Evidence` record; each value it holds carries the
text it was read from (a `Mention`, or an `Effect`'s `text` and `source` sentence). The
patterns live in evidence_patterns.toml. Nothing is guessed: what the text does not state
is None, and a rate, a slope or a percentage is never an effect size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.evidence_rules import CountPatterns, EvidencePatterns, load_patterns
from crawler.records import Entry
from crawler.tagging import article_title

_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", " ": ""})
_WORD_VALUES = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
# Qualifiers that make a count a floor: "over 7,300" is shown as 7,300+.
AT_LEAST = ("over", "more than", "at least")
# A sentence ends at . ! or ? followed by space and a capital, a digit or an opening mark,
# unless the period ends one of these abbreviations.
_BOUNDARY = re.compile(r"[.!?][\"\u201d\u2019)\]]*\s+(?=[A-Z0-9\"\u201c(\[])|\n\s*\n")
_DIGIT = re.compile(r"\d")
_ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "al.", "dr.", "approx.", "cf.", "ca.", "no.", "fig.",
                  "u.s.", "et.", "mr.", "ms.", "prof.")


@dataclass(frozen=True)
class Mention:
    """Where a value was read: the words themselves and the sentence holding them."""

    text: str
    source: str
    qualifier: str = ""  # "over", "about", ... as written; "" for an exact figure
    noun: str = ""  # what was counted, as written: "patients", "randomized controlled trials"


@dataclass(frozen=True)
class Effect:
    """One reported effect size, with the sentence it was read from."""

    measure: str
    value: float
    ci: tuple[float, float] | None
    source: str
    text: str  # the words of the effect within `source`, e.g. "SMD = -0.67, 95%CI: ..."

    def to_dict(self) -> dict:
        return {"measure": self.measure, "value": self.value,
                "ci": list(self.ci) if self.ci else None, "source": self.source,
                "text": self.text}


@dataclass(frozen=True)
class Evidence:
    """What the summary says of a study's strength; None where it says nothing."""

    design: str | None = None
    studies: int | None = None
    participants: int | None = None
    effects: tuple[Effect, ...] = ()
    design_from: Mention | None = None
    studies_from: Mention | None = None
    participants_from: Mention | None = None

    @property
    def empty(self) -> bool:
        return self.design is None and self.studies is None and self.participants is None \
            and not self.effects

    def to_dict(self) -> dict:
        """The JSON form: the spec's fields, then where each count was read."""
        def mention(m: Mention | None) -> dict | None:
            return None if m is None else {"text": m.text, "source": m.source,
                                           "qualifier": m.qualifier, "noun": m.noun}
        return {
            "design": self.design, "studies": self.studies, "participants": self.participants,
            "effects": [e.to_dict() for e in self.effects],
            "found": {"design": mention(self.design_from), "studies": mention(self.studies_from),
                      "participants": mention(self.participants_from)},
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> "Evidence | None":
        """The record back from its JSON form (as an index stores it); None for None."""
        if not data:
            return None
        found = data.get("found") or {}

        def mention(name: str) -> Mention | None:
            m = found.get(name)
            return Mention(m["text"], m["source"], m.get("qualifier", ""), m.get("noun", "")) \
                if m else None
        effects = tuple(
            Effect(e["measure"], e["value"], tuple(e["ci"]) if e.get("ci") else None,
                   e["source"], e.get("text", ""))
            for e in data.get("effects", ())
        )
        return cls(data.get("design"), data.get("studies"), data.get("participants"), effects,
                   mention("design"), mention("studies"), mention("participants"))


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        words = text[start:m.start() + 1].split()
        if words and words[-1].lower() in _ABBREVIATIONS:
            continue
        spans.append((start, m.start() + 1))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _sentence_texts(text: str) -> list[str]:
    """The sentences of `text`, each with its spacing made plain (as a `source` holds it)."""
    return [" ".join(text[a:b].split()) for a, b in sentences(text)]


def _number(text: str) -> int:
    text = text.lower()
    return _WORD_VALUES[text] if text in _WORD_VALUES else int(text.replace(",", ""))


def _design(title: str, summary: list[str], patterns: EvidencePatterns
            ) -> tuple[str | None, Mention | None]:
    """The design the article title names, else the one the summary says of itself.

    Only summary sentences holding a hint word are searched: most hold none, and the patterns'
    leading context ("In this ...") is costly to try at every word.
    """
    hinted = [s for s, low in zip(summary, map(str.lower, summary))
              if any(h in low for h in patterns.design_hints)]
    for texts, which in (([title] if title else [], 1), (hinted, 2)):
        for rule in patterns.designs:
            for pattern in rule[which]:
                for sentence in texts:
                    m = pattern.search(sentence)
                    if m:
                        return rule[0], Mention(m.group(0), sentence)
    return None, None


def _with_numbers(summary: list[str], word_numbers: frozenset[str]) -> list[str]:
    """The sentences holding a digit or a number word: only they can state a count."""
    return [s for s in summary
            if _DIGIT.search(s) or not word_numbers.isdisjoint(s.lower().split())]


def _count(texts: list[str], patterns: CountPatterns) -> tuple[int | None, Mention | None]:
    """A count: an explicit "k =" / "N =" first, a lone "n =", then the first counted noun."""
    for pattern in patterns.explicit:
        for sentence in texts:
            m = pattern.search(sentence)
            if m:
                return _number(m.group("number")), Mention(m.group(0), sentence)
    for pattern in patterns.lone:
        found = [(m, s) for s in texts for m in pattern.finditer(s)]
        if len(found) == 1:
            m, sentence = found[0]
            return _number(m.group("number")), Mention(m.group(0), sentence)
    for sentence in texts:
        if patterns.not_in_sentence.search(sentence):
            continue  # a population figure or earlier work, not this study's sample
        for m in patterns.phrase.finditer(sentence):
            before = sentence[max(0, m.start() - 30):m.start()]
            if patterns.not_after.search(before):
                continue
            if patterns.year.match(m.group("number")) and patterns.year_after.search(before):
                continue  # "In 2019 students waited": a year
            qualifier = (m.group("qualifier") or "").lower()
            return _number(m.group("number")), Mention(
                m.group(0), sentence, " ".join(qualifier.split()),
                " ".join(m.group("noun").split()))
    return None, None


def _value(text: str) -> float:
    return float(text.translate(_MINUS))


def _effects(summary: list[str], patterns: EvidencePatterns) -> tuple[Effect, ...]:
    out = []
    for sentence in summary:
        if "=" not in sentence and ":" not in sentence:
            continue  # every effect is written "measure = value" (or with a colon)
        for m in patterns.effect.finditer(sentence):
            if patterns.not_before.match(sentence, m.end()):
                continue  # "-.09 per week": a slope; "12%": a rate
            interval = (patterns.ci_labelled.match(sentence, m.end())
                        or patterns.ci_bare.match(sentence, m.end()))
            measure = m.group("measure").replace("\u2019", "'")
            if interval is None and measure in patterns.needs_ci:
                continue  # a regression weight without its interval: a slope, not an effect size
            ci = None
            end = m.end()
            if interval is not None:
                low, high = sorted((_value(interval.group("low")), _value(interval.group("high"))))
                ci, end = (low, high), interval.end()
            out.append(Effect(measure, _value(m.group("value")), ci, sentence,
                              sentence[m.start():end].strip()))
    return tuple(out)


def extract(entry: Entry, patterns: EvidencePatterns | None = None) -> Evidence:
    """The evidence an entry states: design, studies (k), participants (N) and effects."""
    patterns = patterns or load_patterns()
    summary = _sentence_texts(entry.summary)
    title = article_title(entry.citation) if entry.citation else ""
    if title == entry.citation:
        title = ""  # no article title found: a journal's name says nothing of the design
    title = " ".join(title.split())
    design, design_from = _design(title, summary, patterns)
    numbered = _with_numbers(summary, frozenset(patterns.word_numbers))
    studies, studies_from = _count(numbered, patterns.studies)
    participants, participants_from = _count(numbered, patterns.participants)
    return Evidence(design, studies, participants, _effects(summary, patterns),
                    design_from, studies_from, participants_from)
