"""The benchmark runner (`python -m bench`): the product beside SQLite FTS5 at 1k, 10k and 100k entries, one run.

For each size: generate the synthetic archive (cached as JSON Lines in the work folder),
import it and rebuild the index with the product's own code, build the FTS5 reference from
the same entries, run the query mix through both (each step in a child process of its own),
time every query of the mix over HTTP beside an FTS5 server (bench/http_shapes.py), and for
the smaller sizes load `pprsearch serve --workers 2` with wrk. Writes the table to
--out (bench/RESULTS.md) and the raw figures beside it (bench/results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import report
from .generate import DEFAULT_SEED, archive_file
from .http_shapes import run_shapes
from .load import INSTALL_HINT, run_load, wrk_path

ROOT = Path(__file__).resolve().parent.parent


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def child(kind: str, work: Path, **job) -> dict:
    """Run one measurement of bench.measure in a fresh Python process; its figures."""
    job["kind"] = kind
    spec = work / f"job-{kind}.json"
    out = work / f"out-{kind}.json"
    spec.write_text(json.dumps(job), encoding="utf-8")
    out.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    subprocess.run([sys.executable, "-m", "bench.measure", str(spec), str(out)], cwd=ROOT,
                   env=env, check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def run_size(n: int, work: Path, seed: int = DEFAULT_SEED, passes: int = 3,
             cold: int | None = None, load_seconds: int = 0, profile: list[str] = (),
             connections: int = 16, shape_rounds: int = 0) -> dict:
    """Every figure for one archive size."""
    _log(f"N={n:,}: generating the archive (cached in {work})")
    started = time.perf_counter()
    jsonl = archive_file(work, n, seed)
    generated = time.perf_counter() - started
    data = work / f"product-{n}"
    db = work / f"fts5-{n}.sqlite3"
    shutil.rmtree(data, ignore_errors=True)
    out = {"n": n, "passes": passes, "cold": cold, "generate_s": generated}
    _log(f"N={n:,}: product import")
    out["product_import"] = child("product-import", work, data=str(data), jsonl=str(jsonl))
    _log(f"N={n:,}: product full reindex")
    out["product_reindex"] = child("product-reindex", work, data=str(data))
    _log(f"N={n:,}: FTS5 build")
    out["fts5_build"] = child("fts5-build", work, db=str(db), jsonl=str(jsonl))
    _log(f"N={n:,}: product queries")
    out["product_queries"] = child("product-queries", work, data=str(data), passes=passes,
                                   cold=cold, profile=list(profile))
    _log(f"N={n:,}: FTS5 queries")
    out["fts5_queries"] = child("fts5-queries", work, db=str(db), passes=passes, cold=cold)
    if shape_rounds:
        _log(f"N={n:,}: every query over HTTP, product and FTS5, {shape_rounds} rounds")
        out["http_shapes"] = run_shapes(data, db, shape_rounds, log=work / f"shapes-{n}.log")
    out["load"] = {}
    if load_seconds:
        for label, cache in (("off", 0), ("on", 256)):
            _log(f"N={n:,}: HTTP load, answer cache {label}, {load_seconds}s")
            out["load"][label] = run_load(data, load_seconds, cache=cache,
                                          connections=connections, log=work / f"serve-{n}.log")
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="archive sizes, comma-separated (default: 1000,10000,100000)")
    parser.add_argument("--load-seconds", type=int, default=30,
                        help="seconds of HTTP load per size up to --load-max (0: none)")
    parser.add_argument("--load-max", type=int, default=10000,
                        help="largest size that gets the HTTP load test (default 10000)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument("--shape-rounds", type=int, default=None,
                        help="rounds of the mix over HTTP, product beside an FTS5 server, one "
                             "request at a time (default: 100 up to 1k, 30 up to 10k, 5 above; "
                             "0: none)")
    parser.add_argument("--passes", type=int, default=None,
                        help="warm passes over the mix (default: 3, 1 above 10k)")
    parser.add_argument("--cold", type=int, default=None,
                        help="queries measured cold (default: all, 6 above 10k)")
    parser.add_argument("--profile", default="depression",
                        help="mix queries to cProfile at 10k and above, comma-separated ('' none)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--work", default=None,
                        help="work folder (generated archives are cached there); default: a "
                             "temporary folder removed at the end")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: N=200, one pass, 3 rounds of the mix over HTTP, "
                             "no HTTP load, no profile")
    parser.add_argument("--report", nargs="+", metavar="RESULTS.json", default=None,
                        help="measure nothing: write --out from the raw figures of earlier "
                             "runs (e.g. sizes run as separate invocations), sizes in order")
    parser.add_argument("--note", default="", help="with --report: a sentence for the header")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.load_seconds, args.passes, args.profile = "200", 0, 1, ""
        if args.shape_rounds is None:
            args.shape_rounds = 3
    return args


def shape_rounds(n: int, given: int | None) -> int:
    """Rounds of the mix over HTTP at size n: enough for a p95 that one pause of the machine
    does not decide (the 95th of 100 leaves the five slowest out; ~30 s at 1k), fewer where
    FTS5 takes long (~0.5 s a query at 100k)."""
    if given is not None:
        return given
    return 100 if n <= 1000 else 30 if n <= 10000 else 5


def merge(paths: list[str]) -> dict:
    """One run's figures from several runs' results.json (their sizes, in order)."""
    runs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    merged = dict(runs[0])
    merged["sizes"] = sorted((s for r in runs for s in r["sizes"]), key=lambda s: s["n"])
    merged["command"] = "\n".join(r["command"] for r in runs)
    merged["started"] = min(r["started"] for r in runs)
    merged["finished"] = max(r.get("finished", r["started"]) for r in runs)
    merged["wall_minutes"] = max(r.get("wall_minutes", 0) for r in runs)
    merged["note"] = "" if len(runs) == 1 else (
        f"The sizes were measured by the {len(runs)} invocations above (each size's steps "
        "one after another in child processes), and the table was "
        "written from their results.json files with `python -m bench --report FILE...`; the "
        "single command in bench/README.md runs every size in turn and writes the same table."
    )
    return merged


def write(run: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_name(out.stem.lower() + ".json").write_text(
        json.dumps(run, ensure_ascii=False, indent=1), encoding="utf-8")
    if run["sizes"]:
        out.write_text(report.render(run), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    if args.report:
        run = merge(args.report)
        run["note"] = " ".join(filter(None, [run.get("note", ""), args.note]))
        write(run, out)
        _log(f"wrote {out} and its results.json")
        return 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.load_seconds and any(n <= args.load_max for n in sizes) and wrk_path() is None:
        print(f"error: {INSTALL_HINT} Or pass --load-seconds 0 to skip the HTTP load.",
              file=sys.stderr)
        return 2
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="pprsearch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    command = "python -m bench " + shlex.join(argv if argv is not None else sys.argv[1:])
    run = {"command": command.strip(), "seed": args.seed,
           "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "environment": report.environment(), "sizes": []}
    t0 = time.monotonic()
    try:
        for n in sizes:
            big = n > 10000
            run["sizes"].append(run_size(
                n, work, seed=args.seed,
                passes=args.passes or (1 if big else 3),
                cold=args.cold if args.cold is not None else (6 if big else None),
                load_seconds=args.load_seconds if n <= args.load_max else 0,
                profile=[p for p in args.profile.split(",") if p] if n >= 10000 else [],
                connections=args.connections,
                shape_rounds=shape_rounds(n, args.shape_rounds),
            ))
            run["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            run["wall_minutes"] = (time.monotonic() - t0) / 60
            write(run, out)  # after every size: a long run that stops keeps what it measured
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    _log(f"wrote {out}")
    print(out.read_text(encoding="utf-8").split("## Per query")[0])
    return 0
