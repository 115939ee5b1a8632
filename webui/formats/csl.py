"""CSL-JSON items, the format citation processors (citeproc, Zotero, Pandoc) read."""

from __future__ import annotations

from crawler.reference import Author, Reference

CONTENT_TYPE = "application/vnd.citationstyles.csl+json; charset=utf-8"
_TYPES = {"article": "article-journal", "chapter": "chapter", "book": "book", "webpage": "post-weblog"}


def _name(person: Author) -> dict:
    if person.literal:
        return {"literal": person.literal}
    return {"family": person.family, "given": person.initials} if person.initials else {"family": person.family}


def csl_item(ref: Reference, item_id: str, **extra: str) -> dict:
    """One CSL-JSON item; fields the reference lacks are left out."""
    item: dict = {"id": item_id, "type": _TYPES.get(ref.kind, "article")}
    if ref.authors:
        item["author"] = [_name(a) for a in ref.authors]
    if ref.editors:
        item["editor"] = [_name(e) for e in ref.editors]
    if ref.year:
        parts = [ref.year] + ([ref.month] if ref.month else []) + ([ref.day] if ref.month and ref.day else [])
        item["issued"] = {"date-parts": [parts]}
    fields = {"title": ref.title, "container-title": ref.container, "edition": ref.edition,
              "publisher": ref.publisher, "volume": ref.volume, "issue": ref.issue,
              "page": ref.pages, "DOI": ref.doi, "URL": ref.url, "status": ref.status, **extra}
    item.update({name: value for name, value in fields.items() if value})
    return item
