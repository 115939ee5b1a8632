"""Reading files given to `pprsearch import`: text dumps of the blog, or JSON Lines of entries."""

from __future__ import annotations

from pathlib import Path

from .errors import ImportFileError
from .htmlpage import parse_html_page
from .jsonl import parse_jsonl
from .records import ParsedPage
from .tagging import tag_entry
from .textpage import parse_text_page

_JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
_HTML_SUFFIXES = {".html", ".htm"}


def files_in(paths: list[Path | str]) -> list[Path]:
    """The files to read: each path given, and the files of each folder given (sorted)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
        elif path.is_file():
            found.append(path)
        else:
            raise ImportFileError(f"{path}: no such file or folder. Check the path and try again.")
    return found


def read_file(path: Path, source_url: str = "") -> ParsedPage:
    """Parse one file by its kind, with tags inferred where the file gives none.

    `source_url` is the blog listing a text page was copied from: its entries, which carry no
    address of their own, link there.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot be read ({exc.strerror}).") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    head = text.lstrip()[:200].lower()
    if path.suffix.lower() in _JSONL_SUFFIXES or head.startswith("{"):
        page = parse_jsonl(text, source=str(path))
    elif path.suffix.lower() in _HTML_SUFFIXES or head.startswith(("<!doctype", "<html")):
        page = _parse_html(text, path)
    else:
        page = parse_text_page(text, source_url=source_url)
        if not page.entries:
            raise ImportFileError(
                f"{path}: no entries found. A text page needs month headings such as "
                "'November 2021' followed by a title; JSON Lines need one entry per line."
            )
    return ParsedPage(
        entries=tuple(tag_entry(e) for e in page.entries),
        topics=page.topics, research_types=page.research_types, problems=page.problems,
    )


def _parse_html(text: str, path: Path) -> ParsedPage:
    return parse_html_page(text, base_url="", source=path.name)
