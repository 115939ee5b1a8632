"""The records the search layer hands to the CLI and the web: requests in, results out."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields, replace
from urllib.parse import urlencode

from crawler.evidence import Evidence

SORTS = ("relevance", "newest", "oldest", "participants")
FACET_PARAMS = ("topic", "type", "year", "design", "participants")
PER_PAGE_DEFAULT = 10
PER_PAGE_MAX = 100
PAGE_MAX = 1000
QUERY_MAX_CHARS = 2000
# Answers a search service keeps by default (the ANSWER_CACHE setting); 0 turns the cache off.
ANSWER_CACHE = 256


@functools.lru_cache(maxsize=4096)
def encoded_pair(name: str, value: str) -> str:
    """One `name=value` pair of a query string, as urlencode writes it."""
    return urlencode(((name, value),))


@dataclass(frozen=True)
class SearchRequest:
    """Everything that defines one results page; its query string is the page's whole state."""

    q: str = ""
    topic: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    design: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()  # participant band keys (index.schema.PARTICIPANT_BANDS)
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE_DEFAULT
    # Search as you type: the query's last word also matches words starting with it. Never in
    # params(), so a page's address (and a bookmark of it) searches whole words.
    prefix: bool = False

    def params(self, **changed) -> list[tuple[str, str]]:
        """The query-string pairs (of this request with some fields `changed`), defaults left
        out so URLs stay short."""
        get = changed.get
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for name in FACET_PARAMS:
            pairs.extend((name, value) for value in get(name, getattr(self, name)))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if get("page", self.page) != 1:
            pairs.append(("page", str(get("page", self.page))))
        if self.per_page != PER_PAGE_DEFAULT:
            pairs.append(("per_page", str(self.per_page)))
        return pairs

    def query_string(self, **changed) -> str:
        # Pair by pair through a cache: a results page builds one for each facet value shown.
        return "&".join(encoded_pair(name, value) for name, value in self.params(**changed))

    def toggled(self, param: str, value: str) -> "SearchRequest":
        """This request with one facet value switched on or off, back on page 1."""
        return replace(self, **{param: self._toggle(param, value), "page": 1})

    def toggled_query(self, param: str, value: str) -> str:
        """toggled(param, value).query_string(), without making the request: a results page
        needs one for every facet value it shows."""
        return self.query_string(**{param: self._toggle(param, value), "page": 1})

    def toggler(self, param: str):
        """`toggled_query` for many values of one facet group: the pairs of the other groups
        encoded once, not once per value (a results page shows dozens)."""
        head, tail = self._around(param)
        current = getattr(self, param)
        before, after = _parts([*head, *(encoded_pair(param, v) for v in current)], tail)

        def toggle(value: str) -> str:
            if value not in current:
                return f"{before}{encoded_pair(param, value)}{after}"
            return "&".join([*head, *(encoded_pair(param, v) for v in current if v != value),
                             *tail])

        return toggle

    def toggle_parts(self, param: str) -> tuple[str, str]:
        """(before, after): the query string that switches on a value of `param` not selected
        yet is `before + encoded_pair(param, value) + after`; one string made per value
        shown, no list joined for each."""
        head, tail = self._around(param)
        return _parts([*head, *(encoded_pair(param, v) for v in getattr(self, param))], tail)

    def _around(self, param: str) -> tuple[list[str], list[str]]:
        """The encoded pairs before `param`'s in a query string, and those after them."""
        head = [encoded_pair("q", self.q)] if self.q else []
        tail: list[str] = []
        at = head
        for name in FACET_PARAMS:
            if name == param:
                at = tail
                continue
            at.extend(encoded_pair(name, value) for value in getattr(self, name))
        if self.sort != "relevance":
            tail.append(encoded_pair("sort", self.sort))
        if self.per_page != PER_PAGE_DEFAULT:
            tail.append(encoded_pair("per_page", str(self.per_page)))
        return head, tail

    def _toggle(self, param: str, value: str) -> tuple[str, ...]:
        current = getattr(self, param)
        return tuple(v for v in current if v != value) if value in current else current + (value,)

    def cleared(self, *params: str) -> "SearchRequest":
        """This request without the given facet groups' selections (all groups by default)."""
        return replace(self, page=1, **{p: () for p in (params or FACET_PARAMS)})

    def with_query(self, q: str) -> "SearchRequest":
        """Another search with the same filters and order, from its first page."""
        return replace(self, q=q, page=1)

    def at_page(self, page: int) -> "SearchRequest":
        return replace(self, page=page)

    def with_sort(self, sort: str) -> "SearchRequest":
        return replace(self, sort=sort, page=1)

    @property
    def effective_sort(self) -> str:
        """Relevance means nothing without words: an empty query lists newest first."""
        return "newest" if self.sort == "relevance" and not self.q.strip() else self.sort


def _parts(head: list[str], tail: list[str]) -> tuple[str, str]:
    """`head` joined, to stand before one more pair, and `tail` joined, to stand after it."""
    return ("&".join(head) + "&" if head else "", "&" + "&".join(tail) if tail else "")


