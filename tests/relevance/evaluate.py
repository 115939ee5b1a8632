"""Relevance report: the judged queries run against the sample page plus the test corpus.

Run from the repository root:

    python -m tests.relevance.evaluate [--show-heldout]

It imports sample/pprnet-blog-page.txt (six real entries) and tests/relevance/corpus.jsonl
(fictional entries written for these tests) into a temporary data folder, runs every judged query
through SearchService with the answer cache off, and reports two parts separately:

- the tuned part, judgments.toml: MRR, nDCG@10, recall@10, misses and false finds per category
  and overall, then every query that misses;
- the held-out part, heldout.toml, never tuned against: the same summary table and the number of
  misses only; its per-query details are printed only with --show-heldout.

A false find is an `expect_nothing` query that found something (total > 0): the confident wrong
answer the engine must never give. A miss is:

- the first relevant entry (grade 1 or 2) is not in the top 3, or nothing relevant is found;
- an `expect_nothing` query finds something;
- an entry judged `forbidden` for the query is among its results;
- an expected "did you mean" (`suggest`) is neither offered nor applied;
- the search raised instead of answering.

The script is a report: it always exits 0. tests/test_relevance.py turns misses into failures.
"""

from __future__ import annotations

import math
import sys
import tempfile
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from index.ingest import import_paths
from search.records import SearchRequest
from search.service import SearchService

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SAMPLE = ROOT / "sample" / "pprnet-blog-page.txt"
CORPUS = HERE / "corpus.jsonl"
JUDGMENTS = HERE / "judgments.toml"
HELDOUT = HERE / "heldout.toml"  # never tuned against: only its totals are reported

TOP = 3  # the first relevant entry must rank within the top TOP
K = 10  # cut-off for nDCG and recall
FETCH = 100  # results looked at per query (the API's per_page maximum; the corpus is smaller)

CATEGORIES = (
    "plain topic", "abbreviation", "spelling", "hyphen", "typo", "author", "phrase",
    "question", "field/operator", "nothing",
)


@dataclass(frozen=True)
class Judgment:
    """One query and what a clinician would want back."""

    q: str
    category: str
    relevant: Mapping[str, int] = field(default_factory=dict)  # id -> 2 ideal, 1 also relevant
    expect_nothing: bool = False
    forbidden: tuple[str, ...] = ()
    suggest: str = ""  # words an offered or applied correction must contain
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.category}: {self.q}"


