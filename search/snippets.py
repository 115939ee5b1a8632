"""Highlighted titles and snippets: matched words in <mark>, everything else HTML-escaped."""

from __future__ import annotations

from html import escape

from whoosh import highlight

from index.analysis import clinical_analyzer

SNIPPET_CHARS = 220
_ANALYZER = clinical_analyzer()
_FRAGMENTER = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)


class _MarkFormatter(highlight.Formatter):
    """<mark> around matches, escaped text between: the only markup a snippet may hold."""

    between = " … "

    def _text(self, text):
        return escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return "<mark>" + escape(highlight.get_text(text, token, replace), quote=False) + "</mark>"


_FORMATTER = _MarkFormatter()


def _fragment(text: str, terms: frozenset[str], fragmenter) -> tuple[float, str]:
    """The best passage of `text` for these terms, with its score (distinct words first)."""
    if not text or not terms:
        return 0.0, ""
    tokens = _ANALYZER(text, chars=True, mode="query", removestops=False)
    tokens = highlight.set_matched_filter(tokens, terms)
    fragments = list(fragmenter.fragment_tokens(text, tokens))
    if not fragments:
        return 0.0, ""

    def score(fragment) -> float:
        distinct = {t.text for t in fragment.matches}
        return len(distinct) * 10 + len(fragment.matches)

    best = max(fragments, key=score)
    html = _FORMATTER.format_fragment(best)
    if best.startchar > 0:
        html = "… " + html.lstrip()
    rest = text[best.endchar:].strip()
    if any(c.isalnum() for c in rest):
        html = html.rstrip() + " …"
    else:
        html = html.rstrip() + escape(rest, quote=False)
    return score(best), html


def title_html(title: str, terms: frozenset[str]) -> str:
    """The whole title with matched words marked."""
    _, html = _fragment(title, terms, highlight.WholeFragmenter())
    return html or escape(title, quote=False)


def snippet_html(summary: str, implications: str, terms: frozenset[str]) -> str:
    """The best passage of summary or implications; the summary's opening when none matches."""
    best = max(
        (_fragment(summary, terms, _FRAGMENTER), _fragment(implications, terms, _FRAGMENTER)),
        key=lambda pair: pair[0],
    )
    if best[0] > 0:
        return best[1]
    return opening(summary or implications)


def opening(text: str, chars: int = SNIPPET_CHARS) -> str:
    """The start of a text, cut at a word, escaped."""
    text = " ".join(text.split())
    if len(text) <= chars:
        return escape(text, quote=False)
    return escape(text[:chars].rsplit(" ", 1)[0], quote=False) + " …"
