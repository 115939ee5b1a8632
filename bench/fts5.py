"""The SQLite FTS5 reference: the same entries, the same answer, the plain SQL way.

Build: one table of facet values per entry (`docs`, `doc_topics`), an FTS5 table over the
four text fields with the porter tokenizer (the ranking function is bm25 weighted like the
product's field boosts: title 3, summary 1, implications 1.3, citation 0.6), and a second,
contentless and unstemmed FTS5 table whose vocabulary "did you mean" draws from (as the
product's `spell` field does).

Answer (`Fts5Search.__call__`), the same work the product does:
1. the matching entries (an AND of the words, quoted phrases exact) into a temp table; when
   no entry holds every word, entries holding any of them (the product's "partial" fallback);
2. the total and the counts of every topic, type and year over all matches: topics narrow
   (every selected topic required) and are counted within all filters; types and years
   widen within their group and are counted without their own group's filter;
3. "did you mean" when fewer than 3 entries match: for each typed word missing from the
   vocabulary, the most frequent vocabulary word at edit distance <= 2 sharing its first
   letter; with no match at all, the corrected query is searched instead;
4. the top 10 by bm25 (or by month for an empty query or sort=newest), then for those 10
   only: the title highlighted and the best snippet of summary or implications (FTS5
   `highlight()` / `snippet()`), the summary's opening when neither matches;
5. for every facet value, the query string that toggles it (what the page links to).

A query typed in the instant search (`Query.prefix`, the product's `prefix=1`) has its last
word matched as a prefix: `word*` in the MATCH expression, ORed with the unstemmed vocabulary's
words that start with it (at most PREFIX_WORDS, the commonest, as the product takes). The
second part is needed because the index holds porter stems, which a typed prefix can run past:
"mindfulness" is indexed as "mind", so `mindf*` alone finds nothing.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Iterable
from urllib.parse import urlencode

from crawler.records import Entry
from index.spelling import edit_distance

from .queries import Answer, Query

WEIGHTS = (3.0, 1.0, 1.3, 0.6)  # title, summary, implications, citation: the product's boosts
SNIPPET_TOKENS = 32  # about the product's 220 characters
SNIPPET_CHARS = 220
SUGGEST_BELOW = 3
MIN_SUGGEST = 4
PREFIX_WORDS = 12  # the product's PREFIX_MAX_WORDS
TOKENIZER = "porter unicode61 remove_diacritics 2"

_SCHEMA = f"""
CREATE TABLE docs (id INTEGER PRIMARY KEY, key TEXT NOT NULL, month TEXT NOT NULL,
                   year TEXT NOT NULL, type TEXT NOT NULL, topics TEXT NOT NULL, url TEXT);
CREATE TABLE doc_topics (topic TEXT NOT NULL, doc INTEGER NOT NULL,
                         PRIMARY KEY (topic, doc)) WITHOUT ROWID;
CREATE INDEX doc_topics_doc ON doc_topics (doc, topic);
CREATE INDEX docs_month ON docs (month DESC, key);
CREATE VIRTUAL TABLE fts USING fts5(title, summary, implications, citation,
                                    tokenize = '{TOKENIZER}');