@dataclass
class Outcome:
    """What the engine answered to one judged query, and how that scores."""

    judgment: Judgment
    ranked: list[str]  # ids, best first (at most FETCH)
    titles: dict[str, str]
    total: int = 0
    suggestion: str = ""
    corrections: tuple[str, ...] = ()
    expansions: tuple[str, ...] = ()
    partial: bool = False
    error: str = ""

    def __repr__(self) -> str:
        return f"<Outcome {self.judgment.label!r}: {self.total} results, first relevant {self.first_rank}>"

    @property
    def false_find(self) -> bool:
        """An expect_nothing query that found something."""
        return self.judgment.expect_nothing and not self.error and self.total > 0

    # Scores

    @property
    def first_rank(self) -> int | None:
        """1-based rank of the first relevant entry, None when none was found."""
        for rank, entry_id in enumerate(self.ranked, 1):
            if self.judgment.relevant.get(entry_id, 0) > 0:
                return rank
        return None

    @property
    def rr(self) -> float:
        if self.error:
            return 0.0
        if self.judgment.expect_nothing:
            return 1.0 if self.total == 0 else 0.0
        rank = self.first_rank
        return 1.0 / rank if rank else 0.0

    @property
    def ndcg(self) -> float:
        if self.error:
            return 0.0
        if self.judgment.expect_nothing:
            return 1.0 if self.total == 0 else 0.0
        grades = self.judgment.relevant
        dcg = sum(
            (2 ** grades.get(entry_id, 0) - 1) / math.log2(i + 2)
            for i, entry_id in enumerate(self.ranked[:K])
        )
        ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:K]
        idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        return dcg / idcg if idcg else 0.0

    @property
    def recall(self) -> float:
        if self.error:
            return 0.0
        if self.judgment.expect_nothing:
            return 1.0 if self.total == 0 else 0.0
        wanted = {i for i, g in self.judgment.relevant.items() if g > 0}
        if not wanted:
            return 0.0
        return len(wanted & set(self.ranked[:K])) / len(wanted)

    # Misses

    @property
    def problems(self) -> list[str]:
        j = self.judgment
        found: list[str] = []
        if self.error:
            return [f"the search raised {self.error}"]
        if j.expect_nothing:
            if self.total:
                found.append(f"expected nothing, found {self.total}")
        else:
            rank = self.first_rank
            if rank is None:
                found.append(f"no relevant entry found ({self.total} results)")
            elif rank > TOP:
                found.append(f"first relevant entry at rank {rank}")
        leaked = [entry_id for entry_id in j.forbidden if entry_id in self.ranked]
        if leaked:
            found.append("forbidden entries found: " + ", ".join(
                f"{entry_id} (rank {self.ranked.index(entry_id) + 1})" for entry_id in leaked
            ))
        if j.suggest:
            offered = " ".join((self.suggestion, *self.corrections)).lower()
            missing = [w for w in j.suggest.lower().split() if w not in offered]
            if missing:
                found.append(
                    f"no 'did you mean' with {j.suggest!r} (suggestion: {self.suggestion or 'none'}"
                    f"; corrections: {', '.join(self.corrections) or 'none'})"
                )
        return found

    def describe(self, show: int = TOP) -> str:
        """A readable account of the answer, for reports and assertion messages."""
        j = self.judgment
        lines = [f"[{j.category}] {j.q!r}: " + "; ".join(self.problems or ["ok"])]
        if j.note:
            lines.append(f"    note: {j.note}")
        if self.error:
            return "\n".join(lines)
        how = []
        if self.expansions:
            how.append("expanded " + " | ".join(self.expansions))
        if self.corrections:
            how.append("corrected " + " | ".join(self.corrections))
        if self.suggestion:
            how.append(f"suggested {self.suggestion!r}")
        if self.partial:
            how.append("fell back to most words")
        lines.append(f"    {self.total} results" + (f"; {'; '.join(how)}" if how else ""))
        for rank, entry_id in enumerate(self.ranked[:show], 1):
            grade = j.relevant.get(entry_id, 0)
            mark = "FORBIDDEN" if entry_id in j.forbidden else f"grade {grade}"
            lines.append(f"    {rank}. [{mark}] {entry_id}")
        wanted = sorted((g, i) for i, g in j.relevant.items() if g > 0)
        placed = []
        for grade, entry_id in sorted(wanted, key=lambda p: (-p[0], p[1])):
            where = self.ranked.index(entry_id) + 1 if entry_id in self.ranked else None
            if where is None or where > show:
                placed.append(f"{entry_id} (grade {grade}) at {where or 'not found'}")
        if placed:
            lines.append("    relevant further down: " + "; ".join(placed))
        return "\n".join(lines)


@dataclass(frozen=True)
class Summary:
    n: int
    mrr: float
    ndcg: float
    recall: float
    misses: int
    false_finds: int = 0  # expect_nothing queries that found something
    nothing: int = 0  # expect_nothing queries

    @classmethod
    def of(cls, outcomes: list[Outcome]) -> "Summary":
        n = len(outcomes)
        if not n:
            return cls(0, 0.0, 0.0, 0.0, 0)
        return cls(
            n=n,
            mrr=sum(o.rr for o in outcomes) / n,
            ndcg=sum(o.ndcg for o in outcomes) / n,
            recall=sum(o.recall for o in outcomes) / n,
            misses=sum(1 for o in outcomes if o.problems),
            false_finds=sum(1 for o in outcomes if o.false_find),
            nothing=sum(1 for o in outcomes if o.judgment.expect_nothing),
        )


