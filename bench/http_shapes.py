"""Every query of the mix over HTTP, product beside an FTS5 server, shape by shape.

    python -m bench.http_shapes --data DIR --db FTS5.sqlite3 [--rounds 30]

`DIR` and the database are a size's product data folder and FTS5 reference, as `python -m bench
--work W` leaves them (W/product-N, W/fts5-N.sqlite3). Both servers run one gunicorn worker with
one thread on 127.0.0.1, connections closed after each response: the product is `pprsearch serve
--workers 1 --threads 1` with the answer cache off; the FTS5 server is a Flask app
(`bench.fts5_server`) answering each query of the mix with `Fts5Search` (the same work as in
process) as JSON. The client asks each query of the mix of each server in turn, `rounds` times
over (product and FTS5 alternating, so both see the same moments of the machine), one request
at a time on a new connection, and prints the wall-clock p50 / p95 per query. The FTS5 body is
smaller (its answer without the page's links and snippets' HTML), which favours it.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .load import _free_port
from .queries import MIX, percentile

ROOT = Path(__file__).resolve().parent.parent


def _start(command: list[str], env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            _get(port, "/healthz")
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"{command[:4]} exited with {proc.returncode}")
            time.sleep(0.1)
    raise RuntimeError(f"{command[:4]} did not answer")


def _get(port: int, path: str) -> float:
    """Wall ms of one GET on a new connection (body read whole); raises on a non-200."""
    started = time.perf_counter()
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        con.request("GET", path, headers={"Connection": "close"})
        response = con.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
    finally:
        con.close()
    return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)
    env = {**os.environ, "PPRSEARCH_ANSWER_CACHE": "0", "FTS5_DB": str(Path(args.db).resolve()),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("PPRSEARCH_ADMIN_TOKEN", None)
    p_port, f_port = _free_port(), _free_port()
    product = _start([sys.executable, "-m", "webui.cli", "--data", args.data, "serve",
                      "--host", "127.0.0.1", "--port", str(p_port), "--workers", "1",
                      "--threads", "1"], env, p_port)
    fts5 = None
    try:
        fts5 = _start([sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "1",
                       "--keep-alive", "0", "--bind", f"127.0.0.1:{f_port}",
                       "bench.fts5_server:app"], env, f_port)
        paths = [(q, q.path(), f"/q/{i}") for i, q in enumerate(MIX)]
        for _, p_path, f_path in paths:  # warm both
            _get(p_port, p_path), _get(f_port, f_path)
        times: dict[str, tuple[list[float], list[float]]] = {q.name: ([], []) for q in MIX}
        for _ in range(args.rounds):
            for q, p_path, f_path in paths:
                times[q.name][0].append(_get(p_port, p_path))
                times[q.name][1].append(_get(f_port, f_path))
    finally:
        for proc in (product, fts5):
            if proc is not None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
    print(f"| query | kind | product p50 | FTS5 p50 | product p95 | FTS5 p95 | p95 ratio |")
    print("|---|---|---|---|---|---|---|")
    above = 0
    for q in MIX:
        p, f = times[q.name]
        p95, f95 = percentile(p, 95), percentile(f, 95)
        above += p95 > f95
        print(f"| {q.name} | {q.kind} | {percentile(p, 50):.1f} | {percentile(f, 50):.1f} | "
              f"{p95:.1f} | {f95:.1f} | {p95 / f95:.2f}x |")
    every_p = [t for p, _ in times.values() for t in p]
    every_f = [t for _, f in times.values() for t in f]
    print(f"\nall queries: product p95 {percentile(every_p, 95):.1f} ms, FTS5 p95 "
          f"{percentile(every_f, 95):.1f} ms; {above} of {len(MIX)} queries above FTS5's p95 "
          f"({args.rounds} rounds; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
