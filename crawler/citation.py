"""Pulling authors, year, source and DOI out of the blog's APA-style reference lines.

The blog types its references by hand, so the shapes vary (see notes/live-site.md); every
function here is best effort and never raises on odd input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CitationParts:
    """The searchable pieces of one reference line; empty where the line lacks them."""

    authors: tuple[str, ...] = ()  # surnames, in the order printed
    year: int | None = None
    journal: str = ""  # journal, book or other source name
    doi: str = ""  # bare, e.g. "10.1192/bjp.2021.148"


# "(2021)", "(2019, December 5)", "(2021a)", "(in press)"; the date part is loose on purpose.
_YEAR = re.compile(
    r"\(\s*(?:(?P<year>(?:19|20)\d\d)[a-z]?(?:\s*,\s*[^()]{1,25})?"
    r"|(?P<undated>in\s+press|n\.\s?d\.|forthcoming))\s*\)",
    re.IGNORECASE,
)
_EDITORS = re.compile(r"\(\s*Eds?\.?\s*\)\.?", re.IGNORECASE)
# "…", "…." and ". . ." all stand for authors left out.
_ELLIPSIS = re.compile(r"\s*(?:…\.?|(?:\.\s*){3,})\s*")
_ET_AL = re.compile(r"\bet\s+al\b\.?", re.IGNORECASE)
_AND = re.compile(r"\s*(?:&|\band\b)\s*")
_PARTICLES = frozenset(
    "van von der den de del della di da du la le dos das ten ter y bin al".split()
)
_DOI_MARKED = re.compile(
    r"(?:\bdoi\s*:?\s*|https?://(?:dx\.)?doi\.org/)(10\.\d{4,9}/\S+)", re.IGNORECASE
)
_DOI_BARE = re.compile(r"\b(10\.\d{4,9}/\S+)")
_LINKS = re.compile(
    r"(?:https?://|www\.)\S+|\bdoi\s*:?\s*10\.\S+|\b10\.\d{4,9}/\S+", re.IGNORECASE
)
# A sentence ends at . ? ! after a word of two or more letters, a digit or a bracket, so
# that initials ("W. Lutz", "L.G. Castonguay") do not end one.
_SENTENCE_END = re.compile(r"(?:(?<=[^\W\d_][^\W\d_A-Z])|(?<=[0-9)\]”’\"']))[.?!]\s+")
_NOISE = re.compile(
    r"^(?:advance online publication|epub ahead of print|published online|retrieved from"
    r"|available (?:at|from)|chapter \d|pp?\.|\d)",
    re.IGNORECASE,
)
_PUBLISHER = re.compile(
    r"\b(?:Press|Publish\w*|Wiley|Routledge|Springer|Elsevier|Guilford|Sage|Norton|Books"
    r"|Inc|Ltd)\b"
)
_BOOK_CHAPTER = re.compile(r"(?-i:\bIn)\s+[^()]*\(\s*Eds?\.?\s*\)[.,:]?\s*(?P<book>.+)", re.I)
_VOLUME = re.compile(r"^(?P<name>.+?),\s*\d")


def looks_like_citation(line: str) -> bool:
    """Tell a reference line (names, then a bracketed year) from prose and series preambles."""
    match = _YEAR.search(line)
    if match is None:
        return False
    after = line[match.end():].lstrip()
    if after and not (after[0] in ".:,;“\"‘'([" or after[0].isupper() or after[0].isdigit()):
        return False  # "Tasca (2019) found ..." is prose
    return _is_author_list(line[: match.start()])


def parse_citation(text: str) -> CitationParts:
    """Split a reference line into the fields the index searches and filters on."""
    text = " ".join(text.split())
    doi = _find_doi(text)
    match = _YEAR.search(text)
    if match is None:
        return CitationParts(doi=doi)
    year = int(match.group("year")) if match.group("year") else None
    return CitationParts(
        authors=_surnames(text[: match.start()]),
        year=year,
        journal=_source(text[match.end():]),
        doi=doi,
    )


def _author_tokens(text: str) -> list[str]:
    """The comma-separated pieces of an author list, with joiners and omissions taken out."""
    text = _EDITORS.sub(" ", text)
    text = _ELLIPSIS.sub(", ", text)
    text = _ET_AL.sub(", ", text)
    text = _AND.sub(", ", text)
    return [token.strip(" .;:") for token in text.split(",") if token.strip(" .;:")]


def _is_author_list(text: str) -> bool:
    """Whether text is only names and initials, as before the year of a reference."""
    text = text.strip()
    if not text or len(text) > 800 or not text[0].isupper():
        return False
    tokens = _author_tokens(text)
    if not tokens:
        return False
    for token in tokens:
        for word in token.split():
            if any(ch.isdigit() for ch in word):
                return False
            letters = word.lstrip("'’(")
            if not letters:
                continue
            if not letters[0].isupper() and letters.casefold() not in _PARTICLES:
                return False
    return True


def _is_initials(token: str) -> bool:
    """Whether a token is given-name initials ("J. R.", "J.J.M.", "H.L", "Ch.", "JM")."""
    if re.fullmatch(r"[A-Z]{1,3}", token):
        return True
    parts = [part for part in re.split(r"[.\s\-‐]+", token) if part]
    if not parts:
        return False
    for part in parts:
        single = len(part) == 1 and part.isupper()
        short = len(part) == 2 and part[0].isupper() and part[1].islower() and "." in token
        if not (single or short):
            return False
    return True


def _surname_of_full_name(name: str) -> str:
    """The surname of a name written whole: "Anna B. Smith", "Smith JR", "Rosa van Dijk"."""
    words = name.split()
    while len(words) > 1 and _is_initials(words[-1]):
        words.pop()  # initials written after the surname
    if len(words) == 1:
        return words[0]
    if _is_initials(words[0]) or not _is_initials(words[-1]):
        keep = [words[-1]]
        for word in reversed(words[:-1]):
            if word.casefold() not in _PARTICLES:
                break
            keep.insert(0, word)
        return " ".join(keep)
    return words[0]


def _surnames(text: str) -> tuple[str, ...]:
    """Surnames from the part of a reference before its year."""
    tokens = _author_tokens(text)
    names: list[str] = []
    for i, token in enumerate(tokens):
        if _is_initials(token):
            continue
        followed_by_initials = i + 1 < len(tokens) and _is_initials(tokens[i + 1])
        name = token if followed_by_initials else _surname_of_full_name(token)
        if name:
            names.append(name)
    return tuple(names)


def _find_doi(text: str) -> str:
    """The bare DOI, preferring one the line marks as such."""
    match = _DOI_MARKED.search(text) or _DOI_BARE.search(text)
    if match is None:
        return ""
    doi = match.group(1).rstrip(".,;")
    while doi.endswith(")") and doi.count(")") > doi.count("("):
        doi = doi[:-1].rstrip(".,;")
    return doi


def _clean_name(name: str) -> str:
    return name.strip().strip(",;:").rstrip(".").strip()


def _source(rest: str) -> str:
    """The journal or book named after the title, "" when it cannot be told."""
    rest = _LINKS.sub(" ", rest).strip(" .:,")
    chapter = _BOOK_CHAPTER.search(rest)
    if chapter:
        book = re.split(r"\s+\(|(?<=[^\W\d_][^\W\d_A-Z])\.\s", chapter.group("book"))[0]
        return _clean_name(book)
    segments = [_clean_name(s) for s in _SENTENCE_END.split(rest)]
    segments = [s for s in segments if s and not _NOISE.match(s)]
    for segment in segments[1:]:
        volume = _VOLUME.match(segment)
        if volume:
            return _clean_name(volume.group("name"))
    if len(segments) < 2:
        return ""
    last = segments[-1]
    if _PUBLISHER.search(last) and "Journal" not in last:
        # "Title. Publisher." is a book: the title is the source.
        return segments[-2]
    return last
