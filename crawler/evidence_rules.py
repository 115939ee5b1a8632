"""The evidence patterns of evidence_patterns.toml, read, expanded and compiled once.

Moving parts: `load_patterns` turns the table into a checked `EvidencePatterns`; `{name}` in a
pattern is replaced by the [parts] pattern of that name; every mistake names the file.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from crawler.tables import read_table

DEFAULT_PATTERNS = Path(__file__).with_name("evidence_patterns.toml")
DESIGNS = (
    "randomized controlled trial", "meta-analysis", "network meta-analysis",
    "individual participant data meta-analysis", "systematic review", "naturalistic study",
    "observational study", "qualitative study", "review",
)
_PART = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class CountPatterns:
    """How one count (studies or participants) is written."""

    explicit: tuple[re.Pattern[str], ...]  # "k = 12", "N = 1,234": tried first
    lone: tuple[re.Pattern[str], ...]  # read only when the text holds exactly one match
    phrase: re.Pattern[str]  # "over 7,300 patients": qualifier, number, noun
    not_after: re.Pattern[str]  # words before a number that make it no count
    year: re.Pattern[str]  # a number that may be a year
    year_after: re.Pattern[str]  # words before such a number that make it one
    not_in_sentence: re.Pattern[str]  # sentences whose counted nouns are not this study's


@dataclass(frozen=True)
class EvidencePatterns:
    """The whole table, compiled."""

    source: str
    designs: tuple[tuple[str, tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]], ...]
    studies: CountPatterns
    participants: CountPatterns
    effect: re.Pattern[str]  # measure = value
    needs_ci: frozenset[str]
    not_before: re.Pattern[str]
    ci_labelled: re.Pattern[str]
    ci_bare: re.Pattern[str]
    word_numbers: tuple[str, ...]
    design_hints: tuple[str, ...]  # lower-case words a sentence needs to be searched for a design


# Raise when the reading code changes what it extracts, so older index generations say so.
CODE_VERSION = 1


@functools.cache
def patterns_stamp() -> str:
    """Which code and shipped patterns read an index's evidence: an index built under another
    stamp holds evidence read differently (or none), until a reindex."""
    digest = hashlib.sha256(DEFAULT_PATTERNS.read_bytes()).hexdigest()[:12]
    return f"{CODE_VERSION}-{digest}"


def load_patterns(path: Path | None = None) -> EvidencePatterns:
    """The patterns in `path`, or the shipped table (read once) when no path is given."""
    return _default() if path is None else _read(Path(path))


@functools.cache
def _default() -> EvidencePatterns:
    return _read(DEFAULT_PATTERNS)


def _read(path: Path) -> EvidencePatterns:
    data, fail = read_table(path, "evidence patterns")

    try:
        parts: dict[str, str] = dict(data["parts"])

        def expand(pattern: str) -> str:
            def part(m: re.Match[str]) -> str:
                if m.group(1) not in parts:
                    raise fail(f"unknown part {{{m.group(1)}}} in {pattern!r}")
                return f"(?:{parts[m.group(1)]})"
            return _PART.sub(part, pattern)

        def compile_(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
            try:
                return re.compile(expand(pattern), flags)
            except re.error as exc:
                raise fail(f"bad pattern {pattern!r}: {exc}") from exc

        def alternatives(words: list[str]) -> str:
            """Patterns as alternatives, longest first; a space matches any run of spaces."""
            ordered = sorted((w.strip() for w in words), key=len, reverse=True)
            return "|".join(re.sub(r" +", r"\\s+", w) for w in ordered)

        years = data["years"]

        def counts(table: dict) -> CountPatterns:
            between = alternatives(table.get("between", []))
            phrase = (
                rf"\b(?<![\w.,\u2212-])(?:(?P<qualifier>{{qualifier}})\s+)?"
                rf"(?P<number>{{integer}}|\b(?:{{word_number}}))(?![\w%]|[.,]\d|\s?%|\s?percent)"
                rf"\s+(?:(?:{between})[\s-]+){{0,3}}(?P<noun>{alternatives(table['nouns'])})\b"
            )
            return CountPatterns(
                explicit=tuple(compile_(p, 0) for p in table.get("explicit", [])),
                lone=tuple(compile_(p, 0) for p in table.get("lone", [])),
                phrase=compile_(phrase),
                not_after=compile_(rf"\b(?:{alternatives(table.get('not_after', []))})\s*$"
                                   if table.get("not_after") else r"(?!x)x"),
                year=compile_(rf"^(?:{years['number']})$"),
                year_after=compile_(rf"\b(?:{alternatives(years['after'])})\s*$"),
                not_in_sentence=compile_("|".join(
                    f"(?:{p})" for p in data["counts"]["not_in_sentence"]) or r"(?!x)x"),
            )

        designs = []
        for rule in data["designs"]:
            if rule["name"] not in DESIGNS:
                raise fail(f"unknown design {rule['name']!r}; known: {', '.join(DESIGNS)}")
            designs.append((rule["name"], tuple(compile_(p) for p in rule.get("title", [])),
                            tuple(compile_(p) for p in rule.get("summary", []))))
        effects = data["effects"]
        symbols = sorted(effects["symbols"], key=len, reverse=True)
        measure = "|".join(symbols)
        pair = effects["ci_pair"]
        return EvidencePatterns(
            source=str(path),
            designs=tuple(designs),
            studies=counts(data["studies"]),
            participants=counts(data["participants"]),
            effect=compile_(
                rf"(?<![\w'\u2019.])(?P<measure>{measure})\s*(?:=|:)\s*(?P<value>{{signed}})"
                r"(?![\d])", 0),
            needs_ci=frozenset(effects.get("needs_ci", [])),
            not_before=compile_(rf"\s*(?:{alternatives(effects.get('not_before', []))})"),
            ci_labelled=compile_(rf"\s*[,;]?\s*[\[(]?\s*{effects['ci_label']}\s*[:=,]?\s*{pair}"),
            ci_bare=compile_(rf"\s*[,;]?\s*(?=[\[(]){pair}"),
            word_numbers=tuple(parts["word_number"].split("|")),
            design_hints=tuple(h.lower() for h in data["design_search"]["hints"]),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise fail(f"missing or malformed setting {exc}") from exc
