"""The most expensive queries one can type, beside normal ones: `python -m bench.worst`.

Every query is timed the same way, as its first asking: on a search service whose index is
open (facets and spelling loaded) but whose per-term caches are empty and whose answer cache is
off, so nothing one query read helps the next; then asked again on that service, its per-term
caches warm (the answer cache still off), as on a server that has been answering a while. A query refused as too costly (400) or stopped by
the deadline (503) is timed up to that answer, as a web request would be. The figures kept are
the worst query's time over the normal queries' median, both ways: issue #17 asks for under ~10.
Beside hand-built monsters, it grows a query of each costly kind (common words, phrases, year
ranges, fielded terms, typos, ORs) part by part until the cost budget refuses it, and times the
longest one accepted: the worst a user can actually get run.

    python -m bench.worst --n 10000 --work /tmp/pprsearch-bench --out bench/WORST.md
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

from .generate import CLINICAL, DEFAULT_SEED, FUNCTION_WORDS, archive_file
from .queries import MIX

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3  # each query timed this many times (each on a fresh service); the median is kept

COMMON = [w for w in CLINICAL if " " not in w and "-" not in w]


def worst_queries() -> dict[str, str]:
    """The costliest queries we could build, each within the 2,000 characters a query may have."""
    spans = [(a, a + width) for width in range(13, -1, -1) for a in range(2013, 2027 - width)]
    ranges = " ".join(f"year:{a}..{b}" for a, b in spans[:24])
    phrases = " ".join(f'"{a} {b} {c}"' for a, b, c in zip(
        FUNCTION_WORDS[0:15:3], FUNCTION_WORDS[1:15:3], FUNCTION_WORDS[2:15:3]))
    return {
        "134 x year:2013..2026 (2,535-byte URL)": ("year:2013..2026 " * 134)[:2000].strip(),
        "24 different year ranges": ranges,
        "16 different year ranges": " ".join(ranges.split()[:16]),
        "5 phrases of common words": phrases,
        "32 commonest words": " ".join(COMMON[:32]),
        "32 commonest words, OR": " OR ".join(COMMON[:32]),
        "150 summary: terms": " ".join(f"summary:{w}" for w in (COMMON * 3)[:150])[:2000],
        "fields x common words": " ".join(
            f"{f}:{w}" for f in ("title", "summary", "implications", "citation")
            for w in COMMON[:12])[:2000],
        "synonym expansions": "CBT PTSD BPD IPT PDT STPP MBT DBT EMDR TAU RCT NMA dropout",
        "typos of rare words": "therapz depresion anxeity aliance empaty mindfulnes homewrk",
        "typos of common words": "patiemts treatmemt therapisst sesions symptons outcomees "
                                 "clienst studiess",
        "nested NOT groups": " ".join(f"-({a} OR {b})" for a, b in zip(COMMON[:20:2], COMMON[1:20:2]))
                             + " therapy",
        "phrases of common clinical words": " ".join(
            f'"{a} {b}"' for a, b in zip(COMMON[:16:2], COMMON[1:16:2])),
    }


FAMILIES = {
    "common words": COMMON[:40],
    "phrases of common words": [f'"{a} {b}"' for a, b in zip(COMMON[:60:2], COMMON[1:60:2])],
    "phrases of function words": [f'"{a} {b} {c}"' for a, b, c in zip(
        FUNCTION_WORDS[0::3], FUNCTION_WORDS[1::3], FUNCTION_WORDS[2::3])],
    "year ranges": [f"year:{a}..{a + w}" for w in range(13, -1, -1) for a in range(2013, 2027 - w)],
    "summary: terms": [f"summary:{w}" for w in COMMON],
    "typos of common words": ["patiemts", "treatmemt", "therapisst", "sesions", "symptons",
                              "outcomees", "clienst", "studiess", "resultss", "reserch"],
    "OR of common words": [f"OR {w}" if i else w for i, w in enumerate(COMMON[:40])],
}


def largest_allowed(data: Path) -> dict[str, str]:
    """For each family of costly parts, the longest query of them the cost budget accepts:
    the worst a user can actually get run."""
    from search.errors import QueryTooCostly
    from search.params import parse_request
    from search.service import SearchService

    service = SearchService(data, answer_cache=0)
    out = {}
    for family, parts in FAMILIES.items():
        kept: list[str] = []
        for part in parts:
            q = " ".join(kept + [part])
            try:
                service.search(parse_request(lambda name, q=q: [q] if name == "q" else []))
            except QueryTooCostly:
                break
            kept.append(part)
        if kept:
            out[f"most {family} allowed ({len(kept)})"] = " ".join(kept)
    return out


def normal_queries() -> dict[str, str]:
    return {q.name: q.q for q in MIX if q.q and not q.topic and not q.type and not q.year}


def _time(data: Path, q: str) -> tuple[float, float, str]:
    """(first asking, asked again, outcome) in ms; the second on the same service, its per-term
    caches filled by the first (the answer cache stays off)."""
    from search.errors import SearchError
    from search.params import parse_request
    from search.service import SearchService

    service = SearchService(data, answer_cache=0)
    service.view()  # the index is open, as in a serving process; its caches are empty
    times = []
    for _ in range(2):
        started = time.perf_counter()
        try:
            request = parse_request(lambda name: [q] if name == "q" else [])
            result = service.search(request)
            outcome = f"{result.total} hits"
        except SearchError as exc:
            outcome = f"{type(exc).__name__} ({getattr(exc, 'status', 400)})"
        times.append((time.perf_counter() - started) * 1000)
    return times[0], times[1], outcome


def measure(data: Path) -> dict:
    rows = {}
    worst = {**worst_queries(), **largest_allowed(data)}
    for group, queries in (("normal", normal_queries()), ("worst", worst)):
        for name, q in queries.items():
            cold, warm, outcome = [], [], ""
            for _ in range(RUNS):
                first, again, outcome = _time(data, q)
                cold.append(first)
                warm.append(again)
            rows[name] = {"group": group, "q": q, "ms": round(statistics.median(cold), 1),
                          "warm_ms": round(statistics.median(warm), 1), "outcome": outcome}
            print(f"{group:6} {rows[name]['ms']:8.1f} {rows[name]['warm_ms']:8.1f} ms  {name}: "
                  f"{outcome}", file=sys.stderr)
    out = {"rows": rows}
    for key, label in (("ms", ""), ("warm_ms", "warm_")):
        normal = statistics.median(r[key] for r in rows.values() if r["group"] == "normal")
        worst = max((n for n, r in rows.items() if r["group"] == "worst"), key=lambda n: rows[n][key])
        out.update({f"{label}normal_median_ms": round(normal, 1), f"{label}worst": worst,
                    f"{label}worst_ms": rows[worst][key],
                    f"{label}ratio": round(rows[worst][key] / normal, 1)})
    return out


def render(run: dict) -> str:
    lines = [
        "# Worst queries beside normal ones",
        "",
        f"{run['n']:,} synthetic entries (seed {run['seed']}); {platform.python_version()} on "
        f"{platform.machine()}; {run['date']}. Command: `{run['command']}`.",
        "",
        "Each query timed as its first asking (index open, per-term caches empty, answer cache "
        f"off), median of {RUNS}. A refused query is timed up to its 400/503 answer.",
        "",
        f"**First asking: worst {run['worst']}, {run['worst_ms']} ms = {run['ratio']}x the "
        f"normal queries' median ({run['normal_median_ms']} ms).**",
        "",
        f"**Asked again (per-term caches warm, as on a busy server): worst {run['warm_worst']}, "
        f"{run['warm_worst_ms']} ms = {run['warm_ratio']}x the normal median "
        f"({run['warm_normal_median_ms']} ms).** Target (issue #17): under ~10x.",
        "",
        "| group | query | first ms | again ms | answer |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for name, row in run["rows"].items():
        lines.append(f"| {row['group']} | {name} | {row['ms']} | {row['warm_ms']} | {row['outcome']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worst", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--work", required=True, help="work folder (archives are cached there)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "WORST.md"))
    args = parser.parse_args(argv)
    work = Path(args.work)
    data = work / f"worst-data-{args.seed}-{args.n}"
    if not (data / "index" / "CURRENT").exists():
        from index.ingest import import_paths

        import_paths(data, [archive_file(work, args.n, args.seed)])
    run = measure(data)
    run.update(n=args.n, seed=args.seed, date=time.strftime("%Y-%m-%d"),
               command="python -m bench.worst " + " ".join(argv if argv is not None else sys.argv[1:]))
    out = Path(args.out)
    out.write_text(render(run), encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(run, indent=1), encoding="utf-8")
    print(f"first asking: worst {run['worst']}: {run['worst_ms']} ms = {run['ratio']}x normal "
          f"({run['normal_median_ms']} ms); again: {run['warm_worst']}: {run['warm_worst_ms']} ms "
          f"= {run['warm_ratio']}x ({run['warm_normal_median_ms']} ms) -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