@dataclass
class Report:
    outcomes: list[Outcome]
    title: str = "Relevance over the sample page and tests/relevance/corpus.jsonl"

    def __repr__(self) -> str:
        s = self.overall()
        return f"<Report {s.n} queries, MRR {s.mrr:.3f}, {s.misses} misses, {s.false_finds} false finds>"

    def overall(self) -> Summary:
        return Summary.of(self.outcomes)

    def by_category(self) -> dict[str, Summary]:
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in self.outcomes:
            groups[outcome.judgment.category].append(outcome)
        order = [c for c in CATEGORIES if c in groups] + sorted(set(groups) - set(CATEGORIES))
        return {c: Summary.of(groups[c]) for c in order}

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.problems]

    def false_finds(self) -> list[Outcome]:
        """The expect_nothing queries that found something."""
        return [o for o in self.outcomes if o.false_find]

    def outcome_for(self, judgment: Judgment) -> Outcome:
        for outcome in self.outcomes:
            if outcome.judgment is judgment or outcome.judgment == judgment:
                return outcome
        raise KeyError(judgment.label)

    def format_summary(self) -> str:
        """Per-category figures and the overall row; false finds are shown as found/judged
        (expect_nothing queries that found something / expect_nothing queries), "-" when the
        category has no expect_nothing query."""
        rows = [f"{'category':<16} {'queries':>7} {'MRR':>6} {'nDCG@10':>8} {'recall@10':>9} "
                f"{'misses':>6} {'false finds':>11}"]
        for name, s in [*self.by_category().items(), ("overall", self.overall())]:
            if name == "overall":
                rows.append("-" * len(rows[0]))
            finds = f"{s.false_finds}/{s.nothing}" if s.nothing else "-"
            rows.append(
                f"{name:<16} {s.n:>7} {s.mrr:>6.3f} {s.ndcg:>8.3f} {s.recall:>9.3f} {s.misses:>6} "
                f"{finds:>11}"
            )
        return "\n".join(rows)

    def format_totals(self) -> str:
        """One line: the figures a held-out part may be judged on."""
        s = self.overall()
        return (f"{s.n} queries, MRR {s.mrr:.3f}, nDCG@10 {s.ndcg:.3f}, recall@10 {s.recall:.3f}; "
                f"{s.misses} misses; false finds {s.false_finds} of {s.nothing} "
                f"should-find-nothing queries")

    def format(self, details: bool = True) -> str:
        """The summary table, the totals and, with `details`, every query that misses."""
        parts = [self.title, "", self.format_summary(), "", self.format_totals(), ""]
        misses = self.misses()
        if not details:
            parts.append(f"Misses: {len(misses)} of {len(self.outcomes)} queries "
                         "(per-query details not shown)")
            return "\n".join(parts)
        parts.append(f"Misses ({len(misses)} of {len(self.outcomes)} queries):")
        if not misses:
            parts.append("    none")
        parts.extend(o.describe() for o in misses)
        return "\n".join(parts)


