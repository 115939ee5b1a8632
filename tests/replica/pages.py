"""The replica's HTML, in three themes, so the parser is shown it reads structure, not styling.

- "rows": one block per entry, month and linked title as headings, filters in a form and a
  list (page 1 of the blog and every filter listing);
- "flat": an older theme, one column of paragraphs with <br>, sloppy unclosed markup, the
  "Practice Implications:" label inside a paragraph, the filters after the entries (page 2);
- "teasers": an <article> per entry showing its start and a "Read more" link (page 3).
"""

from __future__ import annotations

from html import escape

from .content import TOPICS, TYPES, Post

BASE = "/pprnet"


def link(post: Post) -> str:
    """Where the replica keeps an entry's own page (drafts are off limits to robots)."""
    return f"{BASE}/drafts/{post.slug}" if post.page == "private" else f"{BASE}/blog/{post.slug}"


def _head(title: str) -> str:
    # The script holds a month heading that must not be read as one.
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><link rel=\"stylesheet\" href=\"{BASE}/site.css\">"
        "<script>var teaser = '<p>March 2020</p>';</script></head>\n<body>\n"
        f"<header role=\"banner\"><a href=\"{BASE}\">PPRNet</a><nav><ul>"
        f"<li><a href=\"{BASE}/blog\">Blog</a></li><li><a href=\"{BASE}/about\">About</a></li>"
        "</ul></nav></header>\n"
    )


_INTRO = (
    "<h1>Blog</h1>\n<p>Each month this blog sums up research that practising "
    "psychotherapists can use. Past entries are in the archives.</p>\n"
    "<h2>This month...</h2>\n<p>…I blog about therapy online, progress feedback and panic</p>\n"
)
_FOOT = (
    "<footer role=\"contentinfo\"><p>Psychotherapy Practice Research Network, "
    "June 2024</p></footer>\n</body></html>\n"
)


def _paragraphs(post: Post) -> list[str]:
    """The entry's paragraphs under its title, the citation where the entry prints it."""
    summary = list(post.summary)
    if post.citation:
        summary.insert(post.citation_after, post.citation)
    return summary


def _query(filters: dict[str, str], page: int) -> str:
    parts = [f"{k}={v}" for k, v in sorted(filters.items())] + [f"p={page}"]
    return "?" + "&amp;".join(parts)


def _pager(filters: dict[str, str], page: int, pages: int) -> str:
    items = "".join(
        f"<li><a href=\"{BASE}/blog{_query(filters, n)}\">{n}</a></li>" if n != page else f"<li>{n}</li>"
        for n in range(1, pages + 1)
    )
    return f"<nav class=\"pager\" role=\"navigation\"><ul>{items}</ul></nav>\n"


def listing(posts: tuple[Post, ...], page: int, pages: int, filters: dict[str, str], theme: str) -> str:
    """One listing page in the given theme."""
    return {"rows": _rows, "flat": _flat, "teasers": _teasers}[theme](posts, page, pages, filters)


def _rows(posts, page, pages, filters) -> str:
    options = "".join(f"<option value=\"{i}\">{escape(n)}</option>" for i, n in TYPES)
    topics = "".join(f"<li><a href=\"{BASE}/blog?cat_2={i}\">{escape(n)}</a></li>" for i, n in TOPICS)
    out = [_head("Blog | PPRNet"), "<main>\n", _INTRO,
           "<div class=\"filters\"><h2>Type of Research</h2>",
           f"<form action=\"{BASE}/blog\" method=\"get\"><select name=\"cat_1\">"
           f"<option value=\"All\">- Any -</option>{options}</select>"
           "<input type=\"submit\" value=\"Apply\"></form>",
           f"<h2>Topics</h2><ul><li><a href=\"{BASE}/blog\">ALL Topics (clear)</a></li>{topics}</ul></div>\n",
           "<div class=\"view-content\">\n"]
    if not posts:
        out.append("<p class=\"empty\">No entries match these filters.</p>\n")
    for post in posts:
        body = "".join(f"<p>{escape(p)}</p>\n" for p in _paragraphs(post))
        out.append(
            f"<div class=\"views-row\">\n<h2 class=\"date\">{post.month}</h2>\n"
            f"<h3 class=\"title\"><a href=\"{link(post)}\">{escape(post.title)}</a></h3>\n{body}"
            f"<h4>Practice Implications</h4>\n<p>{escape(post.implications)}</p>\n</div>\n"
        )
    out += ["</div>\n", _pager(filters, page, pages), "</main>\n", _FOOT]
    return "".join(out)


