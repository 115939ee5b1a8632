"""Stable, readable entry ids: the same entry always gets the same id."""

from __future__ import annotations

import re
import unicodedata

_MAX_SLUG = 120
# What every id looks like: a month, then lower-case ASCII words joined by single hyphens.
ID_PATTERN = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])-[a-z0-9]+(?:-[a-z0-9]+)*")


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens ("Flückiger's work" -> "fluckigers-work")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    folded = re.sub(r"['’]", "", folded.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(slug) > _MAX_SLUG:
        slug = slug[:_MAX_SLUG].rsplit("-", 1)[0]
    return slug or "untitled"


def entry_id(month: str, title: str) -> str:
    """`YYYY-MM-slug-of-title`, the id the spec fixes."""
    return f"{month}-{slugify(title)}"


def valid_id(text: str) -> bool:
    """Whether `text` has the shape of an entry id (so it is safe in a URL or a file name)."""
    return isinstance(text, str) and ID_PATTERN.fullmatch(text) is not None
