"""HTTP load: `pprsearch serve --workers 2` on 127.0.0.1, driven by Debian's `wrk`.

wrk runs a Lua script that rotates its requests over the query mix's /api/search URLs and,
when done, prints its figures as one JSON line (requests, errors, latency percentiles).
Only the loopback address is ever a target; the run is bounded by `seconds`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Callable

from .measure import vm_hwm_mb
from .queries import MIX

ROOT = Path(__file__).resolve().parent.parent
INSTALL_HINT = "wrk is not installed: `apt-get install -y wrk` (Debian's package) installs it."

_LUA = """
local paths = %(paths)s
local counter = 0
function init(args)
  counter = tonumber(args[1] or "0")
end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "connect": %%d, "read": %%d, ' ..
    '"write": %%d, "status": %%d, "timeout": %%d, "p50_us": %%d, "p90_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "mean_us": %%f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
"""


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _lua_script(paths: list[str]) -> str:
    quoted = ", ".join(json.dumps(p) for p in paths)  # JSON strings are valid Lua strings here
    return _LUA % {"paths": "{" + quoted + "}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60.0,
               output: Callable[[], str] = lambda: "") -> None:
    """Until `url` answers 200; RuntimeError (with what `output` gives) when the process
    exits first or nothing answers within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with status {proc.returncode}:\n"
                               f"{output()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing answered at {url} within {timeout:.0f}s:\n{output()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _wrk(wrk: str, script: Path, url: str, seconds: int, connections: int, threads: int) -> dict:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(script), url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    for line in done.stdout.splitlines():
        if line.startswith("WRKJSON "):
            return json.loads(line[len("WRKJSON "):])
    raise RuntimeError(f"wrk printed no figures: {done.stdout[-500:]} {done.stderr[-500:]}")


def run_load(data: Path, seconds: int, cache: int = 0, connections: int = 16,
             workers: int = 2, wrk_threads: int = 2, log: Path | None = None) -> dict:
    """Serve `data` with gunicorn, warm it for 3 s, then load it for `seconds`; its figures."""
    wrk = wrk_path()
    if wrk is None:
        raise RuntimeError(INSTALL_HINT)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PPRSEARCH_ANSWER_CACHE": str(cache),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("PPRSEARCH_ADMIN_TOKEN", None)
    log_file = open(log, "ab") if log else subprocess.DEVNULL
    command = [sys.executable, "-m", "webui.cli", "--data", str(data), "serve",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    load_before = os.getloadavg()[0]
    server = subprocess.Popen(command, stdout=log_file, stderr=log_file, env=env, cwd=ROOT)
    try:
        wait_ready(base + "/healthz", server)
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "mix.lua"
            script.write_text(_lua_script([q.path() for q in MIX]), encoding="utf-8")
            _wrk(wrk, script, base, 3, connections, wrk_threads)  # warm both workers
            figures = _wrk(wrk, script, base, seconds, connections, wrk_threads)
        worker_rss = [vm_hwm_mb(pid) for pid in _children(server.pid)]
    finally:
        stop(server)
        if log:
            log_file.close()
    duration = figures["duration_us"] / 1e6
    errors = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "cache": cache, "seconds": duration, "connections": connections, "workers": workers,
        "requests": figures["requests"], "rps": figures["requests"] / duration,
        "p50_ms": figures["p50_us"] / 1000, "p90_ms": figures["p90_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000, "max_ms": figures["max_us"] / 1000,
        "errors": errors, "error_detail": {k: figures[k] for k in
                                           ("connect", "read", "write", "status", "timeout")},
        "worker_peak_rss_mb": max(worker_rss) if worker_rss else None,
        "loadavg": [load_before, os.getloadavg()[0]],
    }


def stop(proc: subprocess.Popen) -> None:
    """A server stopped as gunicorn is meant to be (SIGTERM), killed if it lingers."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