def load_judgments(path: Path | str = JUDGMENTS) -> list[Judgment]:
    """The judged queries, in file order."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    judgments = []
    for number, raw in enumerate(data.get("query", []), 1):
        q, category = raw.get("q"), raw.get("category")
        if not isinstance(q, str) or not isinstance(category, str):
            raise ValueError(f"{path}: query {number} needs q and category")
        relevant = {str(k): int(v) for k, v in raw.get("relevant", {}).items()}
        if any(g not in (1, 2) for g in relevant.values()):
            raise ValueError(f"{path}: query {q!r}: grades are 1 or 2")
        expect_nothing = bool(raw.get("expect_nothing", False))
        if expect_nothing == bool(relevant):
            raise ValueError(f"{path}: query {q!r}: give relevant entries or expect_nothing, not both")
        judgments.append(Judgment(
            q=q, category=category, relevant=relevant, expect_nothing=expect_nothing,
            forbidden=tuple(raw.get("forbidden", ())), suggest=raw.get("suggest", ""),
            note=raw.get("note", ""),
        ))
    return judgments


def load_heldout(path: Path | str = HELDOUT) -> list[Judgment]:
    """The held-out judged queries (never tuned against), in file order."""
    return load_judgments(path)


def check_split(tuned: list[Judgment], heldout: list[Judgment]) -> list[str]:
    """Queries judged twice in one part, or in both parts whatever their letter case (a held-out
    query must not be tuned on)."""
    problems = []
    for part, judgments in (("judgments.toml", tuned), ("heldout.toml", heldout)):
        seen: set[str] = set()
        for j in judgments:
            key = " ".join(j.q.split())
            if key in seen:
                problems.append(f"{j.q!r} is judged twice in {part}")
            seen.add(key)
    tuned_keys = {" ".join(j.q.lower().split()) for j in tuned}
    problems.extend(f"{j.q!r} is judged in judgments.toml and again in heldout.toml"
                    for j in heldout if " ".join(j.q.lower().split()) in tuned_keys)
    return problems


def build_corpus(folder: Path | str) -> SearchService:
    """Import the sample page and the test corpus into `folder`; a search service over it."""
    report = import_paths(folder, [SAMPLE, CORPUS])
    if report.problems:
        raise ValueError("the relevance corpus did not import cleanly:\n" + "\n".join(report.problems))
    return SearchService(folder, answer_cache=0)


def run_one(service: SearchService, judgment: Judgment) -> Outcome:
    try:
        result = service.search(SearchRequest(q=judgment.q, per_page=FETCH))
    except Exception as exc:  # a malformed query must never error: record it as a miss
        return Outcome(judgment, [], {}, error=f"{type(exc).__name__}: {exc}")
    info = result.interpreted
    return Outcome(
        judgment=judgment,
        ranked=[hit.id for hit in result.hits],
        titles={hit.id: hit.title for hit in result.hits},
        total=result.total,
        suggestion=result.suggestion.q if result.suggestion else "",
        corrections=tuple(info.corrections),
        expansions=tuple(info.expansions),
        partial=info.partial,
    )


def evaluate(service: SearchService, judgments: list[Judgment], title: str = "") -> Report:
    """Run every judged query and score the answers."""
    report = Report([run_one(service, j) for j in judgments])
    if title:
        report.title = title
    return report


def check_judgments(service: SearchService, judgments: list[Judgment]) -> list[str]:
    """Judged ids that are not in the corpus (a typo in judgments.toml)."""
    result = service.search(SearchRequest(q="", per_page=FETCH))
    known = {hit.id for hit in result.hits}
    unknown = []
    for j in judgments:
        for entry_id in (*j.relevant, *j.forbidden):
            if entry_id not in known:
                unknown.append(f"{j.label}: unknown id {entry_id}")
    return unknown


TUNED_TITLE = "Tuned part (judgments.toml): relevance over the sample page and tests/relevance/corpus.jsonl"
HELDOUT_TITLE = "Held-out part (heldout.toml, never tuned against): totals only"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    unknown = [a for a in args if a != "--show-heldout"]
    if unknown:
        print(f"usage: python -m tests.relevance.evaluate [--show-heldout] (unknown: {' '.join(unknown)})",
              file=sys.stderr)
        return 2
    show_heldout = "--show-heldout" in args
    judgments, heldout = load_judgments(), load_heldout()
    for line in check_split(judgments, heldout):
        print(f"warning: {line}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="pprnet-relevance-") as folder:
        service = build_corpus(folder)
        try:
            for line in check_judgments(service, judgments + heldout):
                print(f"warning: {line}", file=sys.stderr)
            report = evaluate(service, judgments, TUNED_TITLE)
            held = evaluate(service, heldout, HELDOUT_TITLE if not show_heldout else
                            "Held-out part (heldout.toml, never tuned against): shown with --show-heldout")
        finally:
            service.close()
    print(report.format())
    print()
    print("=" * 78)
    print(held.format(details=show_heldout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
