"""An HTML page in reading order: one `Line` per paragraph, heading or list item, with its links.

Theme-proof on purpose: only element names and ARIA roles are read, never CSS class names.
Scripts, forms, navigation, sidebars and the page's own banner and footer are left out (an
`<article>`'s header and footer stay: they hold titles and "Read more" links); a `<br>` ends
a line; "Read more" links are kept beside the text, not in it.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4 import CData, Comment, Declaration, Doctype, ProcessingInstruction
from bs4 import MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = HEADINGS | {
    "html", "body", "main", "article", "section", "header", "footer", "div", "p", "ul", "ol",
    "li", "dl", "dt", "dd", "blockquote", "pre", "table", "thead", "tbody", "tr", "td", "th",
    "figure", "figcaption", "address", "center", "details", "summary", "hr", "caption",
}
_SKIP = frozenset({
    "head", "title", "script", "style", "noscript", "template", "form", "select", "option",
    "button", "input", "textarea", "iframe", "object", "embed", "svg", "canvas", "map", "nav",
    "aside",
})
_SKIP_ROLES = frozenset({"navigation", "search", "banner", "contentinfo", "complementary"})
_BOLD = HEADINGS | {"b", "strong"}
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction, CData)
# "Read more", "Read more about ...", "Continue reading »", "(more)", "Full entry".
_READ_MORE = re.compile(
    r"[(\[]?\s*(?:read\s+more|continue\s+reading|read\s+the\s+(?:full|whole|rest)|more"
    r"|full\s+(?:entry|post|text|summary))\b.*",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Line:
    """One line of the page as a reader sees it, and the block element it came from."""

    text: str  # whitespace squashed; "" for a line that only carries "Read more" links
    tag: str  # "h2", "p", "li", ...
    element: Tag
    links: tuple[tuple[str, str], ...] = ()  # (href, link text) of links in or around it
    more: tuple[str, ...] = ()  # hrefs of "Read more" links
    bold: bool = False  # all its words are in a heading, <b> or <strong>: title-like

    @property
    def link_only(self) -> bool:
        """Nothing but link text: "Previous month", "Download the PDF"."""
        rest = self.text
        for _, label in self.links:
            rest = rest.replace(label, " ")
        return bool(self.links) and not any(ch.isalnum() for ch in rest)


def soup_of(markup: str | bytes, encoding: str | None = None) -> BeautifulSoup:
    """A forgiving parse of any page, broken ones included."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        if isinstance(markup, bytes):
            return BeautifulSoup(markup, "lxml", from_encoding=encoding)
        return BeautifulSoup(markup, "lxml")


def squash(text: str) -> str:
    return " ".join(text.split())


def is_read_more(text: str) -> bool:
    return bool(_READ_MORE.fullmatch(squash(text).strip(" .…»›→>")))


def _skipped(node: Tag) -> bool:
    if node.name in _SKIP:
        return True
    if str(node.get("role", "")).strip().lower() in _SKIP_ROLES:
        return True
    if node.has_attr("hidden") or str(node.get("aria-hidden", "")).lower() == "true":
        return True
    if re.search(r"display\s*:\s*none", str(node.get("style", "")), re.IGNORECASE):
        return True
    # The page's own banner and footer, not an entry's.
    return node.name in ("header", "footer") and node.find_parent(
        ["article", "section", "main"]) is None


def reading_lines(soup: BeautifulSoup) -> list[Line]:
    """The page's text lines in document order (iterative: broken pages can nest deeply)."""
    lines: list[Line] = []
    parts: list[tuple[str, bool]] = []  # (text, in bold)
    links: list[tuple[str, str]] = []
    more: list[str] = []
    blocks: list[Tag] = []
    anchors: list[tuple[str, str]] = []
    bold = [0]

    def flush() -> None:
        text = squash("".join(part for part, _ in parts))
        strong = all(in_bold for part, in_bold in parts if part.strip())
        owner = blocks[-1] if blocks else soup
        if not any(ch.isalpha() for ch in text):
            text = ""  # page numbers, separators, stray punctuation
        if text or more:
            around = [a for a in anchors if a[0] and a not in links]
            lines.append(Line(text, owner.name or "", owner, tuple(links + around), tuple(more),
                              bool(text) and strong))
        parts.clear()
        links.clear()
        more.clear()

    root = soup.body or soup
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            if node.name in _BLOCKS:
                flush()
                blocks.pop()
            elif node.name == "a":
                anchors.pop()
            if node.name in _BOLD:
                bold[0] -= 1
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, _NOT_TEXT):
                parts.append((str(node), bold[0] > 0))
            continue
        if not isinstance(node, Tag) or _skipped(node):
            continue
        if node.name == "br":
            flush()
            continue
        if node.name == "a":
            href = str(node.get("href", "")).strip()
            label = squash(node.get_text(" "))
            if href and is_read_more(label):
                more.append(href)
                continue  # its words are not the entry's
            if href:
                links.append((href, label))
            anchors.append((href, label))
        elif node.name in _BLOCKS:
            flush()
            blocks.append(node)
        if node.name in _BOLD:
            bold[0] += 1
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.children)))
    flush()
    return lines