CREATE VIRTUAL TABLE spell USING fts5(words, content = '', detail = 'none',
                                      tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE spell_vocab USING fts5vocab(spell, 'row');
"""

_TOKENS = re.compile(r'"([^"]*)"?|(\S+)')


def build(path: Path | str, entries: Iterable[Entry]) -> int:
    """Write the reference database at `path` (replacing it); the number of entries."""
    path = Path(path)
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.executescript(_SCHEMA)
        con.execute("INSERT INTO fts (fts, rank) VALUES ('rank', ?)",
                    ("bm25(" + ", ".join(map(str, WEIGHTS)) + ")",))
        con.execute("BEGIN")
        count = 0
        for n, e in enumerate(entries, 1):
            con.execute("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (n, e.id, e.month, e.year, e.research_type,
                         json.dumps(list(e.topics), ensure_ascii=False), e.url))
            con.executemany("INSERT OR IGNORE INTO doc_topics VALUES (?, ?)",
                            [(t, n) for t in e.topics])
            con.execute("INSERT INTO fts (rowid, title, summary, implications, citation) "
                        "VALUES (?, ?, ?, ?, ?)", (n, e.title, e.summary, e.implications,
                                                    e.citation))
            con.execute("INSERT INTO spell (rowid, words) VALUES (?, ?)",
                        (n, f"{e.title}\n{e.summary}\n{e.implications}"))
            count = n
        con.execute("INSERT INTO fts (fts) VALUES ('optimize')")
        con.execute("INSERT INTO spell (spell) VALUES ('optimize')")
        con.execute("COMMIT")
        con.execute("ANALYZE")
    finally:
        con.close()
    return count


def parse(q: str) -> tuple[list[str], list[str]]:
    """(plain words, phrases) of a query of the mix's form: words and "quoted phrases"."""
    words, phrases = [], []
    for m in _TOKENS.finditer(q):
        if m.group(1) is not None:
            if m.group(1).strip():
                phrases.append(m.group(1).strip())
        else:
            words.append(m.group(2))
    return words, phrases


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def match_expression(words: list[str], phrases: list[str], any_word: bool = False) -> str:
    parts = [_quote(p) for p in phrases] + [_quote(w) for w in words]
    if any_word:
        return " OR ".join(parts)
    return " ".join(parts)


class Fts5Search:
    """Answers queries of the mix from one reference database; one per thread."""

    def __init__(self, path: Path | str):
        self.con = sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                   check_same_thread=False)
        self.con.execute("PRAGMA cache_size = -65536")  # 64 MB of page cache
        self.con.execute("PRAGMA temp_store = MEMORY")
        self.con.execute("CREATE TEMP TABLE m (id INTEGER PRIMARY KEY)")

    def close(self) -> None:
        self.con.close()

    # Pieces

    def _match(self, expression: str) -> int:
        self.con.execute("DELETE FROM temp.m")
        return self.con.execute(
            "INSERT INTO temp.m (id) SELECT rowid FROM fts WHERE fts MATCH ?", (expression,)
        ).rowcount

    @staticmethod
    def _where(query: Query, skip: str | None = None, id_column: str = "m.id") -> tuple[str, list]:
        clauses, args = [], []
        if skip != "topic":
            for topic in query.topic:
                clauses.append(f"{id_column} IN (SELECT doc FROM doc_topics WHERE topic = ?)")
                args.append(topic)
        for param, column in (("type", "d.type"), ("year", "d.year")):
            values = getattr(query, param)
            if values and skip != param:
                clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
                args.extend(values)
        if query.years:  # a range typed in the query: a condition, not a facet selection
            clauses.append("d.year BETWEEN ? AND ?")
            args.extend(query.years)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def _facets(self, source: str, query: Query) -> tuple[int, dict[str, dict[str, int]]]:
        con = self.con
        where, args = self._where(query)
        total = con.execute(
            f"SELECT count(*) FROM {source} m JOIN docs d ON d.id = m.id{where}", args
        ).fetchone()[0]
        facets = {
            "topic": dict(con.execute(
                f"SELECT t.topic, count(*) FROM {source} m JOIN docs d ON d.id = m.id "
                f"JOIN doc_topics t ON t.doc = m.id{where} GROUP BY t.topic", args)),
        }
        for param, column in (("type", "d.type"), ("year", "d.year")):
            w, a = self._where(query, skip=param)
            facets[param] = dict(con.execute(
                f"SELECT {column}, count(*) FROM {source} m JOIN docs d ON d.id = m.id{w} "
                f"GROUP BY {column}", a))
        return total, facets

    def _suggest(self, words: list[str]) -> dict[str, str]:
        changes = {}
        for word in words:
            folded = word.lower()
            if len(folded) < MIN_SUGGEST or not folded.isalpha():
                continue
            if self.con.execute("SELECT 1 FROM spell_vocab WHERE term = ?", (folded,)).fetchone():
                continue
            best = None
            for term, docs in self.con.execute(
                "SELECT term, doc FROM spell_vocab WHERE term >= ? AND term < ?",
                (folded[0], chr(ord(folded[0]) + 1)),
            ):
                distance = edit_distance(folded, term, 2)
                if distance <= 2 and (best is None or (distance, -docs) < best[:2]):
                    best = (distance, -docs, term)
            if best:
                changes[word] = best[2]
        return changes

    def _prefix(self, word: str) -> str:
        """The MATCH expression of a word being typed: itself as a prefix, or the whole
        vocabulary words that start with it."""
        folded = word.lower()
        whole = [t for (t,) in self.con.execute(
            "SELECT term FROM spell_vocab WHERE term >= ? AND term < ? ORDER BY doc DESC, term "
            "LIMIT ?", (folded, folded[:-1] + chr(ord(folded[-1]) + 1), PREFIX_WORDS))]
        return "(" + " OR ".join([_quote(word) + "*", *map(_quote, whole)]) + ")"

    def _top(self, query: Query, expression: str | None, source: str) -> list[int]:
        where, args = self._where(query)
        if expression is None or query.sort != "relevance":
            order = "d.month DESC, d.key" if query.sort != "oldest" else "d.month, d.key"
            return [r[0] for r in self.con.execute(
                f"SELECT m.id FROM {source} m JOIN docs d ON d.id = m.id{where} "
                f"ORDER BY {order} LIMIT 10", args)]
        if where:
            # CROSS JOIN keeps FTS5 the outer loop, so its rank order is used and the filters
            # are checked row by row until ten pass (rather than one FTS5 lookup per candidate).
            where, args = self._where(query, id_column="+f.rowid")  # "+": not an FTS5 constraint
            return [r[0] for r in self.con.execute(
                "SELECT f.rowid FROM fts f CROSS JOIN docs d ON d.id = f.rowid "
                f"{where} AND fts MATCH ? ORDER BY f.rank LIMIT 10", [*args, expression])]
        return [r[0] for r in self.con.execute(
            "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 10", (expression,))]

    def _hits(self, ids: list[int], expression: str | None) -> list[dict]:
        if not ids:
            return []
        marks = ("'<mark>'", "'</mark>'")
        found = {}
        if expression is not None:
            rows = self.con.execute(
                f"SELECT rowid, highlight(fts, 0, {marks[0]}, {marks[1]}), "
                f"snippet(fts, 1, {marks[0]}, {marks[1]}, '…', {SNIPPET_TOKENS}), "
                f"snippet(fts, 2, {marks[0]}, {marks[1]}, '…', {SNIPPET_TOKENS}), "
                f"summary, bm25(fts, {', '.join(map(str, WEIGHTS))}) "
                f"FROM fts WHERE fts MATCH ? AND rowid IN ({', '.join('?' * len(ids))})",
                [expression, *ids])
            for rowid, title_html, s1, s2, summary, score in rows:
                best = max((s1, s2), key=lambda s: s.count("<mark>"))
                snippet = best if "<mark>" in best else _opening(summary)
                found[rowid] = (title_html, snippet, round(-score, 3))
        else:
            for rowid, title, summary in self.con.execute(
                f"SELECT rowid, title, summary FROM fts WHERE rowid IN "
                f"({', '.join('?' * len(ids))})", ids):
                found[rowid] = (title, _opening(summary), None)
        docs = {row[0]: row for row in self.con.execute(
            f"SELECT id, key, month, type, topics, url FROM docs WHERE id IN "
            f"({', '.join('?' * len(ids))})", ids)}
        hits = []
        for rowid in ids:
            _, key, month, type_, topics, url = docs[rowid]
            title_html, snippet, score = found.get(rowid, ("", "", None))
            hits.append({"id": key, "month": month, "type": type_, "topics": json.loads(topics),
                         "url": url, "title_html": title_html, "snippet_html": snippet,
                         "score": score})
        return hits

    @staticmethod
    def _toggles(query: Query, facets: dict[str, dict[str, int]]) -> dict:
        """Each value's count, selection and toggle query string, as the page needs them."""
        out = {}
        for param, counts in facets.items():
            selected = getattr(query, param)
            values = []
            for value, count in counts.items():
                chosen = tuple(v for v in selected if v != value) if value in selected \
                    else selected + (value,)
                params = [(k, v) for k, v in query.params() if k != param] + \
                    [(param, v) for v in chosen]
                values.append((value, count, value in selected, urlencode(params)))
            out[param] = values
        return out

    # The whole answer

    def __call__(self, query: Query) -> Answer:
        words, phrases = parse(query.q)
        if query.fts:  # query syntax beyond words and phrases: its own MATCH expression
            words, phrases = [], []
            expression, source = query.fts, "temp.m"
            self._match(expression)
        elif not words and not phrases:
            expression, source = None, "docs"
        elif query.prefix and words:  # the last word is being typed: a prefix, not misspelled
            typed = words.pop()
            expression, source = " AND ".join(
                filter(None, [match_expression(words, phrases), self._prefix(typed)])), "temp.m"
            self._match(expression)
        else:
            expression, source = match_expression(words, phrases), "temp.m"
            if not self._match(expression) and len(words) + len(phrases) > 1:
                expression = match_expression(words, phrases, any_word=True)
                self._match(expression)
        total, facets = self._facets(source, query)
        suggestion = None
        if words and total < SUGGEST_BELOW:
            changes = self._suggest(words)
            if changes:
                suggestion = " ".join(changes.get(w, w) for w in words)
                suggestion = " ".join([*(f'"{p}"' for p in phrases), suggestion])
                if total == 0:
                    from dataclasses import replace

                    fixed = self(replace(query, q=suggestion))
                    if fixed.total:
                        fixed.suggestion = suggestion
                        return fixed
        hits = self._hits(self._top(query, expression, source), expression)
        links = self._toggles(query, facets)
        return Answer(
            total=total, ids=[h["id"] for h in hits],
            facets={k: {v: c for v, c in counts.items() if c} for k, counts in facets.items()},
            suggestion=suggestion,
            snippets=sum("<mark>" in h["snippet_html"] for h in hits),
            hits=hits, links=links,
        )


def _opening(text: str, chars: int = SNIPPET_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + " …"
