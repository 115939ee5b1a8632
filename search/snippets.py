"""Highlighted titles and snippets: matched words in <mark>, everything else HTML-escaped.

A snippet is the passage of about SNIPPET_CHARS characters, from the summary or the
implications, that holds the most distinct query words (then the most matches); words are
matched by the same analysis the index uses (index.analysis.matched_spans).
"""

from __future__ import annotations

from html import escape

from index.analysis import matched_spans

SNIPPET_CHARS = 220
# Context kept before a passage's first match.
_LEAD = 60

Match = tuple[int, int, str]  # start, end, the query term it matched


WordIndex = dict[str, str]  # index.analysis.word_index of a text


def _mark(text: str, start: int, end: int, matches: list[Match]) -> str:
    """text[start:end], escaped, with the matches inside it wrapped in <mark>."""
    pieces, at = [], start
    for m_start, m_end, _ in matches:
        if m_start < start or m_end > end:
            continue
        pieces.append(escape(text[at:m_start], quote=False))
        pieces.append("<mark>" + escape(text[m_start:m_end], quote=False) + "</mark>")
        at = m_end
    pieces.append(escape(text[at:end], quote=False))
    return "".join(pieces)


def _best_window(matches: list[Match]) -> tuple[int, int]:
    """(score, start) of the best window: one starting _LEAD before a match, holding it and
    the matches after it that end inside; most distinct terms, then most matches, first wins."""
    # One pass: the window's far edge only ever moves on.
    best, best_start = -1, 0
    inside: dict[str, int] = {}  # term -> matches of it in the window
    k = 0  # matches[i:k] are in the window
    for i, (m_start, _, _) in enumerate(matches):
        if i and k >= i:
            left = matches[i - 1][2]
            inside[left] -= 1
            if not inside[left]:
                del inside[left]
        k = max(k, i)
        start = max(0, m_start - _LEAD)
        end = start + SNIPPET_CHARS
        while k < len(matches) and matches[k][1] <= end:
            inside[matches[k][2]] = inside.get(matches[k][2], 0) + 1
            k += 1
        score = len(inside) * 10 + (k - i)
        if score > best:
            best, best_start = score, start
    return best, best_start


def _passage(text: str, terms: frozenset[str], index: WordIndex | None) -> tuple[float, str]:
    """The best passage of `text` for these terms, with its score (distinct words first)."""
    if not text or not terms:
        return 0.0, ""
    matches = matched_spans(text, terms, index)
    if not matches:
        return 0.0, ""
    best, best_start = _best_window(matches)
    start, end = best_start, min(len(text), best_start + SNIPPET_CHARS)
    first = next(m for m in matches if m[0] >= start)
    if start > 0:  # begin at a word
        space = text.find(" ", start, first[0])
        start = space + 1 if space != -1 else first[0]
    if end < len(text):  # end at a word
        last_end = max((m[1] for m in matches if start <= m[0] and m[1] <= end), default=start)
        space = text.rfind(" ", last_end, end)
        end = space if space != -1 else end
    html = _mark(text, start, end, matches).strip()
    if start > 0:
        html = "… " + html
    rest = text[end:].strip()
    if any(c.isalnum() for c in rest):
        html += " …"
    else:
        html += escape(rest, quote=False)
    return best, html


def title_html(title: str, terms: frozenset[str]) -> str:
    """The whole title with matched words marked."""
    if not terms:
        return escape(title, quote=False)
    return _mark(title, 0, len(title), matched_spans(title, terms))


def snippet_html(summary: str, implications: str, terms: frozenset[str],
                 indexes: tuple[WordIndex | None, WordIndex | None] = (None, None)) -> str:
    """The best passage of summary or implications; the summary's opening when none matches.

    `indexes` are the two texts' word indexes when the caller keeps them (see
    index.analysis.word_index); without them each text is analysed here.
    """
    best = max((_passage(summary, terms, indexes[0]), _passage(implications, terms, indexes[1])),
               key=lambda pair: pair[0])
    if best[0] > 0:
        return best[1]
    return opening(summary or implications)


def opening(text: str, chars: int = SNIPPET_CHARS) -> str:
    """The start of a text, cut at a word, escaped."""
    text = " ".join(text.split())
    if len(text) <= chars:
        return escape(text, quote=False)
    return escape(text[:chars].rsplit(" ", 1)[0], quote=False) + " …"
