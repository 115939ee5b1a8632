"""How text becomes index terms: one analyzer shared by indexing, querying and highlighting.

Moving parts: ClinicalTokenizer runs the whole chain in one pass, memoised per distinct word:
words with hyphens kept whole, lower-casing and accent folding, possessives stripped, numbers
dropped, British spellings mapped to American (`american`), Porter2 stemming guarded by a list
of protected terms (`stem`, stem_overrides.txt), and hyphen compounds (drop-out -> drop, out
and dropout).
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path
from typing import Collection

from whoosh.analysis import (Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer, Token,
                             Tokenizer)
from whoosh.lang.snowball.english import EnglishStemmer
from whoosh.support.charset import accent_map

# Bump when any change here (or in stem_overrides.txt) makes a word index differently: an index
# built by another version finds nothing for such words until it is rebuilt.
ANALYZER_VERSION = 3

# Words, possibly joined by hyphens or apostrophes ("drop-out", "patient's", "client’s").
_JOINERS = "-‐‑–'’"  # inside a word: hyphens and apostrophes
_TOKEN_RE = WORDS = re.compile(rf"\w+(?:[{_JOINERS}]\w+)*")
_WHOLE = re.compile(r"^.+$", re.DOTALL)
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


# What each distinct word becomes, per analyzer kind (stemming or not): the index sees the same
# few thousand words again and again, so the chain runs once per word instead of once per
# occurrence. Looked up directly by `term_positions`, the build's loop over every word.
_BY_KIND: dict[bool, dict[str, tuple[str, ...]]] = {True: {}, False: {}}
_OUTCOMES_MAX = 500_000  # per kind


def _outcome(raw: str, stemming: bool) -> tuple[str, ...]:
    """A raw token's terms: () when dropped, one term, or the parts of a hyphenated word."""
    known = _BY_KIND[stemming]
    found = known.get(raw)
    if found is not None:
        return found
    text = _POSSESSIVE.sub("", raw.lower().translate(accent_map))
    if not text or _HAS_DIGIT.search(text) or len(text) < 2:
        found = ()  # numbers and statistics (d = 1.47, 95%) are not words to search
    else:
        words = (american(part) for part in _HYPHENS.split(text) if part)
        found = tuple(stem(word) if stemming else word for word in words)
    if len(known) < _OUTCOMES_MAX:
        known[raw] = found
    return found


class ClinicalTokenizer(Tokenizer):
    """The whole chain in one pass: words (hyphenated ones kept whole), lower case and accent
    folding, possessives stripped, numbers dropped, American spelling, protected or Porter2
    stems; each distinct word worked out once.

    Hyphenated words make drop-out, drop out and dropout meet: indexing emits each part at its
    own position and the joined word at the first and last part's positions, so phrases on
    either side of the compound still line up; a query keeps only the joined word, which both
    spellings carry.
    """

    def __init__(self, stemming: bool = True):
        self.stemming = stemming

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost = 1.0
        t.stopped = False
        query = mode == "query"
        pos = start_pos
        for match in _TOKEN_RE.finditer(value) if tokenize else _WHOLE.finditer(value):
            parts = _outcome(match.group(), self.stemming)
            if keeporiginal:
                t.original = match.group()
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            if len(parts) == 1 or (parts and query):
                t.text = parts[0] if len(parts) == 1 else "".join(parts)
                if positions:
                    t.pos = pos
                yield t
            elif parts:
                joined = "".join(parts)
                last = len(parts) - 1
                for i, part in enumerate(parts):
                    t.text = part
                    if positions:
                        t.pos = pos + i
                    yield t
                    if i == 0 or i == last:
                        t.text = joined
                        yield t
                pos += last
            pos += 1


def term_positions(value: str, stemming: bool = True) -> dict[str, list[int]]:
    """Each term of a text and its positions, exactly as ClinicalTokenizer indexes the text
    (mode "index"), without a Token per word: what an indexed field's postings are made of."""
    known = _BY_KIND[stemming]
    poses: dict[str, list[int]] = {}
    pos = 0
    for raw in _TOKEN_RE.findall(value):
        parts = known.get(raw)
        if parts is None:
            parts = _outcome(raw, stemming)
        if len(parts) == 1:
            found = poses.get(parts[0])
            if found is None:
                poses[parts[0]] = [pos]
            else:
                found.append(pos)
        elif parts:
            joined = "".join(parts)
            last = len(parts) - 1
            for i, part in enumerate(parts):
                poses.setdefault(part, []).append(pos + i)
                if i == 0 or i == last:
                    poses.setdefault(joined, []).append(pos + i)
            pos += last
        pos += 1
    return poses


def plain_terms(word: str) -> tuple[str, ...]:
    """The unstemmed terms one word of text is indexed as: itself folded, or a hyphenated
    word's parts and joined form. What the spelling vocabulary holds."""
    return _with_joined(_outcome(word, False))


