"""The one entry point the CLI and the web use: a search request in, a whole answer out.

Moving parts: an IndexView per index generation (the opened index and its facet bitsets,
shared by threads), a Whoosh searcher per thread reused across requests and replaced when the
data folder's CURRENT generation changes, and an optional bounded cache of answers keyed by
generation.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from whoosh import query as wq
from whoosh import sorting

from index.analysis import american, name_analyzer, word_index
from index.errors import IndexCorrupt
from index.schema import TEXT_FIELDS
from index.spelling import Spelling
from index.store import Generation, IndexStore

from index import bitsets
from . import cost, deadline
from .compile import compile_query
from .facets import FACETS, FacetData, load_facet_data
from .lru import BoundedCache
from .matchset import MatchSets
from .scoring import TermScores, leaves
from .records import Hit, Interpretation, SearchRequest, SearchResult
from .snippets import Marks, snippet_html, title_html
from .suggest import suggest
from .synonyms import DEFAULT_FILE, Synonyms

log = logging.getLogger(__name__)
_FOLD = name_analyzer()
# Hits by relevance that get the bonus for holding the words close together.
RESCORE_DEPTH = 50
# Entries whose words are kept indexed for snippets (a few KB each), per generation.
WORD_INDEXES = 1024
# A query finding fewer entries than this is offered a "did you mean".
_SUGGEST_BELOW = 3


@dataclass(frozen=True)
class IndexView:
    """One opened index generation and what is cached about it."""

    generation: Generation
    index: object
    facets: FacetData
    matches: MatchSets
    scores: TermScores
    spelling: Spelling
    # Word indexes of shown entries' summaries and implications, for their snippets.
    words: BoundedCache


@dataclass(frozen=True)
class RelatedEntry:
    id: str
    title: str
    month: str


def _near_words(spelling: Spelling, word: str) -> list[str]:
    """The index's unstemmed words one edit from a typed word (same first letter)."""
    folded = [t.text for t in _FOLD(word)]
    if len(folded) != 1:
        return []
    return spelling.within(american(folded[0]), 1)


