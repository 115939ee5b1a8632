"""APA (7th edition) references, as plain text to paste and as HTML with italics and a DOI link."""

from __future__ import annotations

from markupsafe import Markup, escape

from crawler.reference import MONTHS, Author, Reference

# A reference is built as runs of (text, italic, link); text and HTML are both read from them.
Run = tuple[str, bool, str]


def apa_text(ref: Reference) -> str:
    return "".join(text for text, _, _ in _runs(ref))


def apa_html(ref: Reference) -> Markup:
    out = Markup("")
    for text, italic, link in _runs(ref):
        piece = escape(text)
        if italic:
            piece = Markup("<i>{0}</i>").format(piece)
        if link:
            piece = Markup('<a href="{0}">{1}</a>').format(link, piece)
        out += piece
    return out


def _person(author: Author, initials_first: bool = False) -> str:
    if author.literal:
        return author.literal
    if not author.initials:
        return author.family
    return f"{author.initials} {author.family}" if initials_first else f"{author.family}, {author.initials}"


def _names(people: tuple[Author, ...], omitted: str = "", initials_first: bool = False) -> str:
    names = [_person(p, initials_first) for p in people]
    if not names:
        return ""
    if omitted == "before_last" and len(names) > 1:
        return ", ".join(names[:-1]) + ", . . . " + names[-1]
    if omitted == "after_last":
        return ", ".join(names) + ", et al."
    if len(names) == 1:
        return names[0]
    if len(names) == 2 and initials_first:
        return f"{names[0]} & {names[1]}"
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _date(ref: Reference) -> str:
    if ref.status == "in press" and not ref.year:
        return "in press"
    if not ref.year:
        return "n.d."
    if ref.kind == "webpage" and ref.month:
        day = f" {ref.day}" if ref.day else ""
        return f"{ref.year}, {MONTHS[ref.month - 1].capitalize()}{day}"
    return str(ref.year)


def _end(text: str) -> str:
    """Text closed by a full stop, unless it already ends a sentence."""
    text = text.rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _pages(pages: str) -> str:
    return pages.replace("-", "–")


def _runs(ref: Reference) -> list[Run]:
    runs: list[Run] = []
    authors = _names(ref.authors, ref.omitted)
    if authors:
        runs.append((_end(authors) + " ", False, ""))
    runs.append((f"({_date(ref)}). ", False, ""))
    if ref.kind == "book":
        runs.append((_end(ref.title), True, ""))
        if ref.publisher:
            runs.append((" " + _end(ref.publisher), False, ""))
    elif ref.kind == "chapter":
        runs.append((_end(ref.title) + " In ", False, ""))
        if ref.editors:
            eds = "Eds." if len(ref.editors) > 1 else "Ed."
            runs.append((f"{_names(ref.editors, initials_first=True)} ({eds}), ", False, ""))
        runs.append((ref.container, True, ""))
        details = [f"{ref.edition} ed."] if ref.edition else []
        details += [f"pp. {_pages(ref.pages)}"] if ref.pages else []
        runs.append(((f" ({', '.join(details)})" if details else "") + ".", False, ""))
        if ref.publisher:
            runs.append((" " + _end(ref.publisher), False, ""))
    else:
        if ref.title:
            runs.append((_end(ref.title), False, ""))
        if ref.container:
            runs.append((" ", False, ""))
            runs.append((ref.container + (", " if ref.volume else ""), True, ""))
            if ref.volume:
                runs.append((ref.volume, True, ""))
            tail = f"({ref.issue})" if ref.issue else ""
            tail += f", {_pages(ref.pages)}" if ref.pages else ""
            runs.append((tail + ".", False, ""))
        if ref.status == "Advance online publication":
            runs.append((" Advance online publication.", False, ""))
    if ref.doi:
        link = f"https://doi.org/{ref.doi}"
        runs.append((" ", False, ""))
        runs.append((link, False, link))
    elif ref.url:
        runs.append((" ", False, ""))
        runs.append((ref.url, False, ref.url))
    return runs
