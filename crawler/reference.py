"""A reference line read into the fields a citation manager needs, for cite and export.

Built on the same rules as crawler/citation.py (year, DOI, author lists), but keeps every
field: authors with initials, title, container, editors, edition, volume, issue, pages.
A field the line does not print is left empty, never guessed; nothing here raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .citation import (
    _LINKS, _NOISE, _PUBLISHER, _SENTENCE_END, _YEAR, _author_tokens, _find_doi, _is_initials,
)

MONTHS = ("january february march april may june july august september october november "
          "december").split()


@dataclass(frozen=True)
class Author:
    """One person (family name and initials, "J. R.") or a body named whole (`literal`)."""

    family: str = ""
    initials: str = ""
    literal: str = ""


@dataclass(frozen=True)
class Reference:
    """A work as its reference line describes it; empty fields were not in the line."""

    kind: str  # "article", "chapter", "book" or "webpage"
    authors: tuple[Author, ...] = ()
    # Where the line left authors out: "before_last" (". . ." or "…") or "after_last" (et al.).
    omitted: str = ""
    year: int | None = None
    month: int | None = None
    day: int | None = None
    title: str = ""
    container: str = ""  # journal, book holding a chapter, or site
    editors: tuple[Author, ...] = ()
    edition: str = ""  # "7th"
    publisher: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""  # "705–718", "1-13" or an article number
    status: str = ""  # "Advance online publication", "in press"
    doi: str = ""
    url: str = ""

    @property
    def page_range(self) -> tuple[str, str]:
        """First and last page ("" when not printed)."""
        parts = re.split(r"\s*[-–—]\s*", self.pages, maxsplit=1)
        return parts[0], parts[1] if len(parts) > 1 else ""


# Sentence ends as in citation.py, and also after an acronym ("... for PTSD. Journal of").
_BOUNDARY = re.compile(rf"{_SENTENCE_END.pattern}|(?<=[A-Z][A-Z])\.\s+(?=[A-Z])")
_ELIDED_BEFORE_LAST = re.compile(r"…|(?:\.\s*){3,}")
_ET_AL_END = re.compile(r"\bet\s+al\b\.?\s*$", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_DATE = re.compile(r"\(\s*(?:19|20)\d\d[a-z]?\s*,\s*(?P<month>[A-Za-z]+)\.?(?:\s+(?P<day>\d{1,2}))?")
# "Journal Name, 68(6), 705–718", "World Psychiatry, 20, 283-293", "The British Journal of
# Psychiatry, 1-13", "Pain, 155(9), 1785–1796", "Review, 131, 103644".
_SOURCE = re.compile(
    r"^(?P<name>[^\d].*?),\s*(?:(?P<volume>\d+)\s*(?:\((?P<issue>[^()]+)\))?"
    r"(?:\s*,\s*(?P<pages>e?\d+(?:\s*[-–—]\s*e?\d+)?))?"
    r"|(?P<only_pages>\d+\s*[-–—]\s*\d+))\s*\.?$"
)
_CHAPTER = re.compile(r"(?-i:\bIn)\s+(?P<editors>[^()]*?)\s*\(\s*Eds?\.?\s*\)[.,:]?\s*(?P<rest>.+)",
                      re.IGNORECASE)
_BOOK_DETAILS = re.compile(r"\s*\((?P<details>[^()]*)\)\.?\s*")
_EDITION = re.compile(r"(?P<edition>\d+(?:st|nd|rd|th)|[A-Z][a-z]+)\s+ed\.?", re.IGNORECASE)
_PP = re.compile(r"pp?\.\s*(?P<pages>\d+\s*[-–—]\s*\d+|\d+)")


def parse_reference(text: str) -> Reference | None:
    """The work a reference line describes; None when the line has no bracketed year or status."""
    text = " ".join(text.split())
    match = _YEAR.search(text)
    if match is None:
        return None
    doi = _find_doi(text)
    authors, omitted = _authors(text[: match.start()])
    month, day = _date(text[match.start(): match.end()])
    status = "in press" if (match.group("undated") or "").lower() == "in press" else ""
    rest = text[match.end():]
    url = ""
    if not doi:
        found = _URL.search(rest)
        url = found.group(0).rstrip(".,;") if found else ""
    rest = _LINKS.sub(" ", rest).strip(" .:,")
    fields = dict(authors=authors, omitted=omitted, month=month, day=day, doi=doi, url=url,
                  year=int(match.group("year")) if match.group("year") else None)
    chapter = _CHAPTER.search(rest)
    if chapter:
        return _chapter(rest[: chapter.start()], chapter, fields)
    return _article_or_book(rest, fields, status)


def _authors(text: str) -> tuple[tuple[Author, ...], str]:
    """Authors in printed order, and where the line left some out."""
    omitted = ""
    if _ELIDED_BEFORE_LAST.search(text.strip().rstrip(".")):
        omitted = "before_last"
    elif _ET_AL_END.search(text.strip()):
        omitted = "after_last"
    return _people(_author_tokens(text)), omitted


def _people(tokens: list[str]) -> tuple[Author, ...]:
    """Pair "Family, I." tokens; read a token that is a whole name ("W. Lutz") on its own."""
    people: list[Author] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if i + 1 < len(tokens) and not _is_initials(token) and _is_initials(tokens[i + 1]):
            people.append(Author(family=token, initials=_initials(tokens[i + 1])))
            i += 2
            continue
        if not _is_initials(token):
            people.append(_whole_name(token))
        i += 1
    return tuple(people)


def _whole_name(name: str) -> Author:
    """"W. Lutz", "L.G. Castonguay", "Helena Marsh", "Smith JR", or a lone surname."""
    words = name.split()
    if len(words) == 1:
        return Author(family=words[0])
    if _is_initials(words[-1]) and not _is_initials(words[0]):
        return Author(family=" ".join(words[:-1]), initials=_initials(words[-1]))
    given: list[str] = []
    while len(words) > 1 and (_is_initials(words[0]) or words[0][:1].isupper()) \
            and words[0].casefold() not in _PARTICLE_WORDS:
        given.append(words.pop(0))
    initials = " ".join(_initials(g) if _is_initials(g) else f"{g[0]}." for g in given)
    return Author(family=" ".join(words), initials=initials)


_PARTICLE_WORDS = frozenset("van von der den de del della di da du la le dos das ten ter".split())


def _initials(token: str) -> str:
    """Initials written the APA way: "J.J.M." -> "J. J. M.", "JR" -> "J. R.", "H.L" -> "H. L."."""
    if re.fullmatch(r"[A-Z]{1,3}", token):
        return " ".join(f"{letter}." for letter in token)
    parts = [p for p in re.split(r"(?<=\.)|\s+", token) if p.strip()]
    out = []
    for part in parts:
        part = part.strip()
        for piece in re.findall(r"[-‐]?[A-Z][a-z]?\.?", part) or [part]:
            out.append(piece if piece.endswith(".") else piece + ".")
    return " ".join(out).replace(" -", "-")


def _date(bracket: str) -> tuple[int | None, int | None]:
    found = _DATE.search(bracket)
    if not found or found.group("month").lower() not in MONTHS:
        return None, None
    month = MONTHS.index(found.group("month").lower()) + 1
    return month, int(found.group("day")) if found.group("day") else None


def _segments(rest: str) -> list[str]:
    """The sentences after the year, each keeping its own closing ? or !."""
    out, start = [], 0
    for end in _BOUNDARY.finditer(rest):
        out.append(rest[start: end.start() + 1].strip())
        start = end.end()
    out.append(rest[start:].strip())
    return [s for s in out if s.strip(" .")]


def _clean(segment: str) -> str:
    return segment.strip().rstrip(".,;:").strip()


def _article_or_book(rest: str, fields: dict, status: str) -> Reference:
    segments = _segments(rest)
    for segment in segments[1:]:
        if _NOISE.match(segment) and segment.lower().startswith("advance online"):
            status = "Advance online publication"
    # The title comes first and may start with a number ("10 years of ..."): never noise.
    kept = segments[:1] + [s for s in segments[1:] if not _NOISE.match(s)]
    if not kept:
        return Reference(kind="article", status=status, **fields)
    for at, segment in enumerate(kept[1:], 1):
        source = _SOURCE.match(segment)
        if source:
            pages = source.group("pages") or source.group("only_pages") or ""
            return Reference(
                kind="article", title=_title(kept[:at]), container=_clean(source.group("name")),
                volume=source.group("volume") or "", issue=(source.group("issue") or "").strip(),
                pages=re.sub(r"\s+", "", pages), status=status, **fields,
            )
    if len(kept) == 1:
        return Reference(kind="article", title=_title(kept), status=status, **fields)
    last = _clean(kept[-1])
    if _PUBLISHER.search(last) and "Journal" not in last:
        return Reference(kind="book", title=_title(kept[:-1]), publisher=last, status=status,
                         **fields)
    return Reference(kind="article", title=_title(kept[:-1]), container=last, status=status,
                     **fields)


def _title(segments: list[str]) -> str:
    """The title as printed, without the full stop that closes it (a ? or ! stays)."""
    return _clean(" ".join(segments)) if segments else ""


def _chapter(before: str, match: re.Match, fields: dict) -> Reference:
    """ "Title. In I. Editor (Eds.) Book (7th ed., pp. 1-20). Publisher." """
    editors = _people(_author_tokens(match.group("editors")))
    rest = match.group("rest")
    details = _BOOK_DETAILS.search(rest)
    edition = pages = ""
    if details:
        book = rest[: details.start()]
        found = _EDITION.search(details.group("details"))
        edition = found.group("edition") if found else ""
        found = _PP.search(details.group("details"))
        pages = re.sub(r"\s+", "", found.group("pages")) if found else ""
        after = _segments(rest[details.end():])
    else:
        parts = _segments(rest)
        book, after = (parts[0], parts[1:]) if parts else ("", [])
    if not pages:
        found = _PP.search(" ".join(after))
        pages = re.sub(r"\s+", "", found.group("pages")) if found else ""
    publisher = next((_clean(s) for s in after if not _NOISE.match(s) and _clean(s)), "")
    return Reference(
        kind="chapter", title=_title(_segments(before)), container=_clean(book),
        editors=editors, edition=edition, publisher=publisher, pages=pages, **fields,
    )