class SearchService:
    """Searches the current index of one data folder; safe to share between threads."""

    def __init__(self, data_folder: Path | str, answer_cache: int = 256,
                 synonyms_file: Path | str = DEFAULT_FILE):
        self.store = IndexStore(data_folder)
        self.synonyms = Synonyms(synonyms_file)
        self._lock = threading.Lock()
        self._view: IndexView | None = None
        self._local = threading.local()
        self._answers = BoundedCache(int(answer_cache))
        self._rejected: dict[str, str] = {}  # generation -> what its check found wrong

    # Index generations and searchers

    def view(self) -> IndexView:
        """The current generation, opened once per process and swapped when CURRENT moves.

        A generation is verified when opened (sizes and checksums against its build record)
        and its files' sizes are checked before every use; one that fails is never read again
        by this process, and the newest generation that passes serves instead (`health()`).
        """
        name = self.store.current_name()
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
        return IndexView(generation, index, facets, MatchSets(facets.size),
                         TermScores(facets.size), spelling, BoundedCache(WORD_INDEXES))

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
        cost.check(request.q, reader.doc_frequency, view.facets.size, self.synonyms,
                   near=lambda word: _near_words(view.spelling, word))
        key = (view.generation.name, self.synonyms.stamp(), request)
        return self._answers.get(key, lambda: self._search(view, request))

    def _search(self, view: IndexView, request: SearchRequest, corrected_from: str = "") -> SearchResult:
        searcher = self.searcher(view)
        data = view.facets
        reader = searcher.reader()
        compiled = compile_query(
            request.q, self.synonyms,
            known=lambda term: any(reader.doc_frequency(f, term) for f in TEXT_FIELDS),
            near=lambda word: _near_words(view.spelling, word),
        )
        query, partial = compiled.query, False
        matches = view.matches.of(searcher, query)
        if not matches and compiled.partial is not None:
            query, partial = compiled.partial, True
            matches = view.matches.of(searcher, query)

        filters = {f.param: f.filter_bits(request, data) for f in FACETS}

        def within(skip: str | None = None) -> int:
            bits = matches
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
            suggestion = suggest(view.spelling, request.q, compiled.words)
            if suggestion and total == 0:
                fixed = self._search(view, replace(request, q=suggestion.q), corrected_from=request.q)
                if fixed.total:
                    return replace(fixed, request=request)
        marks = Marks(frozenset(compiled.highlight), frozenset(compiled.highlight_phrases))
        hits = self._hits(searcher, view, request, query, compiled.proximity, marks, shown)
        interpreted = Interpretation(
            searched=request.q,
            expansions=tuple(compiled.expansions),
            corrections=(f"{corrected_from} → {request.q}",) if corrected_from else (),
            fuzzy=tuple(compiled.fuzzy),
            partial=partial,
            ignored=tuple(compiled.ignored),
        )
        return SearchResult(
            request=request, total=total, hits=hits, facets=groups, suggestion=suggestion,
            interpreted=interpreted, index_version=view.generation.name,
        )

    def _hits(self, searcher, view, request, query, proximity, marks, shown) -> tuple[Hit, ...]:
        start = (request.page - 1) * request.per_page
        if start >= shown.bit_count():
            return ()
        end = start + request.per_page
        ranked = self._ranked(searcher, view, request, query, proximity, shown, end)[start:end]
        hits = []
        for docnum, score in ranked:
            deadline.check()
            fields = searcher.stored_fields(docnum)
            summary, implications = fields.get("summary", ""), fields.get("implications", "")
            indexes = (view.words.get((docnum, 0), lambda: word_index(summary)),
                       view.words.get((docnum, 1), lambda: word_index(implications)))
            hits.append(Hit(
                id=fields["id"],
                title=fields["title"],
                title_html=title_html(fields["title"], marks),
                month=fields["month"],
                url=fields.get("url", ""),
                citation=fields.get("citation", ""),
                topics=tuple(fields.get("topic_names", ())),
                research_type=fields.get("research_type", ""),
                snippet_html=snippet_html(summary, implications, marks, indexes),
                score=round(score, 3) if score else None,
            ))
        return tuple(hits)

    def _ranked(self, searcher, view, request, query, proximity, shown, limit
                ) -> list[tuple[int, float | None]]:
        """The first `limit` (docnum, score) pairs in the request's order.

        By relevance, the top RESCORE_DEPTH by the query's own score get the proximity bonus
        (their words close together) in a second, small pass: scoring phrases over every match
        would cost two to three times the whole search.
        """
        filters = [q for q in (f.filter_query(request) for f in FACETS) if q is not None]
        filter_query = wq.And(filters) if filters else None
        sort = request.effective_sort
        if sort != "relevance" and view.generation.newest_first:
            return [(d, None) for d in bitsets.first(shown, limit, reverse=sort == "oldest")]
        if sort != "relevance":
            order = sorting.MultiFacet([
                sorting.FieldFacet("month", reverse=sort == "newest"),
                sorting.FieldFacet("id"),
            ])
            results = searcher.search(query, limit=limit, sortedby=order, filter=filter_query)
            return [(hit.docnum, None) for hit in results]
        depth = max(limit, RESCORE_DEPTH)
        terms = leaves(query)
        if terms is not None:
            scores = dict(view.scores.top(searcher, terms, shown, depth))
        else:
            results = searcher.search(query, limit=depth, filter=filter_query)
            scores = {hit.docnum: hit.score for hit in results}
        if proximity and scores:
            for docnum, bonus in view.scores.proximity(searcher, proximity, scores).items():
                scores[docnum] += bonus
        ranked = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
        return ranked[:limit]

    # Entries

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
