"""Measurements that run in a child process of their own, so one does not pollute the next
(memory high-water marks, warm caches, open files).

`python -m bench.measure JOB.json OUT.json` runs one job and writes its figures as JSON:
- product-import: the generated entries upserted into a fresh archive (Archive.upsert);
- product-reindex: a full rebuild of the index from that archive (index.rebuild.rebuild);
- fts5-build: the FTS5 reference built from the same entries;
- product-queries / fts5-queries: the query mix, cold, warm and cached (see queries.py),
  plus the child's peak resident memory: the figure for one serving worker.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
from pathlib import Path

from .queries import MIX, Answer, Query, run_mix


def peak_rss_mb() -> float:
    """This process's resident-memory high-water mark (VmHWM), in MB."""
    return vm_hwm_mb(os.getpid())


def vm_hwm_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6


# Product


class ProductEngine:
    """The product's search service as a query -> Answer callable."""

    def __init__(self, data: str, cache: int = 0):
        from search.service import SearchService

        self.service = SearchService(data, answer_cache=cache)

    def __call__(self, query: Query) -> Answer:
        result = self.service.search(query.request())
        return Answer(
            total=result.total,
            ids=[h.id for h in result.hits],
            facets={g.param: {v.value: v.count for v in g.values if v.count}
                    for g in result.facets},
            suggestion=result.suggestion.q if result.suggestion else (
                result.request.q if result.interpreted.corrections else None),
            snippets=sum("<mark>" in h.snippet_html for h in result.hits),
        )

    def close(self) -> None:
        self.service.close()


def product_import(job: dict) -> dict:
    from index.archive import Archive

    from .generate import read_jsonl

    started, cpu = time.perf_counter(), time.process_time()
    with Archive(job["data"]) as archive:
        counts = archive.upsert(read_jsonl(Path(job["jsonl"])))
    seconds = time.perf_counter() - started
    return {"entries": counts.new + counts.updated + counts.unchanged, "seconds": seconds,
            "cpu_seconds": time.process_time() - cpu,
            "peak_rss_mb": peak_rss_mb(),
            "archive_mb": (Path(job["data"]) / "archive.sqlite3").stat().st_size / 1e6}


def product_reindex(job: dict) -> dict:
    from index.rebuild import rebuild

    started, cpu = time.perf_counter(), time.process_time()
    generation = rebuild(job["data"])
    seconds = time.perf_counter() - started
    # The build's CPU in every process it used (its workers' too), as its build.json records.
    return {"entries": generation.entries, "seconds": seconds,
            "cpu_seconds": max(generation.cpu_seconds, time.process_time() - cpu),
            "main_cpu_seconds": time.process_time() - cpu, "processes": generation.processes,
            "peak_rss_mb": peak_rss_mb(),
            "index_mb": folder_mb(generation.path), "generation": generation.name}


def fts5_build(job: dict) -> dict:
    from . import fts5
    from .generate import read_jsonl

    started, cpu = time.perf_counter(), time.process_time()
    count = fts5.build(job["db"], read_jsonl(Path(job["jsonl"])))
    seconds = time.perf_counter() - started
    return {"entries": count, "seconds": seconds, "cpu_seconds": time.process_time() - cpu,
            "peak_rss_mb": peak_rss_mb(),
            "index_mb": Path(job["db"]).stat().st_size / 1e6}


def _profile(engine, names: list[str]) -> dict[str, str]:
    """cProfile of one warm answer per named query: the top functions by own and total time."""
    out = {}
    by_name = {q.name: q for q in MIX}
    for name in names:
        query = by_name[name]
        engine(query)  # warm
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        engine(query)
        profiler.disable()
        wall = (time.perf_counter() - started) * 1000
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        text.write(f"query {query.q!r} {query.params()[1:]} profiled wall {wall:.1f} ms\n")
        stats.sort_stats("tottime").print_stats(14)
        stats.sort_stats("cumulative").print_stats(22)
        out[name] = _trim(text.getvalue())
    return out


def _trim(report: str) -> str:
    """pstats output without absolute paths (the repo's root, site-packages, the stdlib)."""
    root = str(Path(__file__).resolve().parent.parent) + "/"
    report = report.replace(root, "")
    report = re.sub(r"/\S*/(?:site-packages|python3\.\d+)/", "", report)
    return "\n".join(line.rstrip() for line in report.splitlines())


def product_queries(job: dict) -> dict:
    data = job["data"]
    timings = run_mix(
        lambda: ProductEngine(data, cache=0), passes=job["passes"], cold=job.get("cold"),
        open_cached=lambda: ProductEngine(data, cache=256),
    )
    out = timings.__dict__
    if job.get("profile"):
        out["profile"] = _profile(ProductEngine(data, cache=0), job["profile"])
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def fts5_queries(job: dict) -> dict:
    from .fts5 import Fts5Search

    timings = run_mix(lambda: Fts5Search(job["db"]), passes=job["passes"], cold=job.get("cold"))
    out = timings.__dict__
    out["peak_rss_mb"] = peak_rss_mb()
    return out


JOBS = {
    "product-import": product_import,
    "product-reindex": product_reindex,
    "fts5-build": fts5_build,
    "product-queries": product_queries,
    "fts5-queries": fts5_queries,
}


def main(argv: list[str]) -> None:
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    load = os.getloadavg()[0]
    result = JOBS[job["kind"]](job)
    # The machine's 1-minute load average before and after: above ~2 on these two cores,
    # other work competed for the CPU and wall times overstate the cost.
    result["loadavg"] = [load, os.getloadavg()[0]]
    Path(argv[1]).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
