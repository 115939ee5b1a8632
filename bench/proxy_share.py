"""How much of a repeated-query load the reverse proxy answers: `python -m bench.proxy_share`.

Runs the deployment as shipped on 127.0.0.1 (bench/proxy.py: `pprsearch serve --workers 2`
behind Debian's nginx with deploy/nginx/pprsearch.conf) over a generated archive, sends the
query mix's searches (API and page, each URL again and again) from a few threads for a
bounded time, and counts nginx's X-Cache-Status of every answer, and the app's own answers
by status from its /metrics. Prints a Markdown report (or writes it with --out).

HIT: answered from the proxy's copy. REVALIDATED: the copy had expired; the proxy asked the
app with its ETag, the app answered 304 without searching, and the copy went out. MISS and
EXPIRED: the app computed the answer.
"""

from __future__ import annotations

import argparse
import collections
import platform
import shlex
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import requests
from prometheus_client.parser import text_string_to_metric_families

from . import proxy
from .generate import DEFAULT_SEED, archive_file
from .queries import MIX

MAX_SECONDS = 300


def urls() -> list[str]:
    """Every query of the mix, as an API answer and as a page."""
    out = []
    for query in MIX:
        out.append(query.path())
        out.append("/?" + urlencode(query.params()))
    return out


def _load(base: str, paths: list[str], seconds: float, threads: int) -> tuple[collections.Counter, int]:
    counts: collections.Counter = collections.Counter()
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(offset: int) -> None:
        nonlocal errors
        with requests.Session() as session:
            i = offset
            while time.monotonic() < stop:
                response = session.get(base + paths[i % len(paths)], timeout=30)
                i += 1
                with lock:
                    if response.status_code != 200:
                        errors += 1
                    counts[response.headers.get("X-Cache-Status", "(none)")] += 1

    pool = [threading.Thread(target=worker, args=(n * 7,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return counts, errors


def _app_answers(base: str) -> collections.Counter:
    """The app's answers to searches (pages and API) by status, from its /metrics."""
    out: collections.Counter = collections.Counter()
    for family in text_string_to_metric_families(requests.get(base + "/metrics", timeout=10).text):
        if family.name != "pprsearch_http_requests":
            continue
        for sample in family.samples:
            if sample.name.endswith("_total") and sample.labels["route"] in ("/", "/api/search"):
                out[sample.labels["status"]] += sample.value
    return out


def measure(work: Path, entries: int, seconds: float, threads: int, max_age: int) -> dict:
    from index.ingest import import_paths

    data = work / f"proxy-share-{entries}" / "data"
    if not (data / "index" / "CURRENT").exists():
        import_paths(data, [archive_file(work, entries, DEFAULT_SEED)])
    (data / "config.py").write_text(
        f'PROXY_FIX_X_FOR = 1\nHTTP_SHARED_MAX_AGE = {max_age}\nMETRICS = "local"\n', encoding="utf-8")
    port = proxy.free_port()
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("PPRSEARCH_")}
    with tempfile.TemporaryDirectory(prefix="pprsearch-proxy-share-") as scratch:
        with proxy.server(data, port, env, log=Path(scratch) / "server.log") as app, \
                proxy.nginx(Path(scratch) / "nginx", proxy.free_port(), port) as site:
            paths = urls()
            counts, errors = _load(site, paths, seconds, threads)
            answers = _app_answers(app)
    total = sum(counts.values())
    return {"entries": entries, "seconds": seconds, "threads": threads, "max_age": max_age,
            "urls": len(paths), "requests": total, "errors": errors,
            "cache_status": dict(counts.most_common()),
            "app_answers": {k: int(v) for k, v in sorted(answers.items())}}


def report(figures: dict, command: str) -> str:
    total = figures["requests"] or 1
    status = figures["cache_status"]
    by_proxy = status.get("HIT", 0) + status.get("REVALIDATED", 0) + status.get("UPDATING", 0) \
        + status.get("STALE", 0)
    app = figures["app_answers"]
    searched = app.get("200", 0)
    lines = [
        "# Proxy cache share",
        "",
        f"A repeated-query load through nginx (deploy/nginx/pprsearch.conf) in front of "
        f"`pprsearch serve --workers 2`: {figures['urls']} URLs (the benchmark's query mix, each "
        f"as `/api/search` and as the search page), cycled by {figures['threads']} client threads "
        f"for {figures['seconds']:g} s, over {figures['entries']:,} generated entries, with "
        f"`HTTP_SHARED_MAX_AGE = {figures['max_age']}` (a short lifetime, so revalidation shows).",
        "",
        f"- requests answered: {figures['requests']:,} ({figures['errors']} not 200)",
        f"- **answered by the proxy without a search: {100 * by_proxy / total:.1f}%** "
        f"(HIT {status.get('HIT', 0):,}, REVALIDATED {status.get('REVALIDATED', 0):,}"
        + (f", UPDATING {status.get('UPDATING', 0):,}" if status.get("UPDATING") else "")
        + (f", STALE {status.get('STALE', 0):,}" if status.get("STALE") else "") + ")",
        f"- computed by the app: {100 * (status.get('MISS', 0) + status.get('EXPIRED', 0)) / total:.1f}% "
        f"(MISS {status.get('MISS', 0):,}, EXPIRED {status.get('EXPIRED', 0):,})",
        f"- the app's answers to these routes (from its /metrics): {app.get('200', 0):,} × 200 "
        f"(searched), {app.get('304', 0):,} × 304 (ETag still current, no search)"
        + "".join(f", {n:,} × {code}" for code, n in app.items() if code not in ("200", "304")),
        f"- so the app searched for {100 * searched / total:.2f}% of the requests",
        "",
        "Every X-Cache-Status seen: " + ", ".join(f"{k} {v:,}" for k, v in status.items()),
        "",
        "HIT: nginx's copy, still fresh (`s-maxage`). REVALIDATED: the copy had expired; nginx "
        "asked the app with its ETag and the app answered 304 without searching. UPDATING: a "
        "copy being revalidated by another request (`proxy_cache_use_stale updating`). MISS: "
        "the first request for a URL. EXPIRED: revalidation brought a new answer (none here: "
        "the index did not change during the run). The client is Python `requests`, which "
        "limits the request rate; the share, not the rate, is the figure.",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{__import__('os').cpu_count()} CPUs (shared with other work while measured).",
        "",
        f"Command: `{command}`",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.proxy_share", description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--max-age", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "pprsearch-bench")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if proxy.nginx_binary() is None:
        print(proxy.INSTALL_HINT, file=sys.stderr)
        return 2
    args.work.mkdir(parents=True, exist_ok=True)
    figures = measure(args.work, args.entries, min(args.seconds, MAX_SECONDS), args.threads,
                      args.max_age)
    text = report(figures, "python -m bench.proxy_share " + shlex.join(argv or sys.argv[1:]))
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
