"""The links of a blog page: the listing address scheme, the Topics and Type of Research
filters, the pager, links to the site's own pages, and a saved page's own address.

Only addresses and element names are read (a filter is a link or drop-down setting `cat_1` or
`cat_2`), never CSS class names, so a change of theme does not lose them.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup

from .htmltext import Line, squash
from .vocabulary import NOT_A_TOPIC

TYPE_PARAM, TOPIC_PARAM, PAGE_PARAM = "cat_1", "cat_2", "p"
_LISTING_PARAMS = {TYPE_PARAM, TOPIC_PARAM, PAGE_PARAM}
_SAVED_FROM = re.compile(r"saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)
_NOT_A_FILTER = re.compile(r"(?:-\s*)?(?:all|any)\b.*|-\s*none\s*-?", re.IGNORECASE)


def listing_url(base_url: str, page: int = 1, **filters: str) -> str:
    """`<base>/blog?cat_1=..&cat_2=..&p=N`, the live site's address scheme."""
    query = "&".join(f"{k}={v}" for k, v in sorted(filters.items()) if v)
    return f"{base_url.rstrip('/')}/blog?{query + '&' if query else ''}{PAGE_PARAM}={page}"


def is_listing(url: str) -> bool:
    """Whether a URL is a listing page (the blog, a page of it, or a filter of it)."""
    if _LISTING_PARAMS & set(query_of(url)):
        return True
    return urlsplit(url).path.rstrip("/").endswith("/blog")


def query_of(url: str) -> dict[str, str]:
    return {k: v[0].strip() for k, v in parse_qs(urlsplit(url).query).items()}


def is_web(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def site_url(href: str, base: str) -> str:
    """The absolute address of a link to a page of this site that is not a listing; else ""."""
    url = urldefrag(urljoin(base, href) if base else href).url
    if not is_web(url) or "doi.org" in urlsplit(url).netloc or is_listing(url):
        return ""
    if is_web(base) and urlsplit(url).netloc != urlsplit(base).netloc:
        return ""
    return url


def is_pager(line: Line, base: str) -> bool:
    """A line made only of links to listing pages: a pager, or a filter list in the text."""
    return (line.link_only and not line.more
            and all(is_listing(urljoin(base, href)) for href, _ in line.links))


def filters_of(soup: BeautifulSoup, base: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """(name, id) of the Topics and the Type of Research filters, from links or drop-downs."""
    here = query_of(base)
    found: dict[str, dict[str, str]] = {TOPIC_PARAM: {}, TYPE_PARAM: {}}

    def add(kind: str, ident: str, name: str) -> None:
        ident, name = ident.strip(), squash(name)
        if not ident or not name or ident.lower() in ("all", "any", "*"):
            return
        if name.casefold() == NOT_A_TOPIC.casefold() or _NOT_A_FILTER.fullmatch(name):
            return
        found[kind].setdefault(ident, name)

    for link in soup.find_all("a", href=True):
        query = query_of(str(link["href"]))
        kinds = [k for k in found if query.get(k)]
        if len(kinds) > 1:  # a filter link that keeps the page's other filter
            kinds = [k for k in kinds if query[k] != here.get(k)]
        if len(kinds) == 1:
            add(kinds[0], query[kinds[0]], link.get_text(" "))
    for select in soup.find_all("select"):
        kind = str(select.get("name", "")).removesuffix("[]")
        if kind in found:
            for option in select.find_all("option"):
                add(kind, str(option.get("value", "")), option.get_text(" "))
    return tuple(
        tuple((name, ident) for ident, name in found[kind].items())
        for kind in (TOPIC_PARAM, TYPE_PARAM)
    )


def pager_of(soup: BeautifulSoup, base: str) -> tuple[str, ...]:
    """The other pages of this same listing (same filters), as absolute addresses."""
    here = {k: v for k, v in query_of(base).items() if k != PAGE_PARAM}
    pages: list[str] = []
    for link in soup.find_all("a", href=True):
        url = urljoin(base, str(link["href"]))
        query = query_of(url)
        if PAGE_PARAM in query and {k: v for k, v in query.items() if k != PAGE_PARAM} == here:
            if is_listing(url) and url not in pages and url != base:
                pages.append(url)
    return tuple(pages)


def declared_url(soup: BeautifulSoup, markup: str | bytes) -> str:
    """A saved page's own address: canonical link, og:url, <base>, or the browser's note."""
    candidates = []
    for tag in (soup.find("link", rel="canonical", href=True),
                soup.find("meta", property="og:url", content=True),
                soup.find("base", href=True)):
        if tag is not None:
            candidates.append(str(tag.get("href") or tag.get("content") or ""))
    head = markup[:4096].decode("latin-1") if isinstance(markup, bytes) else markup[:4096]
    saved = _SAVED_FROM.search(head)
    if saved:
        candidates.append(saved.group(1))
    return next((url.strip() for url in candidates if is_web(url.strip())), "")