class WordIndex(dict):
    """word_index's term -> words, and (`at`) where each word looked up so far stands in the
    text, as matched_spans gives them: filled by it, so a kept index finds a word's places
    once; `positions`, once a phrase asked for them (token_positions)."""

    __slots__ = ("at", "positions")

    def __init__(self):
        super().__init__()
        self.at: dict[str, tuple[tuple[int, int, str], ...]] = {}
        self.positions: dict[int, tuple[int, tuple[str, ...]]] | None = None


def word_index(text: str) -> dict[str, str]:
    """For each term of a text, the words as written there that carry it (space-separated):
    what a highlighter needs to find a query's terms in the text without analysing it again.
    Kept per shown entry, so kept small: written words are interned, shared between entries."""
    index: dict[str, str] = WordIndex()
    for word in set(_TOKEN_RE.findall(text)):
        word = sys.intern(word)
        for term in _match_forms(word):
            index[term] = f"{index[term]} {word}" if term in index else word
    return index


def matched_spans(text: str, terms: Collection[str],
                  index: dict[str, str] | None = None) -> list[tuple[int, int, str]]:
    """(start, end, term) of each word of a text that one of these query terms matches: by its
    own term, or a hyphenated word by its joined form or a part. For marking snippets.

    `index` is the text's word_index, if kept from an earlier call; only the words that match
    are looked for in the text.
    """
    if index is None:
        index = word_index(text)
    places = getattr(index, "at", None)
    out: list[tuple[int, int, str]] = []
    seen: set[str] = set()
    words = 0
    for wanted in terms:
        found = index.get(wanted)
        if not found:
            continue
        for word in found.split(" "):
            if word in seen:
                continue
            seen.add(word)
            words += 1
            forms = _match_forms(word)
            term = forms[0] if forms[0] in terms else next(t for t in forms if t in terms)
            # A word's places, as (start, end, its first form), found once when the index
            # is kept; another form (a hyphenated word's part) gets its own triples.
            spans = places.get(word) if places is not None else None
            if spans is None:
                spans = tuple((at, at + len(word), forms[0]) for at in _starts(text, word))
                if places is not None:
                    places[word] = spans
            out.extend(spans if term == forms[0] else [(s, e, term) for s, e, _ in spans])
    if words > 1:
        out.sort()
    return out


def _starts(text: str, word: str) -> list[int]:
    """Where `word` stands in `text` as a whole word (as the tokenizer reads it)."""
    found = []
    at = text.find(word)
    while at != -1:
        if _starts_word(text, at) and _TOKEN_RE.match(text, at).end() == at + len(word):
            found.append(at)
        at = text.find(word, at + 1)
    return found


def token_positions(text: str, index: dict[str, str] | None = None
                    ) -> dict[int, tuple[int, tuple[str, ...]]]:
    """Where each word of a text starts -> (its position, its terms), positions counted as the
    index counts them (term_positions: a hyphenated word takes one per part), so words whose
    positions follow on stand together. Kept with the text's word index, when there is one."""
    found = getattr(index, "positions", None)
    if found is not None:
        return found
    known = _BY_KIND[True]
    found = {}
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        parts = known.get(match.group())
        if parts is None:
            parts = _outcome(match.group(), True)
        found[match.start()] = (pos, parts)
        pos += len(parts) if len(parts) > 1 else 1
    if isinstance(index, WordIndex):
        index.positions = found
    return found


def word_terms(word: str) -> tuple[str, ...]:
    """The index terms one written word stands for, position by position (a hyphenated
    word's parts; its joined form sits at the first and last part's positions)."""
    return _outcome(word, True)


def _match_forms(word: str) -> tuple[str, ...]:
    """The terms a query matches a written word by: its term, or a hyphenated word's joined
    form, then its parts."""
    return _with_joined(word_terms(word))


def _with_joined(parts: tuple[str, ...]) -> tuple[str, ...]:
    """A hyphenated word's joined form before its parts; a plain word's term as it is."""
    return ("".join(parts),) + parts if len(parts) > 1 else parts


def _starts_word(text: str, at: int) -> bool:
    """Whether the tokenizer begins a word at `at` (not inside one that started before)."""
    if at == 0:
        return True
    before = text[at - 1]
    if before.isalnum() or before == "_":
        return False
    return not (before in _JOINERS and at >= 2 and (text[at - 2].isalnum() or text[at - 2] == "_"))


def clinical_analyzer(stemming: bool = True) -> Analyzer:
    """The analyzer for the entry's text fields (title, citation, summary, implications)."""
    return ClinicalTokenizer(stemming)


def name_analyzer() -> Analyzer:
    """Author surnames: folded for case and accents, never stemmed (Flückiger = fluckiger)."""
    return RegexTokenizer(r"\w+(?:[-'’]\w+)*") | LowercaseFilter() | CharsetFilter(accent_map)


def terms(text: str, analyzer: Analyzer | None = None) -> list[str]:
    """The query terms a piece of text becomes (for synonyms, highlighting and suggestions)."""
    analyzer = analyzer or _QUERY_ANALYZER
    return [t.text for t in analyzer(text, mode="query")]


_QUERY_ANALYZER = clinical_analyzer()
