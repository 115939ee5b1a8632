"""bench/RESULTS.md from a run's figures: targets, figures per size beside FTS5, per query."""

from __future__ import annotations

import platform
import re
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path

from .queries import MIX, percentile, summarise

ROOT = Path(__file__).resolve().parent.parent

# What stands in the way of each target the product misses, and what was tried: from the
# profiles at the end of RESULTS.md and the stage timings in bench/README.md ("Findings").
NOTES = {
    "p95_10k_ratio": (
        "The tail is multi-word and phrase queries: summing several terms' score arrays over "
        "every match, and the proximity bonus for the top 50. Done: match sets from cached "
        "per-term bitsets, scores from cached per-term arrays, postings read a block at a time."
    ),
    "p95_1k": (
        "Per answer a fixed cost remains: compiling the query with its synonyms, ten stored "
        "entries read and their snippets marked, the facet links built."
    ),
    "p95_100k": (
        "At 100k the tail is the first use of a frequent term or phrase in a generation: "
        "reading its postings (tens of thousands of documents) into a bitset and a score "
        "array. Warm answers reuse them."
    ),
    "cold_10k": (
        "After a swap the first query opens the generation (its files' stats against the "
        "stamp of their last good checksums, the facet bitsets and spelling table loaded), "
        "then reads its terms' postings, each decoded once (Whoosh's zlib and pickle per "
        "block) into the bitsets and score arrays later queries reuse; phrases check "
        "positions of every document holding all their words."
    ),
    "reindex_1k": (
        "Below 2,000 entries the build runs in one process: analysis in Python and Whoosh's "
        "block encoding are most of it."
    ),
    "reindex_10k": (
        "Whoosh's writer (posting pool, position encoding, stored fields) is most of the "
        "build; under the load average shown it is slower. Next: positions only where phrases "
        "are searched, fewer stored bytes."
    ),
    "rss_10k": (
        "Each thread keeps its own Whoosh searcher and each generation its caches; serve with "
        "1-2 threads per worker (the default is 2)."
    ),
    "shapes": (
        "At 1k the fixed part of an answer (ten entries' snippets marked, phrases checked in "
        "them, facet counts and links for five groups) is most of it, so a shape that marks a "
        "phrase in few matches (the filtered phrase) sits at FTS5's figure; per shape the "
        "figures are p50 of 3 passes, noisy to ±30% on this shared machine. Done: top-k cut, "
        "positions, stored fields, word indexes and document frequencies kept per generation, "
        "snippets rendered only for the passage shown, phrase marking without regexes for "
        "plain gaps (bench/README.md)."
    ),
    "reindex_rate_10k": (
        "The build's CPU is close to the limit on two cores (~1.5 ms an entry in all "
        "processes: analysis in Python, Whoosh's block encoding with zlib); with other work "
        "on the machine the workers get less than two cores. See the CPU beside, and "
        "bench/README.md, \"Reindex\"."
    ),
    "http_shapes": (
        "At this size a request is mostly fixed cost (gunicorn, Flask, the product's layers, "
        "a ~22 KB JSON body against FTS5's ~13 KB), and between two of its requests the other "
        "server runs, so each answer starts with cold CPU caches, which costs the product's "
        "Python more than FTS5's C; the server CPU columns say how far apart the two are. "
        "bench/README.md has the profile of one request and what was cut."
    ),
    "http_1k": (
        "With the answer cache on the server gives {cached_rps:.0f} req/s, so the web layer "
        "is not the limit: each answer's few ms of CPU on 2 cores shared with wrk is, and "
        "queueing behind the slower answers sets p99."
    ),
}