@dataclass(frozen=True)
class Hit:
    """One entry in a results list, with its highlighted title and snippet (safe HTML)."""

    id: str
    title: str
    title_html: str
    month: str
    url: str
    citation: str
    topics: tuple[str, ...]
    research_type: str
    snippet_html: str
    score: float | None
    snippet_from: str = ""  # "summary" or "implications": where the snippet was taken from
    citation_html: str = ""  # the citation with the query's matches (an author, a journal) marked
    lacking: str = ""  # for most-words matches: the word of the query this entry lacks
    evidence: Evidence | None = None  # None from an index built before evidence was read


_new = object.__new__


@dataclass(frozen=True)
class FacetValue:
    """One clickable value of a facet, with the query string that toggles it."""

    value: str
    count: int
    selected: bool
    toggle: str  # query string of the request with this value toggled
    label: str = ""  # what a person reads; the value itself when empty

    @classmethod
    def of(cls, value: str, label: str, count: int, selected: bool, toggle: str) -> "FacetValue":
        """FacetValue(...) with its fields set in one step, not by a frozen dataclass's one
        object.__setattr__ each: a results page makes ~50 (0.36 us each, not 0.86)."""
        made = _new(cls)
        made.__dict__.update(value=value, count=count, selected=selected, toggle=toggle,
                             label=label)
        return made


@dataclass(frozen=True)
class FacetGroup:
    """A facet's values for the current query."""

    param: str
    label: str
    values: tuple[FacetValue, ...]
    clear: str  # query string without this group's selection


@dataclass(frozen=True)
class Suggestion:
    """A likely correction of the query ("did you mean")."""

    q: str
    html: str


@dataclass(frozen=True)
class Offer:
    """A search that finds something, offered when the query found nothing."""

    q: str
    words: str  # what it searches for, in words ("therapy")
    total: int


@dataclass(frozen=True)
class Interpretation:
    """How the query was understood, for the page to say so."""

    searched: str = ""  # the query as run, in readable form
    expansions: tuple[str, ...] = ()  # e.g. "CBT → cognitive behavioral therapy"
    corrections: tuple[str, ...] = ()
    partial: bool = False  # no entry held every word; entries holding most words are shown
    ignored: tuple[str, ...] = ()  # parts of the query that could not be searched
    fuzzy: tuple[str, ...] = ()  # words the index lacks, matched to their corrections
    missing: tuple[str, ...] = ()  # words no entry holds, so nothing is found
    explained: tuple[str, ...] = ()  # "PTSD: posttraumatic stress disorder", for missing ones
    offers: tuple[Offer, ...] = ()  # searches that find something, when nothing was found


@dataclass(frozen=True)
class SearchResult:
    """One answer: what the API serialises and the page renders."""

    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    facets: tuple[FacetGroup, ...]
    suggestion: Suggestion | None = None
    interpreted: Interpretation = field(default_factory=Interpretation)
    index_version: str = ""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))

    def to_dict(self, base: str = "/") -> dict:
        """The `/api/search` JSON; `base` is the search page's path, for toggle URLs."""
        req = self.request

        def url(qs: str) -> str:
            return f"{base}?{qs}" if qs else base

        link = f"{base}?"  # url(qs), inline for the ~50 facet values

        return {
            "query": req.q,
            "total": self.total,
            "page": req.page,
            "per_page": req.per_page,
            "pages": self.pages,
            "sort": req.sort,
            "hits": [
                {**_fields(hit), "topics": list(hit.topics),
                 "evidence": hit.evidence.to_dict() if hit.evidence else None}
                for hit in self.hits
            ],
            "facets": {
                group.param: [
                    {"value": v.value, "label": v.label or v.value, "count": v.count,
                     "selected": v.selected, "toggle_url": link + v.toggle if v.toggle else base}
                    for v in group.values
                ]
                for group in self.facets
            },
            "suggestion": _fields(self.suggestion) if self.suggestion else None,
            "interpreted": {
                **_fields(self.interpreted),
                "expansions": list(self.interpreted.expansions),
                "corrections": list(self.interpreted.corrections),
                "ignored": list(self.interpreted.ignored),
                "fuzzy": list(self.interpreted.fuzzy),
                "missing": list(self.interpreted.missing),
                "explained": list(self.interpreted.explained),
                "offers": [
                    {**_fields(offer), "url": url(req.with_query(offer.q).query_string())}
                    for offer in self.interpreted.offers
                ],
            },
            "index_version": self.index_version,
        }


def _fields(record) -> dict:
    """A record's fields by name; its values are immutable, so unlike asdict nothing is copied."""
    names = _NAMES.get(type(record))
    if names is None:  # dataclasses.fields() builds its answer on every call: once per class
        names = _NAMES[type(record)] = tuple(f.name for f in fields(record))
    held = record.__dict__
    if len(held) == len(names):  # set by __init__, field by field: copied at once (~1.5 us
        return dict(held)  # less a hit, ten a page)
    return {name: getattr(record, name) for name in names}


_NAMES: dict[type, tuple[str, ...]] = {}
