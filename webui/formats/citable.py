"""The two things a reader can cite from an entry: the paper it summarises, and the summary."""

from __future__ import annotations

import re
import unicodedata

from crawler.records import Entry
from crawler.reference import Author, Reference, parse_reference

BLOG_URL = "https://socialsciences.uottawa.ca/pprnet/blog"
BLOG_NAME = "PPRNet Blog"
BLOG_AUTHOR = "Psychotherapy Practice Research Network"
KINDS = ("paper", "summary")


def paper(entry: Entry) -> Reference | None:
    """The paper, read from the entry's citation line; None when the entry prints none."""
    if not entry.citation:
        return None
    return parse_reference(entry.citation)


def summary(entry: Entry) -> Reference:
    """The blog's summary itself, as a web page: the blog as author, its month, title and address."""
    year, _, month = entry.month.partition("-")
    url = entry.url if entry.url.startswith(("http://", "https://")) else BLOG_URL
    return Reference(
        kind="webpage", authors=(Author(literal=BLOG_AUTHOR),),
        year=int(year) if year.isdigit() else None,
        month=int(month) if month.isdigit() and 1 <= int(month) <= 12 else None,
        title=entry.title, container=BLOG_NAME, url=url,
    )


def key(ref: Reference, fallback: str) -> str:
    """A citation key like "papola2021comparative" (ASCII letters and digits only)."""
    def ascii_word(text: str) -> str:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]", "", text.lower())

    first = ref.authors[0] if ref.authors else None
    name = ascii_word((first.family or first.literal.split()[0]) if first else "")
    words = [ascii_word(w) for w in ref.title.split()]
    word = next((w for w in words if len(w) > 3 and w not in _STOP), "")
    made = f"{name}{ref.year or ''}{word}"
    return made or ascii_word(fallback) or "entry"


_STOP = frozenset("with from that this what which does when their there about into over".split())
