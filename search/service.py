"""The one entry point the CLI and the web use: a search request in, a whole answer out.

Moving parts: an IndexView per index generation (the opened index and its facet bitsets,
shared by threads), a Whoosh searcher per thread reused across requests and replaced when the
data folder's CURRENT generation changes, and an optional bounded cache of answers keyed by
generation.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from whoosh import query as wq
from whoosh import sorting

from crawler.evidence import Evidence
from index.analysis import terms, word_index
from index.errors import IndexCorrupt
from index.schema import TEXT_FIELDS
from index.spelling import Spelling
from index.store import CURRENT_FILE, Generation, IndexStore

from index import bitsets, postings
from . import complete, cost, deadline
from .compile import PREFIX_MAX_WORDS, PREFIX_MIN_LETTERS, Compiled, compile_query
from .counts import by_participants, known_fields
from .facets import FACETS, FacetData, load_facet_data
from .lru import BoundedCache
from .matchset import MatchSets
from .scoring import TermScores, best
from .records import ANSWER_CACHE, PER_PAGE_MAX, Hit, Interpretation, Offer, SearchRequest, SearchResult
from .snippets import Marks, citation_html, snippet_html, title_html
from .suggest import suggest
from .synonyms import DATA_FILE, DEFAULT_FILE, Synonyms
from .typos import Corrections

log = logging.getLogger(__name__)
# Hits by relevance that get the bonus for holding the words close together.
RESCORE_DEPTH = 50
# Shown entries kept, per generation: their stored fields and the word indexes their
# snippets and marked titles and citations are made from (a few KB each; _Shown).
STORED_KEPT = 1024
# Citation terms looked at for the start of a word being typed, at most.
_CITATION_PREFIX_SCAN = 200
# Document frequencies kept per generation, (field, term) -> count (~100 bytes each).
FREQUENCIES_KEPT = 100_000
# Suggestions' counts kept (a few bytes each), across generations (the key names one).
COUNTS_KEPT = 4096
# A query finding fewer entries than this is offered a "did you mean".
_SUGGEST_BELOW = 3
# What a query with no words marks: nothing.
_NO_MARKS = Marks()


@dataclass(frozen=True)
class IndexView:
    """One opened index generation and what is cached about it."""

    generation: Generation
    index: object
    facets: FacetData
    matches: MatchSets
    scores: TermScores
    spelling: Spelling
    corrections: Corrections
    # Shown entries (_Shown): stored fields read from the index, decompressed, unpickled
    # once, with their word indexes for snippets.
    stored: BoundedCache = field(default_factory=lambda: BoundedCache(STORED_KEPT))
    # Documents holding a term, by (field, term): the cost check and the compiler ask for
    # the same few terms on every answer (see doc_frequency).
    frequencies: dict = field(default_factory=dict, hash=False, compare=False)

    def doc_frequency(self, reader) -> Callable[[str, str], int]:
        """`reader.doc_frequency`, its answers kept for the generation (the reader's)."""
        kept = self.frequencies

        def doc_frequency(fieldname: str, term) -> int:
            key = (fieldname, term)
            found = kept.get(key)
            if found is None:
                found = reader.doc_frequency(fieldname, term)
                if len(kept) >= FREQUENCIES_KEPT:
                    kept.clear()
                kept[key] = found
            return found

        return doc_frequency


class _Shown:
    """What a shown entry's hits are made from, kept per generation (IndexView.stored): its
    stored fields as read, its evidence and topics as the answer holds them, and the word
    indexes of its summary, implications, title and citation, made when first marked."""

    __slots__ = ("fields", "summary", "implications", "citation", "topics", "evidence",
                 "_words", "_plain")

    def __init__(self, fields: dict):
        self.fields = fields
        self.summary = fields.get("summary", "")
        self.implications = fields.get("implications", "")
        self.citation = fields.get("citation", "")
        self.topics = tuple(fields.get("topic_names", ()))
        self.evidence = Evidence.from_dict(fields.get("evidence"))  # immutable: shared
        self._words: list = [None, None, None, None]
        self._plain: tuple[str, str, str, str] | None = None

    def plain(self) -> tuple[str, str, str, str]:
        """(title, snippet, where from, citation) in HTML as a query marking nothing shows
        them (browsing, or sorted by date): made once, not escaped and cut anew for every
        answer (~5 us an entry)."""
        found = self._plain
        if found is None:
            title = self.fields["title"]
            snippet, snippet_from = snippet_html(self.summary, self.implications, _NO_MARKS)
            found = self._plain = (title_html(title, _NO_MARKS), snippet, snippet_from,
                                   citation_html(self.citation, _NO_MARKS))
        return found

    def words(self, which: int, text: str):
        """The word index of one of its texts (0 summary, 1 implications, 2 title,
        3 citation): kept with it, so a text's words and their places are found once."""
        found = self._words[which]
        if found is None:
            found = self._words[which] = word_index(text)
        return found


@dataclass(frozen=True)
class RelatedEntry:
    id: str
    title: str
    month: str


def _starting(spelling: Spelling, reader, doc_frequency):
    """The index's words starting with a typed word, as many as one may expand to: the
    vocabulary of titles, summaries and implications first, then the citations' (authors'
    surnames, journals), which the vocabulary does not hold, commonest first."""
    def starting(word: str) -> list[str]:
        found = spelling.starting(word, PREFIX_MAX_WORDS)
        if len(found) < PREFIX_MAX_WORDS:
            cited = [t.decode("utf-8") for t in itertools.islice(
                reader.expand_prefix("citation", word), _CITATION_PREFIX_SCAN)]
            cited.sort(key=lambda t: (-doc_frequency("citation", t), t))
            found += [t for t in cited if t not in found][:PREFIX_MAX_WORDS - len(found)]
        return found
    return starting


def _respelled(words: str, corrected: str, typed: str) -> str:
    """`words` as the corrected query spells them (a query's start, before what it keeps)."""
    extra = typed[len(words):]
    return corrected[: len(corrected) - len(extra)] if extra and corrected.endswith(extra) else corrected


@dataclass(frozen=True)
class _Reading:
    """Which entries a compiled query finds, and why, before filters and ranking."""

    matches: int  # bitset
    score_query: object  # what ranks them (the query, or its words for most-words matches)
    partial: bool = False
    missing: tuple[str, ...] = ()  # words no entry holds
    lacking: tuple[tuple[int, str], ...] = ()  # (bitset, word) for most-words matches


class SearchService:
    """Searches the current index of one data folder; safe to share between threads."""

    def __init__(self, data_folder: Path | str, answer_cache: int = ANSWER_CACHE,
                 synonyms_file: Path | str = DEFAULT_FILE,
                 answer_looked_up: Callable[[bool], None] | None = None):
        """`answer_looked_up`, when given, is told of each answer-cache lookup: hit or not."""
        self.answer_looked_up = answer_looked_up
        self.store = IndexStore(data_folder)
        # The shipped synonyms, extended by the data folder's own (added from /admin).
        self.synonyms = Synonyms(synonyms_file, Path(data_folder) / DATA_FILE)
        self._lock = threading.Lock()
        self._view: IndexView | None = None
        self._local = threading.local()
        self._answers = BoundedCache(int(answer_cache))
        self._rejected: dict[str, str] = {}  # generation -> what its check found wrong
        self._complete: tuple[tuple, complete.Completions] | None = None
        self._counts = BoundedCache(COUNTS_KEPT)  # suggestions' counts
        self._current_file = self.store.root / CURRENT_FILE
        self._current: tuple[tuple, str | None] | None = None  # (CURRENT's stat, its name)

    # Index generations and searchers

    def current_name(self) -> str | None:
        """The name in the data folder's CURRENT, as `IndexStore.current_name` reads it, read
        again only when the file is another one: a swap replaces it by a rename (a new inode
        and change time), so its stat tells a swap without opening it on every request."""
        try:
            st = os.stat(self._current_file)
        except OSError:
            return self.store.current_name()
        signature = (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        held = self._current
        if held is not None and held[0] == signature:
            return held[1]
        name = self.store.current_name()
        self._current = (signature, name)
        return name

    def view(self) -> IndexView:
        """The current generation, opened once per process and swapped when CURRENT moves.

        A generation is verified when opened (sizes and checksums against its build record)
        and its files' sizes are checked before every use; one that fails is never read again
        by this process, and the newest generation that passes serves instead (`health()`).
        """
        name = self.current_name()
        view = self._view
        if (view is not None and (view.generation.name == name or name in self._rejected)
                and not self._damaged(view)):
            return view
        with self._lock:
            view = self._view
            if (view is not None and (view.generation.name == name or name in self._rejected)
                    and not self._damaged(view)):
                return view
            self._view = self._open_good(name)
            self._answers.clear()
            return self._view

    def _damaged(self, view: IndexView) -> bool:
        problem = self.store.intact(view.generation)
        if problem:
            self._reject(view.generation.name, problem)
        return problem is not None

    def _reject(self, name: str, problem: str) -> None:
        if name not in self._rejected:
            log.error("index generation %s is damaged: %s", name, problem)
        self._rejected[name] = problem
        if self._view is not None and self._view.generation.name == name:
            self._view = None

    def _open_good(self, name: str | None) -> IndexView:
        """The newest generation that passes its check, the current one first."""
        current = self.store.current()  # IndexNotBuilt when there is none
        others = [g for g in reversed(self.store.generations()) if g != current.name]
        for candidate in [current.name, *others]:
            if candidate in self._rejected:
                continue
            problem = self.store.verify(candidate)
            if problem:
                self._reject(candidate, problem)
                continue
            return self._load(candidate)
        raise IndexCorrupt(str(self.store.root.parent), self._rejected.get(current.name, ""))

    def _load(self, name: str) -> IndexView:
        generation = self.store.generation(name)
        index = self.store.open(generation.name)
        with index.reader() as reader:
            facets = load_facet_data(reader, generation.topic_names,
                                     self.store.facet_docnums(generation.name))
            spelling = self.store.spelling(generation.name, reader)
            names = frozenset(t.decode("utf-8") for t in reader.lexicon("authors"))
        corrections = Corrections(spelling, names, self.synonyms.abbreviations)
        recent = postings.Recent()  # one decode of a term's postings for its bitset and scores
        return IndexView(generation, index, facets, MatchSets(facets.size, recent),
                         TermScores(facets.size, recent=recent), spelling, corrections)

    def health(self) -> dict:
        """How the index serves: "ok", or "degraded" when the current generation failed its
        check and an older one answers (or none can); with the problem found."""
        current = self.store.current_name()
        problem = self._rejected.get(current) if current else None
        serving = self._view.generation.name if self._view is not None else None
        if problem is None:
            return {"status": "ok", "current": current, "serving": serving, "problem": None}
        return {"status": "degraded", "current": current, "serving": serving,
                "problem": problem}

    def searcher(self, view: IndexView):
        """This thread's searcher over `view`; Whoosh searchers are not shared across threads."""
        local = self._local
        if getattr(local, "name", None) != view.generation.name:
            old = getattr(local, "searcher", None)
            if old is not None:
                old.close()
            local.searcher = view.index.searcher()
            local.name = view.generation.name
        return local.searcher

    # Searching

    def search(self, request: SearchRequest) -> SearchResult:
        view = self.view()
        for facet in FACETS:
            facet.check(request, view.facets)
        reader = self.searcher(view).reader()  # QueryTooCostly before anything is run:
        synonyms = self.synonyms.pinned()  # the files checked once for the whole answer
        cost.check(request.q, view.doc_frequency(reader), view.facets.size, synonyms,
                   near=view.corrections)
        key = (view.generation.name, synonyms.stamp(), request)
        return self._answers.get(key, lambda: self._search(view, request, synonyms=synonyms),
                                 self.answer_looked_up)

    def _search(self, view: IndexView, request: SearchRequest, corrected_from: str = "",
                synonyms: Synonyms | None = None) -> SearchResult:
        searcher = self.searcher(view)
        data = view.facets
        synonyms = synonyms or self.synonyms.pinned()
        compiled, known = self._compile(view, searcher.reader(), request.q, request.prefix,
                                        synonyms)
        reading = self._read(searcher, view, compiled)
        filters = {f.param: f.filter_bits(request, data) for f in FACETS}

        def within(skip: str | None = None) -> int:
            bits = reading.matches
            for param, f_bits in filters.items():
                if f_bits is not None and param != skip:
                    bits &= f_bits
            return bits

        shown = within()
        total = shown.bit_count()
        groups = tuple(
            f.group(request, shown if f.narrows else within(f.param), data) for f in FACETS
        )
        suggestion = None
        if compiled.words and (total < _SUGGEST_BELOW or compiled.fuzzy) and not corrected_from:
            suggestion = suggest(request.q, compiled.words, view.corrections, known)
            if suggestion and total == 0:
                fixed = self._search(view, replace(request, q=suggestion.q), corrected_from=request.q,
                                     synonyms=synonyms)
                if fixed.total and not fixed.interpreted.partial:
                    return replace(fixed, request=request)  # it finds entries holding every word
                if not fixed.total:
                    suggestion = None  # a correction that finds nothing helps no one
        marks = Marks(frozenset(compiled.highlight), frozenset(compiled.highlight_phrases),
                      frozenset(compiled.names))
        hits = self._hits(searcher, view, request, reading, compiled.proximity, marks, shown)
        interpreted = Interpretation(
            searched=request.q,
            expansions=tuple(compiled.expansions),
            corrections=(f"{corrected_from} → {request.q}",) if corrected_from else (),
            fuzzy=tuple(compiled.fuzzy),
            partial=reading.partial,
            ignored=tuple(compiled.ignored),
            missing=reading.missing,
            explained=tuple(f"{c.label}: {c.meaning}" for c in compiled.clauses
                            if c.meaning and c.label in reading.missing),
            offers=self._offers(request, compiled, reading) if not total and not corrected_from else (),
        )
        return SearchResult(
            request=request, total=total, hits=hits, facets=groups, suggestion=suggestion,
            interpreted=interpreted, index_version=view.generation.name,
        )

    def _compile(self, view: IndexView, reader, q: str, prefix: bool = False,
                 synonyms: Synonyms | None = None):
        """The compiled query, and the `known(term)` test it was compiled with."""

        doc_frequency = view.doc_frequency(reader)

        def known(term: str) -> bool:
            return any(doc_frequency(f, term) for f in TEXT_FIELDS)

        starting = _starting(view.spelling, reader, doc_frequency) if prefix else None
        compiled = compile_query(q, synonyms or self.synonyms.pinned(), known=known,
                                 near=view.corrections,
                                 starting=starting)
        if compiled.completed in compiled.words:  # a word still being typed is not misspelled
            compiled.words.remove(compiled.completed)
        # An index built before evidence was read has no count fields: nothing matches them.
        compiled.query = known_fields(compiled.query, reader.schema)
        compiled.clauses = [replace(c, query=known_fields(c.query, reader.schema))
                            for c in compiled.clauses]
        return compiled, known

    def _read(self, searcher, view: IndexView, compiled: Compiled) -> _Reading:
        """The entries the query finds. When none holds every part: none at all if a word is
        in no entry; for three words or more, each in some entry, those lacking one of them."""
        query = compiled.query
        matches = view.matches.of(searcher, query)
        if matches or not compiled.clauses:
            return _Reading(matches, query)
        held = [(c, view.matches.of(searcher, c.query)) for c in compiled.clauses]
        missing = tuple(c.label for c, bits in held if not bits and c.droppable)
        words = [(c, bits) for c, bits in held if c.droppable]
        if missing or len(words) < 3:
            return _Reading(0, query, missing=missing)
        required = view.matches.full
        for c, bits in held:
            if not c.droppable:
                required &= bits
        for c in compiled.negatives:
            required &= ~view.matches.of(searcher, c.query)
        # Entries lacking exactly word i: all the others (before i, after i) and not word i.
        before = [view.matches.full]
        for _, bits in words:
            before.append(before[-1] & bits)
        after = view.matches.full
        lacking = []
        for i in range(len(words) - 1, -1, -1):
            c, bits = words[i]
            only = before[i] & after & ~bits & required
            if only:
                lacking.append((only, c.label))
            after &= bits
        found = 0
        for bits, _ in lacking:
            found |= bits
        score = wq.Or([c.query for c, _ in words])
        return _Reading(found, score, partial=bool(found), lacking=tuple(reversed(lacking)))

    def _offers(self, request: SearchRequest, compiled: Compiled, reading: _Reading) -> tuple[Offer, ...]:
        """Searches that do find something, for a query that found nothing: without the words no
        entry holds, or, when every word is held but not together, each word on its own."""
        words = [c for c in compiled.clauses if c.droppable]
        kept = [c.label for c in compiled.clauses if not c.droppable]
        kept += [c.label for c in compiled.negatives]
        if reading.missing:
            tries = [[c.label for c in words if c.label not in reading.missing]]
        elif len(words) >= 2:
            tries = [[c.label] for c in words]
        else:
            return ()
        offers = []
        for labels in tries:
            if not labels:
                continue
            q = " ".join(labels + kept)
            found = self.search(replace(request, q=q, page=1))
            words = " ".join(labels)
            if found.interpreted.fuzzy and found.suggestion:  # offer it as it was read
                q, words = found.suggestion.q, _respelled(words, found.suggestion.q, q)
            if found.total:
                offers.append(Offer(q=q, words=words, total=found.total))
        return tuple(offers)

    def _hits(self, searcher, view, request, reading: _Reading, proximity, marks, shown
              ) -> tuple[Hit, ...]:
        start = (request.page - 1) * request.per_page
        if start >= shown.bit_count():
            return ()
        end = start + request.per_page
        ranked = self._ranked(searcher, view, request, reading.score_query, proximity, shown, end)
        hits = []
        for docnum, score in ranked[start:end]:
            deadline.check()
            shown_entry = view.stored.get(docnum, lambda: _Shown(searcher.stored_fields(docnum)))
            fields = shown_entry.fields
            citation = shown_entry.citation
            title = fields["title"]
            if marks:
                summary, implications = shown_entry.summary, shown_entry.implications
                snippet, snippet_from = snippet_html(
                    summary, implications, marks,
                    (shown_entry.words(0, summary), shown_entry.words(1, implications)))
                marked_title = title_html(title, marks, shown_entry.words(2, title))
                marked_citation = citation_html(citation, marks, shown_entry.words(3, citation)
                                                if citation else None)
            else:
                marked_title, snippet, snippet_from, marked_citation = shown_entry.plain()
            hits.append(Hit(
                id=fields["id"],
                title=title,
                title_html=marked_title,
                month=fields["month"],
                url=fields.get("url", ""),
                citation=citation,
                topics=shown_entry.topics,
                research_type=fields.get("research_type", ""),
                snippet_html=snippet,
                score=round(score, 3) if score else None,
                snippet_from=snippet_from,
                citation_html=marked_citation,
                lacking=next((word for bits, word in reading.lacking if bits >> docnum & 1), ""),
                evidence=shown_entry.evidence,
            ))
        return tuple(hits)

    def _ranked(self, searcher, view, request, query, proximity, shown, limit
                ) -> list[tuple[int, float | None]]:
        """The first `limit` (docnum, score) pairs in the request's order.

        By relevance, every query is scored the same way (search/scoring.py); the top
        RESCORE_DEPTH get the proximity bonus (their words close together) in a second, small
        pass: scoring phrases over every match would cost two to three times the whole search.
        """
        sort = request.effective_sort
        if sort == "participants":
            return by_participants(view.facets.participants, shown, limit)
        if sort != "relevance" and view.generation.newest_first:
            return [(d, None) for d in bitsets.first(shown, limit, reverse=sort == "oldest")]
        if sort != "relevance":
            filters = [q for q in (f.filter_query(request) for f in FACETS) if q is not None]
            order = sorting.MultiFacet([
                sorting.FieldFacet("month", reverse=sort == "newest"),
                sorting.FieldFacet("id"),
            ])
            results = searcher.search(query, limit=limit, sortedby=order,
                                      filter=wq.And(filters) if filters else None)
            return [(hit.docnum, None) for hit in results]
        depth = max(limit, RESCORE_DEPTH)
        scores = dict(best(searcher, view.matches, view.scores, query, shown, depth))
        if proximity and scores:
            for docnum, bonus in view.scores.proximity(searcher, proximity, scores).items():
                scores[docnum] += bonus
        ranked = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
        return ranked[:limit]

    def all_ids(self, request: SearchRequest) -> Iterator[str]:
        """Every hit's id, in the order the request's pages list them (its page is ignored).

        For exports: read page by page from one index generation, past the answer cache so a
        long export does not push out the answers people are waiting for.
        """
        view = self.view()
        for facet in FACETS:
            facet.check(request, view.facets)
        page = 1
        while True:
            result = self._search(view, replace(request, page=page, per_page=PER_PAGE_MAX))
            yield from (hit.id for hit in result.hits)
            if page >= result.pages:
                return
            page += 1

    # Suggestions

    def complete(self, q: str, limit: int = complete.LIMIT) -> tuple[complete.Completion, ...]:
        """Suggestions for a query being typed, each with the entries its search finds: the
        query with its last word completed, then titles, topics, authors and long forms of
        terms that match it. Those that find nothing are left out."""
        q = " ".join(q.split())
        if len(q) < complete.MIN_CHARS:
            return ()
        view = self.view()
        catalog = self._completions(view).matching(q, limit)
        found: list[complete.Completion] = []
        head, _, last = q.rpartition(" ")
        if len(last) >= PREFIX_MIN_LETTERS and last.isalpha():
            stems: set[tuple[str, ...]] = set()
            for word in view.spelling.starting(last.lower(), PREFIX_MAX_WORDS):
                stem = tuple(terms(word))
                text = f"{head} {view.spelling.as_written(word)}".strip()
                if (not stem or stem in stems or word in complete.FUNCTION_WORDS
                        or text.lower() == q.lower()):
                    continue  # "disorders" after "disorder" finds the same; "these" nothing
                stems.add(stem)
                found.append(complete.Completion(text, text, "query"))
                if len(found) >= complete.WORD_COMPLETIONS:
                    break
        shown = {tuple(complete.fold(c.text)) for c in catalog}
        found = [c for c in found if tuple(complete.fold(c.text)) not in shown] + catalog
        out: list[complete.Completion] = []
        seen: set[tuple[str, ...]] = set()
        for c in found:
            words = tuple(complete.fold(c.q))
            if words in seen:  # "cognitive-behavioral therapy" after "cognitive behavioral therapy"
                continue
            seen.add(words)
            count = self._count(view, c.q)
            if count:
                out.append(replace(c, count=count))
            if len(out) >= limit:
                break
        return tuple(out)

    def _count(self, view: IndexView, q: str) -> int:
        """The entries a search of `q` finds (with no filter), without ranking or facets; kept
        per generation, as the same suggestions come back keystroke after keystroke."""
        key = ("count", view.generation.name, self.synonyms.stamp(), q)

        def count() -> int:
            searcher = self.searcher(view)
            compiled, _ = self._compile(view, searcher.reader(), q)
            return self._read(searcher, view, compiled).matches.bit_count()

        return self._counts.get(key, count)

    def _completions(self, view: IndexView) -> complete.Completions:
        """The suggestion candidates of a generation (and synonyms file), built once."""
        key = (view.generation.name, self.synonyms.stamp())
        held = self._complete
        if held is not None and held[0] == key:
            return held[1]
        with self._lock:
            if self._complete is None or self._complete[0] != key:
                with view.index.reader() as reader:
                    built = complete.build(reader.all_stored_fields(),
                                           view.generation.topic_names.values(),
                                           self.synonyms.long_forms())
                self._complete = (key, built)
            return self._complete[1]

    # Entries

    def evidence(self, entry_id: str) -> Evidence | None:
        """The evidence the serving index holds for an entry; None when it holds none (an
        index built before evidence was read, or an entry not indexed yet)."""
        view = self.view()
        searcher = self.searcher(view)
        docnum = searcher.document_number(id=entry_id)
        if docnum is None:
            return None
        return Evidence.from_dict(searcher.stored_fields(docnum).get("evidence"))

    def related(self, entry_id: str, limit: int = 5) -> tuple[RelatedEntry, ...]:
        """Entries most like this one, by the key words of its summary and implications.

        Empty when the entry is not in the index (yet): the archive decides whether it exists.
        """
        view = self.view()
        searcher = self.searcher(view)
        docnum = searcher.document_number(id=entry_id)
        if docnum is None:
            return ()
        fields = searcher.stored_fields(docnum)
        text = f"{fields.get('summary', '')}\n{fields.get('implications', '')}"
        results = searcher.more_like(docnum, "summary", text=text, top=limit, numterms=12)
        return tuple(
            RelatedEntry(id=h["id"], title=h["title"], month=h["month"]) for h in results
        )

    def close(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
            self._local.searcher = None
            self._local.name = None