def _run(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                              timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def environment() -> dict:
    """The machine and the versions the figures were measured with."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    import os

    wrk = _run(["wrk", "--version"]).splitlines()
    commit = _run(["git", "rev-parse", "--short", "HEAD"])
    dirty = _run(["git", "status", "--porcelain", "--", "crawler", "index", "search", "webui"])
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory": memory,
        "os": platform.platform(), "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version, "whoosh": version("whoosh-reloaded"),
        "flask": version("flask"), "gunicorn": version("gunicorn"),
        "wrk": " ".join(wrk[0].split()[:2]) if wrk else "not installed",
        "commit": commit + (" (product code with uncommitted changes)" if dirty else ""),
    }


# Formatting


def _f(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _ratio(a, b) -> str:
    if a is None or b is None or not b:
        return "–"
    return f"{a / b:.1f}×"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def _samples(timings: dict, key: str) -> list[float]:
    return [t for ts in timings.get(key, {}).values() for t in ts]


def figures(size: dict) -> dict:
    """The headline numbers of one size, computed from its raw measurements."""
    p, f = size["product_queries"], size["fts5_queries"]
    imp, rei, fb = size["product_import"], size["product_reindex"], size["fts5_build"]
    n = size["n"]
    load = size.get("load", {})
    worker = [x.get("worker_peak_rss_mb") for x in load.values() if x]
    out = {
        "n": n,
        "import_s": imp["seconds"], "reindex_s": rei["seconds"], "fts5_build_s": fb["seconds"],
        "reindex_cpu": rei.get("cpu_seconds"), "fts5_build_cpu": fb.get("cpu_seconds"),
        "reindex_processes": rei.get("processes", 1),
        "index_rate": n / (imp["seconds"] + rei["seconds"]), "fts5_rate": n / fb["seconds"],
        "index_mb": rei["index_mb"], "fts5_mb": fb["index_mb"],
        "build_rss": max(imp["peak_rss_mb"], rei["peak_rss_mb"]),
        "fts5_build_rss": fb["peak_rss_mb"],
        "query_rss": p["peak_rss_mb"], "fts5_query_rss": f["peak_rss_mb"],
        "worker_rss": max([w for w in worker if w] + [p["peak_rss_mb"]]),
        "load": load,
        "loadavg": max(x for part in (imp, rei, fb, p, f) for x in part.get("loadavg", [0])),
    }
    http = size.get("http_shapes") or {}
    out["http_shapes"] = {name: (percentile(times, 95), percentile(http["fts5"][name], 95))
                          for name, times in http.get("product", {}).items()
                          if http["fts5"].get(name)}
    out["http_rounds"] = http.get("rounds")
    key = "warm_cpu" if "warm_cpu" in p else "warm"
    out["shapes"] = {name: (summarise(times)["p50"], summarise(f[key][name])["p50"])
                     for name, times in p.get(key, {}).items() if f.get(key, {}).get(name)}
    for suffix in ("", "_cpu"):
        out["warm_p" + suffix] = summarise(_samples(p, "warm" + suffix))
        out["warm_f" + suffix] = summarise(_samples(f, "warm" + suffix))
        out["cached" + suffix] = summarise(_samples(p, "cached" + suffix))
        out["cold_p" + suffix] = summarise(list(p.get("cold" + suffix, {}).values()))
        out["cold_f" + suffix] = summarise(list(f.get("cold" + suffix, {}).values()))
    return out


def targets(by_n: dict[int, dict]) -> list[tuple]:
    """(id, target, product, FTS5, ratio, met) for each target whose size was run.

    Latency and build targets are judged on CPU time (what the work costs: other sessions
    share this machine); the wall-clock figure of the same run is shown beside it.
    """
    rows = []

    def add(key, label, g, pkey, fkey, stat, limit, unit="ms", relative=False):
        cpu_p, cpu_f = _get(g, pkey + "_cpu", stat), _get(g, fkey + "_cpu", stat)
        wall_p, wall_f = _get(g, pkey, stat), _get(g, fkey, stat)
        value = cpu_p if cpu_p is not None else wall_p
        fts = cpu_f if cpu_f is not None else wall_f
        met = value <= limit * fts if relative else value < limit
        rows.append((key, label, f"{_f(value)} {unit} CPU ({_f(wall_p)} wall)",
                     f"{_f(fts)} {unit} CPU ({_f(wall_f)} wall)", _ratio(value, fts), met))

    if 10000 in by_n:
        g = by_n[10000]
        add("p95_10k_ratio", "10k: whole answer p95 ≤ 2× FTS5", g, "warm_p", "warm_f", "p95", 2,
            relative=True)
        add("cold_10k", "10k: cold first query after a swap (p95) < 100 ms", g, "cold_p",
            "cold_f", "p95", 100)
        add("reindex_10k", "10k: full reindex < 40 s", g, "reindex", "fts5_build", None, 40, "s")
        rows.append(("rss_10k", "10k: serving worker peak memory < 300 MB",
                     f"{_f(g['worker_rss'])} MB", f"{_f(g['fts5_query_rss'])} MB",
                     _ratio(g["worker_rss"], g["fts5_query_rss"]), g["worker_rss"] < 300))
    if 1000 in by_n:
        g = by_n[1000]
        add("p95_1k", "1k: whole answer p95 < 10 ms", g, "warm_p", "warm_f", "p95", 10)
        add("reindex_1k", "1k: full reindex < 5 s", g, "reindex", "fts5_build", None, 5, "s")
        load = g["load"].get("off")
        if load:
            met = load["rps"] >= 300 and load["p99_ms"] < 100 and load["errors"] == 0
            rows.append(("http_1k", "1k HTTP: ≥ 300 req/s, p99 < 100 ms, no errors",
                         f"{load['rps']:.0f} req/s, p99 {load['p99_ms']:.0f} ms, "
                         f"{load['errors']} errors", "–", "–", met))
    if 100000 in by_n:
        g = by_n[100000]
        add("p95_100k", "100k: whole answer p95 < 500 ms", g, "warm_p", "warm_f", "p95", 500)
    # Issue #18: every query shape at or below FTS5, at each size; reindex >= 1,000 entries/s.
    for n, g in by_n.items():
        found = _above(g.get("shapes"), "{:.1f}")
        if found:
            rows.append(("shapes", f"{n // 1000}k: every query of the mix ≤ FTS5 "
                         f"(warm p50 CPU, per query)", found[0], "–", "–", found[1]))
    for n, g in by_n.items():  # the same over HTTP, each query's p95 over the rounds
        found = _above(g.get("http_shapes"), "{:.2f}")
        if found:
            rows.append(("http_shapes", f"{_size(n)}: every query of the mix ≤ FTS5 p95 over "
                         f"HTTP (wall, per query, {g['http_rounds']} rounds)", found[0], "–", "–",
                         found[1]))
    if 10000 in by_n:
        g = by_n[10000]
        # Judged on the wall clock, what an admin waits: the build works in several processes
        # (their CPU together, the cost of the work, is shown beside).
        rate = g["n"] / g["reindex_s"]
        cpu = (f"; {g['reindex_cpu']:,.1f} s CPU in {g['reindex_processes']} processes"
               if g.get("reindex_cpu") else "")
        rows.append(("reindex_rate_10k", "10k: reindex ≥ 1,000 entries/s (wall clock)",
                     f"{rate:,.0f} entries/s ({g['reindex_s']:,.1f} s{cpu})",
                     f"{g['n'] / g['fts5_build_s']:,.0f} entries/s", "–", rate >= 1000))
    return rows


def _size(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else f"{n:,}"


def _above(shapes: dict | None, ratio: str) -> tuple[str, bool] | None:
    """How many queries (name -> (product, FTS5)) are above FTS5, the worst named; and whether
    none is. None when the size has no such figures."""
    if not shapes:
        return None
    above = sorted(((a / b, name) for name, (a, b) in shapes.items() if b and a > b),
                   reverse=True)
    worst = f"; worst {above[0][1]} {ratio.format(above[0][0])}×" if above else ""
    return f"{len(above)} of {len(shapes)} above FTS5{worst}", not above


def _get(g: dict, key: str, stat: str | None):
    """A figure: g[key][stat] for latency summaries, g[key + '_s'|'_cpu'] for builds."""
    if stat is None:  # build figures: reindex_s / reindex_cpu, fts5_build_s / fts5_build_cpu
        return g.get(key if key.endswith("_cpu") else key + "_s")
    summary = g.get(key) or {}
    return summary.get(stat)


def _http_table(run: dict) -> list[str]:
    """The per-query table over HTTP: each query's p95 in both servers, and server CPU."""
    sizes = [s for s in run["sizes"] if s.get("http_shapes")]
    if not sizes:
        return []
    lines = ["", "## Per query over HTTP (p95 of wall ms per request, cache off)", "",
             "`pprsearch serve --workers 1 --threads 1` (answer cache off) beside the FTS5 "
             "reference served by Flask under gunicorn (one worker, one thread, the same "
             "`Fts5Search` work as in process, its whole answer as JSON: total, shown hits with "
             "highlighted title and snippet, facet counts with toggle links, did-you-mean), both "
             "on 127.0.0.1, connections closed after each response. Each query of the "
             "mix is asked of each server in turn, one request at a time, after one warming "
             "round: "
             + ", ".join(f"{s['http_shapes']['rounds']} rounds at {s['n']:,}" for s in sizes)
             + ". p95 is the wall-clock time the client saw (nearest rank over the rounds); "
             "server CPU is the worker process's CPU per request (median), which other work on "
             "the machine does not inflate. Load average during the runs: "
             + ", ".join(f"{max(s['http_shapes']['loadavg']):.1f} at {s['n']:,}" for s in sizes)
             + ".", ""]
    header = ["query", "kind"]
    for s in sizes:
        header += [f"{s['n']:,}: product p95", "FTS5 p95", "ratio", "server CPU product",
                   "FTS5"]
    rows = []
    for q in MIX:
        row = [q.name.replace("|", "\\|"), q.kind]
        for s in sizes:
            h = s["http_shapes"]
            if q.name not in h["product"]:
                row += ["–"] * 5
                continue
            a, b = percentile(h["product"][q.name], 95), percentile(h["fts5"][q.name], 95)
            row += [_f(a), _f(b), f"{a / b:.2f}×" + (" **above**" if a > b else ""),
                    _f(percentile(h["product_cpu"][q.name], 50)),
                    _f(percentile(h["fts5_cpu"][q.name], 50))]
        rows.append(row)
    lines += _table(header, rows)
    return lines


def render(run: dict) -> str:
    env = run["environment"]
    by_n = {size["n"]: figures(size) for size in run["sizes"]}
    lines = [
        "# Benchmark: PPRNet Search (Whoosh) beside SQLite FTS5",
        "",
        "Written by the benchmark runner; reproduce with:",
        "",
        "```",
        run["command"],
        "```",
        "",
        *([run["note"], ""] if run.get("note") else []),
        f"Run {run['started']} – {run['finished']} ({run['wall_minutes']:.0f} min). "
        f"Machine: {env['cpu']}, {env['cores']} cores, {env['memory']}; {env['os']}. "
        f"Python {env['python']}, SQLite {env['sqlite']}, whoosh-reloaded {env['whoosh']}, "
        f"Flask {env['flask']}, gunicorn {env['gunicorn']}, {' '.join(env['wrk'].split()[:2])}. "
        f"Product at commit {env['commit']}. Synthetic archive seed {run['seed']}.",
        "",
        "All product latencies are with the answer cache off (`answer_cache=0`, "
        "`PPRSEARCH_ANSWER_CACHE=0`): each timed answer is computed in full. The cached "
        "column is the same mix with the cache on, after one pass filled it. A whole answer is "
        "the top 10 (highlighted title, snippet), the total, and every facet count over all "
        "matches. Warm = one long-lived service, the mix run "
        + ", ".join(f"{s['passes']}× at {s['n']:,}" for s in run["sizes"])
        + "; cold = the first query on a freshly opened index in a warm process (what the "
        "first request after a swap pays), one per query of the mix "
        + ", ".join(f"({s['cold'] or len(MIX)} at {s['n']:,})" for s in run["sizes"]) + ".",
        "",
        "## Targets",
        "",
    ]
    rows = []
    cached_rps = (by_n.get(1000, {}).get("load", {}).get("on") or {}).get("rps", 0)
    for key, label, value, fts, ratio, met in targets(by_n):
        note = "" if met else NOTES.get(key, "").format(cached_rps=cached_rps)
        rows.append([label, value, fts, ratio, "**met**" if met else "**missed**", note])
    lines += _table(["target", "product", "FTS5", "product / FTS5", "", "what stands in the way"],
                    rows)
    lines += ["", "Latency and build targets are judged on CPU time, the cost of the work, "
              "because other sessions share this machine and inflate wall-clock times (the "
              "load averages below say how much); the wall-clock figures of the same run are "
              "shown beside. The reindex rate is judged on the wall clock: a build of 2,000 "
              "entries or more works in several processes, and its CPU (all of them together) "
              "is what it costs, not how long it takes. HTTP figures are wall-clock (the "
              "per-query HTTP table also gives each server's CPU per request); the HTTP targets "
              "are judged on wall-clock p95, as issue #18 asks."]
    for n, g in by_n.items():
        lines += ["", f"## {n:,} entries", "",
                  f"Highest 1-minute load average seen around this size's builds and query runs: "
                  f"{g['loadavg']:.1f} (2 cores; above about 2, other work competed for the CPU "
                  f"and wall-clock figures overstate the cost).", ""]
        rows = [
            ["import into the archive (s)", _f(g["import_s"], 2), "", "", ""],
            ["full reindex (s wall)", _f(g["reindex_s"]), "", _f(g["fts5_build_s"], 2),
             _ratio(g["reindex_s"], g["fts5_build_s"])],
            ["full reindex (s CPU, every process it used)", _f(g["reindex_cpu"]), "",
             _f(g["fts5_build_cpu"], 2), _ratio(g["reindex_cpu"], g["fts5_build_cpu"])],
            ["processes the reindex used", str(g["reindex_processes"]), "", "1", ""],
            ["entries per second (import + index, wall)", _f(g["index_rate"]), "",
             _f(g["fts5_rate"]), _ratio(g["fts5_rate"], g["index_rate"]) + " slower"],
            ["index size (MB)", _f(g["index_mb"]), "", _f(g["fts5_mb"]),
             _ratio(g["index_mb"], g["fts5_mb"])],
            ["build peak memory (MB)", _f(g["build_rss"]), "", _f(g["fts5_build_rss"]),
             _ratio(g["build_rss"], g["fts5_build_rss"])],
        ]
        for label, key in (("warm", "warm_p"), ("cold", "cold_p")):
            fkey = key.replace("_p", "_f")
            for clock, suffix in (("CPU", "_cpu"), ("wall", "")):
                for pct in ("p50", "p95"):
                    pk, fk, ck = key + suffix, fkey + suffix, "cached" + suffix
                    rows.append([f"whole answer, {label}, {pct} (ms {clock})", _f(g[pk][pct]),
                                 _f(g[ck][pct]) if label == "warm" and g[ck] else "",
                                 _f(g[fk][pct]), _ratio(g[pk][pct], g[fk][pct])])
        rows.append(["query process peak memory (MB)", _f(g["query_rss"]), "",
                     _f(g["fts5_query_rss"]), _ratio(g["query_rss"], g["fts5_query_rss"])])
        off, on = g["load"].get("off"), g["load"].get("on")
        if off:
            def pick(load, key, digits=1):
                return _f(load[key], digits) if load else ""

            rows += [
                ["HTTP requests per second", pick(off, "rps"), pick(on, "rps"), "", ""],
                ["HTTP latency p50 (ms)", pick(off, "p50_ms"), pick(on, "p50_ms"), "", ""],
                ["HTTP latency p99 (ms)", pick(off, "p99_ms"), pick(on, "p99_ms"), "", ""],
                ["HTTP errors", str(off["errors"]), str(on["errors"]) if on else "", "", ""],
                ["gunicorn worker peak memory after the load (MB)",
                 pick(off, "worker_peak_rss_mb"), pick(on, "worker_peak_rss_mb"), "", ""],
                ["machine load average around the HTTP run (max)",
                 _f(max(off.get("loadavg", [0]))), _f(max(on.get("loadavg", [0]))) if on else "",
                 "", ""],
            ]
            lines += _table(["figure", "product, cache off", "product, cache on", "FTS5",
                             "product / FTS5"], rows)
            lines += ["", f"HTTP: `pprsearch serve --workers 2` (gunicorn, 2 threads each, "
                      f"connections closed after each response, no access log: the defaults) on "
                      f"127.0.0.1, wrk with {off['connections']} connections (2 threads) for "
                      f"{off['seconds']:.0f} s after a 3 s warm-up, rotating over the "
                      f"{len(MIX)} /api/search URLs of the mix; wrk runs on the same 2 cores."]
        else:
            lines += _table(["figure", "product, cache off", "product, cache on", "FTS5",
                             "product / FTS5"], rows)
    lines += ["", "## Per query (warm p50, ms of CPU, cache off; totals of both engines)", ""]
    header = ["query", "kind"]
    for n in by_n:
        header += [f"total {n:,} (product / FTS5)", f"{n:,}: product", "FTS5", "ratio"]
    rows = []
    sizes = {size["n"]: size for size in run["sizes"]}
    for q in MIX:
        row = [q.name.replace("|", "\\|"), q.kind]
        for n in by_n:
            p, f = sizes[n]["product_queries"], sizes[n]["fts5_queries"]
            key = "warm_cpu" if "warm_cpu" in p else "warm"
            if q.name not in p[key] or q.name not in f[key]:  # measured with an older mix
                row += ["–"] * 4
                continue
            a, b = summarise(p[key][q.name])["p50"], summarise(f[key][q.name])["p50"]
            row += [f"{p['answers'][q.name]['total']:,} / {f['answers'][q.name]['total']:,}",
                    _f(a), _f(b), _ratio(a, b)]
        rows.append(row)
    lines += _table(header, rows)
    lines += ["", "Plain-word queries (no filter, no phrase, no typo, no prefix) must find the "
              "same totals in both engines within 10% (tests/test_bench.py checks it at "
              "N = 200)."]
    lines += _http_table(run)
    profiles = [(size["n"], name, text) for size in run["sizes"]
                for name, text in size["product_queries"].get("profile", {}).items()]
    if profiles:
        lines += ["", "## Profiles (cProfile, one warm answer, cache off)", "",
                  "cProfile's overhead inflates Python-heavy code, so its wall time is above "
                  "the warm figures; the shares are what matter."]
        for n, name, text in profiles:
            lines += ["", f"### {n:,} entries: {name}", "", "```", text.strip(), "```"]
    return "\n".join(lines) + "\n"
