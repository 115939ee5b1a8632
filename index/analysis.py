"""How text becomes index terms: one analyzer shared by indexing, querying and highlighting.

Moving parts, in order: a tokenizer that keeps hyphenated words whole, lower-casing and accent
folding, possessive stripping, numbers dropped, hyphen compounds (drop-out -> drop, out and
dropout), British spellings mapped to American, then Porter2 stemming guarded by a list of
protected terms (stem_overrides.txt).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
)
from whoosh.lang.snowball.english import EnglishStemmer
from whoosh.support.charset import accent_map

# Words, possibly joined by hyphens or apostrophes ("drop-out", "patient's", "client’s").
_TOKEN_PATTERN = r"\w+(?:[-‐‑–'’]\w+)*"
_HYPHENS = re.compile(r"[-‐‑–]")
_POSSESSIVE = re.compile(r"['’]s?$")
_HAS_DIGIT = re.compile(r"\d")
_OVERRIDES_FILE = Path(__file__).with_name("stem_overrides.txt")
# Porter2 ("Snowball English"): unlike whoosh's Porter, its step 1b works, so "regulated",
# "regulating" and "regulation" meet.
_SNOWBALL = EnglishStemmer().stem

# British -> American spelling, by rule. Both the index and queries pass through these, so a
# rule that also rewrites a word nobody spells differently does no harm unless it merges two
# distinct words.
_SPELLING_RULES: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"^(\w{3,})our(s|ed|ing|al|ite|ites|able)?$"), r"\1or\2"),  # behaviour, colour
    (re.compile(r"^(\w{3,}[^aeiouy\W])is(e|es|ed|ing|er|ers|ation|ations|ational)$"), r"\1iz\2"),
    (re.compile(r"^(\w{2,}[aeiou]\w*?[^aeiou]e)ll(ing|ed|er|ers|or|ors)$"), r"\1l\2"),  # counselling
    (re.compile(r"^(\w+)yse(s|d)?$"), r"\1yze\2"),  # analyse
    (re.compile(r"^(\w+)ogue(s)?$"), r"\1og\2"),  # catalogue
    (re.compile(r"^(\w+)(t|b)re(s)?$"), r"\1\2er\3"),  # centre, litre, fibre
    (re.compile(r"^(def|off|pret|lic)enc(e|es)$"), r"\1ens\2"),  # defence, licence
    (re.compile(r"^(\w*)(ae|oe)(\w{3,})$"), r"\1e\3"),  # paediatric, oesophagus, anaemia
)
# Words spelled -ise in American English too: the -ise -> -ize rule leaves them alone.
_ISE_WORDS = re.compile(
    r"^(?:advertis|advis|apprais|chastis|circumcis|compris|compromis|demis|despis|devis|"
    r"disguis|enterpris|excis|exercis|expertis|franchis|improvis|incis|merchandis|premis|"
    r"promis|revis|supervis|surmis|surpris|televis|concis|precis|wis|nois|pois|rais|prais|"
    r"treatis|cruis|bruis|otherwis|likewis|clockwis)"
)
_SPELLING_EXCEPTIONS = frozenset(
    "four hour hours your yours pour tour detour contour journey poet poem aerobic "
    "aerosol aesthetic maestro coexist coerce coercion genre acre acres massacre mediocre "
    "ogre lucre".split()
)


def american(word: str) -> str:
    """One spelling for words that British and American English spell differently."""
    if word in _SPELLING_EXCEPTIONS or _ISE_WORDS.match(word):
        return word
    for pattern, replacement in _SPELLING_RULES:
        if pattern.match(word):
            return pattern.sub(replacement, word)
    return word


@functools.lru_cache(maxsize=1)
def _overrides() -> tuple[tuple[str, str], ...]:
    rules = []
    for line in _OVERRIDES_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            prefix, stem = line.split()
            rules.append((prefix, stem))
    return tuple(sorted(rules, key=lambda rule: -len(rule[0])))


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The index term for one normalised word: protected stem or Porter2 stem."""
    for prefix, protected in _overrides():
        if word.startswith(prefix):
            return protected
    return _SNOWBALL(word)


class _WordFilter(Filter):
    """Drops numbers and statistics and strips possessives."""

    def __call__(self, tokens):
        for t in tokens:
            text = _POSSESSIVE.sub("", t.text)
            if not text or _HAS_DIGIT.search(text) or len(text) < 2:
                continue
            t.text = text
            yield t


class _CompoundFilter(Filter):
    """Makes drop-out, drop out and dropout meet.

    Indexing emits each part at its own position and the joined word at the first and last
    part's positions, so phrases on either side of the compound still line up. A query keeps only
    the joined word, which both spellings carry.
    """

    def __call__(self, tokens):
        offset = 0
        for t in tokens:
            parts = [p for p in _HYPHENS.split(t.text) if p]
            if len(parts) < 2:
                if t.positions:
                    t.pos += offset
                yield t
                continue
            joined = "".join(parts)
            if t.mode == "query":
                t.text = joined
                yield t
                continue
            # Each part keeps the whole word's characters: parts are stems, shorter than the text.
            start_pos = t.pos + offset if t.positions else 0
            for i, part in enumerate(parts):
                t.text = part
                if t.positions:
                    t.pos = start_pos + i
                yield t
                if i == 0 or i == len(parts) - 1:
                    t.text = joined
                    yield t
            offset += len(parts) - 1


class _NormaliseStemFilter(Filter):
    """American spelling, then the protected or Porter2 stem, part by part in hyphenated words.

    Stemming the parts of "meta-analyses" before they are joined makes the compound meet the
    joined word "metaanalysis" and the parts meet the plain words.
    """

    def __init__(self, stemming: bool = True):
        self.stemming = stemming

    def __call__(self, tokens):
        for t in tokens:
            parts = _HYPHENS.split(t.text)
            if len(parts) == 1:
                t.text = self.word(t.text)
            else:
                t.text = "-".join(self.word(part) for part in parts if part)
            yield t

    def word(self, text: str) -> str:
        text = american(text)
        return stem(text) if self.stemming else text


def clinical_analyzer(stemming: bool = True) -> Analyzer:
    """The analyzer for the entry's text fields (title, citation, summary, implications)."""
    return (
        RegexTokenizer(_TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | _WordFilter()
        | _NormaliseStemFilter(stemming)
        | _CompoundFilter()
    )


def name_analyzer() -> Analyzer:
    """Author surnames: folded for case and accents, never stemmed (Flückiger = fluckiger)."""
    return RegexTokenizer(r"\w+(?:[-'’]\w+)*") | LowercaseFilter() | CharsetFilter(accent_map)


def terms(text: str, analyzer: Analyzer | None = None) -> list[str]:
    """The query terms a piece of text becomes (for synonyms, highlighting and suggestions)."""
    analyzer = analyzer or _QUERY_ANALYZER
    return [t.text for t in analyzer(text, mode="query")]


_QUERY_ANALYZER = clinical_analyzer()