def _flat(posts, page, pages, filters) -> str:
    out = [_head("PPRNet Blog"), "<div id=\"page\"><div id=\"content\">\n", _INTRO]
    for post in posts:
        title = escape(post.title)
        twice = f"<br>\n{title}" if post.title_twice else ""
        # Unclosed <p> and <font>, as old hand-edited pages have them.
        out.append(f"<p><strong>{post.month}</strong><br>\n{title}{twice}\n")
        for paragraph in _paragraphs(post):
            out.append(f"<p><font face=\"Arial\">{escape(paragraph)}\n")
        out.append(f"<p><b>Practice Implications:</b> {escape(post.implications)}\n")
    out.append(
        f"<p class=\"pager\"><a href=\"blog?p=1\">« first</a> | <a href=\"blog?p={max(1, page - 1)}\">"
        f"‹ previous</a> | <a href=\"blog?p={min(pages, page + 1)}\">next ›</a>\n</div>\n"
    )
    types = "".join(f"<li><a href=\"blog?cat_1={i}\">{escape(n)}</a>" for i, n in TYPES)
    topics = "".join(f"<li><a href=\"blog?cat_2={i}\">{escape(n)}</a>" for i, n in TOPICS)
    out.append(
        f"<div id=\"sidebar\"><h3>Type of Research</h3><ul>{types}</ul><h3>Topics</h3><ul>"
        f"<li><a href=\"blog\">ALL Topics (clear)</a>{topics}</ul>"
        "<h3>Archives</h3><p>Entries before 2017 are on the old site.</p>\n"
        "</div></div></span></em>\n"
    )
    out.append(_FOOT)
    return "".join(out)


def _teasers(posts, page, pages, filters) -> str:
    types = "".join(f"<a href=\"{BASE}/blog?cat_1={i}\">{escape(n)}</a> " for i, n in TYPES)
    topics = "".join(f"<a href=\"{BASE}/blog?cat_2={i}\">{escape(n)}</a> " for i, n in TOPICS)
    out = [_head("Blog – PPRNet"), "<main>\n", _INTRO,
           f"<nav aria-label=\"Filters\"><p>Type of Research: {types}</p><p>Topics: {topics}</p></nav>\n",
           "<section class=\"posts\">\n"]
    for n, post in enumerate(posts):
        first = _paragraphs(post)[:2] if post.citation else _paragraphs(post)[:1]
        body = "".join(f"<p>{escape(p)}</p>\n" for p in first)
        # Half of them link the title; all of them end on "Read more".
        title = (f"<a href=\"{link(post)}\">{escape(post.title)}</a>" if n % 2 == 0
                 else escape(post.title))
        out.append(
            f"<article>\n<header><time>{post.month}</time><h2>{title}</h2></header>\n{body}"
            f"<footer><a href=\"{link(post)}\">Read more<span class=\"visually-hidden\"> about "
            f"{escape(post.title)}</span></a></footer>\n</article>\n"
        )
    out += ["</section>\n", _pager(filters, page, pages), "</main>\n", _FOOT]
    return "".join(out)


def entry(post: Post) -> str:
    """An entry's own page; an "undated" one prints no month heading."""
    date = "" if post.page == "undated" else f"<p class=\"date\">{post.month}</p>\n"
    body = "".join(f"<p>{escape(p)}</p>\n" for p in _paragraphs(post))
    return (
        _head(f"{post.title} | PPRNet") + "<main>\n<article>\n" + date
        + f"<h1>{escape(post.title)}</h1>\n{body}<h2>Practice Implications</h2>\n"
        + f"<p>{escape(post.implications)}</p>\n</article>\n"
        + f"<aside><h2>Recent entries</h2><ul><li><a href=\"{BASE}/blog/alliance-online\">"
        + "June 2024</a></li></ul></aside>\n</main>\n" + _FOOT
    )
