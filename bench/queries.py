"""The fixed query mix, and the timing loop both engines go through.

Each query is timed as a whole answer: top 10 hits with highlighted title and snippet, the
total, and the counts of every facet value (topic, type, year) over all matches, with the
product's filter semantics (topics narrow, types and years widen within their group).

Figures per engine:
- cold: the first query on a freshly opened index (a new SearchService, or a new SQLite
  connection) in an already warm process; this is what the first request after an index
  swap pays;
- warm: every query of the mix, `passes` times over, on one long-lived service with the
  answer cache off (each answer computed in full);
- cached (product only): the same mix on a service with the answer cache on, after one
  pass has filled it.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from crawler.vocabulary import EMPIRICAL_STUDY, META_ANALYSIS, REVIEW_CHAPTER


@dataclass(frozen=True)
class Query:
    """One query of the mix; `kind` says what it exercises."""

    name: str
    q: str = ""
    topic: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    sort: str = "relevance"
    kind: str = "word"  # word | and | large | bool | range | field | phrase | filtered | ...
    # For the FTS5 reference, when the query's syntax is not plain words and phrases: its
    # MATCH expression, and a year range (low, high) as a condition on the entry's year.
    fts: str = ""
    years: tuple[str, str] | None = None
    # The instant search's request while a word is typed (`prefix=1`): the last word also
    # matches the words that start with it (FTS5: `word*`, see bench/fts5.py).
    prefix: bool = False

    @property
    def plain(self) -> bool:
        """Plain words only (no filter, no phrase, no typo): totals must agree across engines."""
        return self.kind in ("word", "and", "large", "bool", "range", "field")

    def params(self) -> list[tuple[str, str]]:
        pairs = [("q", self.q)]
        for name in ("topic", "type", "year"):
            pairs.extend((name, v) for v in getattr(self, name))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.prefix:
            pairs.append(("prefix", "1"))
        return pairs

    def path(self) -> str:
        """The /api/search URL of this query (the HTTP load test's request)."""
        return "/api/search?" + urlencode(self.params())

    def request(self):
        from search.records import SearchRequest

        return SearchRequest(q=self.q, topic=self.topic, type=self.type, year=self.year,
                             sort=self.sort, prefix=self.prefix)


MIX: tuple[Query, ...] = (
    # Single words, from the most common to rarer ones.
    Query("therapy (nearly every entry)", "therapy"),
    Query("depression", "depression"),
    Query("anxiety", "anxiety"),
    Query("alliance", "alliance"),
    Query("empathy", "empathy"),
    Query("homework", "homework"),
    Query("mindfulness", "mindfulness"),
    # Several words, all required.
    Query("therapist empathy", "therapist empathy", kind="and"),
    Query("alliance rupture repair", "alliance rupture repair", kind="and"),
    Query("adolescents depression outcomes", "adolescents depression outcomes", kind="and"),
    # Several words, large match sets (thousands of hits at 10k): ranked by a top-k cut.
    Query("alliance outcome", "alliance outcome", kind="large"),
    Query("therapy outcome depression", "therapy outcome depression", kind="large"),
    # Explicit AND / OR.
    Query("alliance AND outcome", "alliance AND outcome", kind="bool"),
    Query("empathy AND therapist", "empathy AND therapist", kind="bool"),
    Query("depression AND relapse AND medication", "depression AND relapse AND medication",
          kind="bool"),
    Query("alliance OR empathy", "alliance OR empathy", fts="alliance OR empathy", kind="bool"),
    # Year ranges in the query.
    Query("dropout year:2013..2030", "dropout year:2013..2030",
          fts='(dropout OR "drop out" OR attrition OR "premature termination")',
          years=("2013", "2030"), kind="range"),
    Query("therapy year:2018..2020", "therapy year:2018..2020", fts="therapy",
          years=("2018", "2020"), kind="range"),
    # Field queries.
    Query("title:alliance", "title:alliance", fts="title : alliance", kind="field"),
    Query("summary:empathy therapist", "summary:empathy therapist",
          fts="(summary : empathy) AND therapist", kind="field"),
    # Phrases.
    Query('"panic disorder"', '"panic disorder"', kind="phrase"),
    Query('"therapeutic alliance"', '"therapeutic alliance"', kind="phrase"),
    Query('"randomized controlled trial" adolescents', '"randomized controlled trial" adolescents',
          kind="phrase"),
    # Words with filters.
    Query("depression +topic", "depression", topic=("Depression and Depressive Symptoms",),
          kind="filtered"),
    Query("alliance +type", "alliance", type=(META_ANALYSIS,), kind="filtered"),
    Query("anxiety +year", "anxiety", year=("2020",), kind="filtered"),
    Query("outcomes +2 topics +type", "outcomes",
          topic=("Efficacy of Treatments", "Therapist Factors"), type=(EMPIRICAL_STUDY,),
          kind="filtered"),
    Query("therapist +2 years +2 types", "therapist", year=("2018", "2019"),
          type=(META_ANALYSIS, REVIEW_CHAPTER), kind="filtered"),
    Query('"panic disorder" +topic', '"panic disorder"', topic=("Anxiety Disorders",),
          kind="filtered"),
    Query("empathy, newest first", "empathy", sort="newest", kind="sorted"),
    # Browsing with an empty query.
    Query("(browse all)", "", kind="browse"),
    Query("(browse) +topic", "", topic=("Trauma and/or PTSD",), kind="browse"),
    Query("(browse) +type +year", "", type=(EMPIRICAL_STUDY,), year=("2024",), kind="browse"),
    # A typo: no match, a "did you mean", and the corrected search.
    Query("depresion (typo)", "depresion", kind="typo"),
    # The instant search, a word being typed (prefix=1): the last word also matches the words
    # starting with it. The product takes at most 12 of them (the commonest) where FTS5's
    # `word*` takes every one, so totals may differ (not `plain`).
    Query("depres… (typing)", "depres", prefix=True, kind="prefix"),
    Query("panic dis… (typing)", "panic dis", prefix=True, kind="prefix"),
    Query("therapeutic alli… (typing)", "therapeutic alli", prefix=True, kind="prefix"),
    Query("mindf… (typing)", "mindf", prefix=True, kind="prefix"),
)


@dataclass
class Answer:
    """What both engines' answers are compared on."""

    total: int
    ids: list[str]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    snippets: int = 0  # hits whose snippet holds a <mark>
    # What a page or an API client gets besides (the FTS5 reference's shown hits with their
    # highlighted title and snippet, and each facet value's count, state and toggle link):
    # sent by the FTS5 server over HTTP, as the product sends its own; not compared.
    hits: list = field(default_factory=list, compare=False, repr=False)
    links: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Timings:
    """Milliseconds per query name: cold, warm (list over passes), cached (list).

    Each in wall-clock time and, in the `_cpu` twin, in CPU time of the process: on a machine
    other work shares, CPU time is what the answer costs, wall time what it took.
    """

    cold: dict[str, float] = field(default_factory=dict)
    warm: dict[str, list[float]] = field(default_factory=dict)
    cached: dict[str, list[float]] = field(default_factory=dict)
    cold_cpu: dict[str, float] = field(default_factory=dict)
    warm_cpu: dict[str, list[float]] = field(default_factory=dict)
    cached_cpu: dict[str, list[float]] = field(default_factory=dict)
    answers: dict[str, dict] = field(default_factory=dict)


def _ms(fn, *args) -> tuple[float, float, object]:
    """(wall ms, CPU ms, result) of one call."""
    cpu = time.process_time()
    started = time.perf_counter()
    out = fn(*args)
    wall = time.perf_counter() - started
    return wall * 1000.0, (time.process_time() - cpu) * 1000.0, out


def run_mix(open_engine, mix=MIX, passes: int = 3, cold: int | None = None,
            open_cached=None) -> Timings:
    """Time the mix on engines made by `open_engine()` (cache off) and `open_cached()`.

    Engines are callables: query -> Answer. `cold` limits how many queries get a cold
    measurement (each needs a freshly opened index); None means all.
    """
    out = Timings()
    engine = open_engine()
    # Warm the process (imports, caches of the analyzers) and record the answers.
    for query in mix:
        out.answers[query.name] = engine(query).__dict__
    for query in mix[:cold] if cold is not None else mix:
        fresh = open_engine()
        out.cold[query.name], out.cold_cpu[query.name], _ = _ms(fresh, query)
        close = getattr(fresh, "close", None)
        if close:
            close()
    for _ in range(passes):
        for query in mix:
            wall, cpu, _ = _ms(engine, query)
            out.warm.setdefault(query.name, []).append(wall)
            out.warm_cpu.setdefault(query.name, []).append(cpu)
    if open_cached is not None:
        cached = open_cached()
        for query in mix:  # fills the cache
            cached(query)
        for _ in range(passes):
            for query in mix:
                wall, cpu, _ = _ms(cached, query)
                out.cached.setdefault(query.name, []).append(wall)
                out.cached_cpu.setdefault(query.name, []).append(cpu)
    return out


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def summarise(samples: list[float]) -> dict:
    if not samples:
        return {}
    return {"n": len(samples), "p50": percentile(samples, 50), "p95": percentile(samples, 95),
            "max": max(samples), "mean": statistics.fmean(samples)}
