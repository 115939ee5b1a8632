"""Every query of the mix over HTTP, product beside an FTS5 server, shape by shape.

Part of `python -m bench` (`--shape-rounds`, the "Per query over HTTP" table of RESULTS.md);
also runs on its own, on the folders a run leaves in its work folder:

    python -m bench.http_shapes --data W/product-N --db W/fts5-N.sqlite3 [--rounds 30]

Both servers run one gunicorn worker with one thread on 127.0.0.1, connections closed after
each response: the product is `pprsearch serve --workers 1 --threads 1` with the answer cache
off; the FTS5 server is a Flask app (`bench.fts5_server`) answering each query of the mix with
`Fts5Search` (the same work as in process) as JSON. The client asks each query of the mix of
each server in turn, `rounds` times over (product and FTS5 alternating, so both see the same
moments of the machine), one request at a time on a new connection, after one warming round.
Per request it records the wall-clock time the client saw and the CPU time the server's worker
process spent (all its threads, from /proc/PID/task/*/schedstat, read before and after the
request: work a server does after the response is sent lands in the next request's figure).
Both send their whole answer: the FTS5 server its total, shown hits (highlighted title and
snippet), facet counts with toggle links and "did you mean" (~13 KB at 1k), the product its
own (~22 KB, with citations and evidence besides).
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

from .load import _children, _free_port, stop
from .queries import MIX, percentile

ROOT = Path(__file__).resolve().parent.parent


def _start(command: list[str], env: dict, port: int, log) -> subprocess.Popen:
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    for _ in range(600):
        try:
            _get(port, "/healthz")
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"{command[:4]} exited with {proc.returncode}")
            time.sleep(0.1)
    stop(proc)
    raise RuntimeError(f"{command[:4]} did not answer")




def _get(port: int, path: str) -> float:
    """Wall ms of one GET on a new connection (body read whole); raises on a non-200."""
    started = time.perf_counter()
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        con.request("GET", path, headers={"Connection": "close"})
        response = con.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
    finally:
        con.close()
    return (time.perf_counter() - started) * 1000


class _Worker:
    """CPU time of a server's worker process (the master's one child), in ms."""

    def __init__(self, master: int):
        for _ in range(100):
            children = _children(master)
            if children:
                break
            time.sleep(0.05)
        if len(children) != 1:
            raise RuntimeError(f"expected one worker process, found {children}")
        self.tasks = Path(f"/proc/{children[0]}/task")

    def cpu_ms(self) -> float:
        total = 0
        for task in self.tasks.iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass  # a thread that ended between the listing and the read
        return total / 1e6


def run_shapes(data: Path | str, db: Path | str, rounds: int, mix=MIX,
               log: Path | None = None) -> dict:
    """Serve `data` and `db` and time every query of `mix` over HTTP; the raw figures.

    {"rounds", "product", "fts5" (query name -> wall ms per round), "product_cpu", "fts5_cpu"
    (server CPU ms per round), "seconds", "loadavg" [before, after]}.
    """
    env = {**os.environ, "PPRSEARCH_ANSWER_CACHE": "0", "FTS5_DB": str(Path(db).resolve()),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("PPRSEARCH_ADMIN_TOKEN", None)
    index = {q.name: i for i, q in enumerate(MIX)}
    p_port, f_port = _free_port(), _free_port()
    log_file = open(log, "ab") if log else subprocess.DEVNULL
    load_before, started = os.getloadavg()[0], time.perf_counter()
    product = fts5 = None
    try:
        product = _start([sys.executable, "-m", "webui.cli", "--data", str(data), "serve",
                          "--host", "127.0.0.1", "--port", str(p_port), "--workers", "1",
                          "--threads", "1"], env, p_port, log_file)
        fts5 = _start([sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "1",
                       "--keep-alive", "0", "--bind", f"127.0.0.1:{f_port}",
                       "bench.fts5_server:app"], env, f_port, log_file)
        p_cpu, f_cpu = _Worker(product.pid), _Worker(fts5.pid)
        paths = [(q, q.path(), f"/q/{index[q.name]}") for q in mix]
        for _, p_path, f_path in paths:  # warm both (per-term caches, SQLite's page cache)
            _get(p_port, p_path), _get(f_port, f_path)
        out = {"rounds": rounds, "product": {}, "fts5": {}, "product_cpu": {}, "fts5_cpu": {}}
        for _ in range(rounds):
            for q, p_path, f_path in paths:
                for side, port, path, worker in (("product", p_port, p_path, p_cpu),
                                                 ("fts5", f_port, f_path, f_cpu)):
                    before = worker.cpu_ms()
                    wall = _get(port, path)
                    out[side].setdefault(q.name, []).append(wall)
                    out[side + "_cpu"].setdefault(q.name, []).append(worker.cpu_ms() - before)
    finally:
        for proc in (product, fts5):
            if proc is not None:
                stop(proc)
        if log:
            log_file.close()
    out["seconds"] = time.perf_counter() - started
    out["loadavg"] = [load_before, os.getloadavg()[0]]
    return out


def table(figures: dict, mix=MIX) -> str:
    """The per-query table of one run_shapes result (what `main` prints)."""
    lines = ["| query | kind | product p50 | FTS5 p50 | product p95 | FTS5 p95 | p95 ratio "
             "| server CPU p50, product | FTS5 |",
             "|---|---|---|---|---|---|---|---|---|"]
    above = 0
    for q in mix:
        p, f = figures["product"][q.name], figures["fts5"][q.name]
        p95, f95 = percentile(p, 95), percentile(f, 95)
        above += p95 > f95
        lines.append(
            f"| {q.name} | {q.kind} | {percentile(p, 50):.1f} | {percentile(f, 50):.1f} | "
            f"{p95:.1f} | {f95:.1f} | {p95 / f95:.2f}x | "
            f"{percentile(figures['product_cpu'][q.name], 50):.1f} | "
            f"{percentile(figures['fts5_cpu'][q.name], 50):.1f} |")
    every_p = [t for ts in figures["product"].values() for t in ts]
    every_f = [t for ts in figures["fts5"].values() for t in ts]
    lines.append(
        f"\nall queries: product p95 {percentile(every_p, 95):.1f} ms, FTS5 p95 "
        f"{percentile(every_f, 95):.1f} ms; {above} of {len(mix)} queries above FTS5's p95 "
        f"({figures['rounds']} rounds; load average {max(figures['loadavg']):.1f})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--only", default="",
                        help="only the queries whose name or kind holds this text")
    args = parser.parse_args(argv)
    mix = [q for q in MIX if args.only in q.name or args.only == q.kind]
    print(table(run_shapes(args.data, args.db, args.rounds, mix), mix))


if __name__ == "__main__":
    main()
