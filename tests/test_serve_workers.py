"""`pprsearch serve` with several worker processes: each answers, and after a reindex started
through the admin API every one of them serves the new index, with no error in between."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from conftest import PPRSEARCH, cli_env

from bench.load import stop as stop_server
from index.store import IndexStore

TOKEN = "serve-workers-token-91c4"
CLOSE = {"Connection": "close"}  # a new connection per request, so any worker may take it
TRIES = 200
# A breath between tries: gives a worker still booting on a busy machine time to join in.
PAUSE_S = 0.02


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, **kwargs) -> requests.Response:
    return requests.get(url, headers={**CLOSE, **kwargs.pop("headers", {})}, timeout=5, **kwargs)


class Server:
    """A running `pprsearch serve`, its data folder, and where its output went."""

    def __init__(self, process: subprocess.Popen, base: str, data: Path, runtime: Path, log: Path):
        self.process, self.base, self.data, self.runtime, self.log = process, base, data, runtime, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture(scope="module")
def server(sample_template, tmp_path_factory):
    """One server for the module, over its own copy of the sample data folder."""
    folder = tmp_path_factory.mktemp("serve")
    data = folder / "data"
    shutil.copytree(sample_template, data)
    runtime = folder / "run"
    runtime.mkdir()
    port = free_port()
    env = cli_env(PPRSEARCH_ADMIN_TOKEN=TOKEN)
    # Where gunicorn puts a per-user control socket by default: kept apart from other servers.
    env["XDG_RUNTIME_DIR"] = str(runtime)
    log = folder / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*PPRSEARCH, "--data", str(data), "serve", "--workers", "2", "--threads", "2",
             "--port", str(port), "--host", "127.0.0.1", "--access-log", "-"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    running = Server(process, f"http://127.0.0.1:{port}", data, runtime, log)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, f"the server exited:\n{running.output()}"
            assert time.monotonic() < deadline, f"the server never answered:\n{running.output()}"
            try:
                if get(running.base + "/healthz").status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield running
    finally:
        stop_server(process)


def health(server: Server) -> dict:
    response = get(server.base + "/healthz")
    assert response.status_code == 200, (response.status_code, response.text)
    body = response.json()
    assert body["status"] == "ok"
    return body


def health_answers(server: Server):
    """Up to TRIES /healthz answers, each over a connection of its own, asked 8 at a time:
    one idle worker can win every accept of requests sent one by one, not of a burst."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(TRIES // 8):
            yield from pool.map(lambda _: health(server), range(8))
            time.sleep(PAUSE_S)


def test_every_worker_serves_the_new_index_after_an_api_reindex(server):
    workers: dict[int, str] = {}
    for answer in health_answers(server):
        workers[answer["worker"]] = answer["index_version"]
        if len(workers) >= 2:
            break
    assert len(workers) == 2, (
        f"only worker(s) {sorted(workers)} answered {TRIES} /healthz requests; "
        "expected both of --workers 2 to take connections"
    )
    (old,) = set(workers.values())
    assert server.process.pid not in workers  # the answers come from the workers, not the arbiter

    refused = requests.post(server.base + "/api/admin/reindex", headers=CLOSE, timeout=5)
    assert refused.status_code == 401
    started = requests.post(server.base + "/api/admin/reindex", timeout=5,
                            headers={**CLOSE, "Authorization": f"Bearer {TOKEN}"})
    assert started.status_code == 202, started.text
    job_url = server.base + started.json()["url"]
    deadline = time.monotonic() + 20
    while True:
        job = get(job_url, headers={"Authorization": f"Bearer {TOKEN}"})
        assert job.status_code == 200, job.text
        if job.json()["state"] not in ("queued", "running") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert job.json()["state"] == "done", job.json()

    # The swap happened before the job was marked done: from now on only the new index answers.
    new = IndexStore(server.data).current_name()
    assert new != old
    on_new: set[int] = set()
    for answer in health_answers(server):
        assert answer["index_version"] == new, f"worker {answer['worker']} serves {answer}"
        assert answer["entries"] == 6
        on_new.add(answer["worker"])
        if on_new >= set(workers):
            break
    assert on_new >= set(workers), f"only {sorted(on_new)} of {sorted(workers)} answered afterwards"

    search = get(server.base + "/api/search", params={"q": "panic disorder"})
    assert search.status_code == 200
    assert search.json()["total"] >= 1
    assert server.process.poll() is None, server.output()
    # --access-log -: the worker writes the line once the response has gone, so wait for it.
    line = '"GET /api/search?q=panic+disorder HTTP/1.1" 200'
    deadline = time.monotonic() + 10
    while line not in (log := server.log.read_text(errors="replace")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert line in log
    assert TOKEN not in log


def test_a_server_keeps_no_control_socket_shared_with_other_servers(server):
    health(server)  # started and serving: gunicorn opens the socket once its workers are up
    assert server.process.poll() is None, server.output()
    shared = server.runtime / "gunicorn.ctl"
    assert not shared.exists(), f"{shared} would be taken over by any other gunicorn of this user"


def test_a_client_keeping_its_connection_is_not_pinned_to_one_worker(server):
    """By default the server closes each connection after its response: a browser or a load
    tool holding connections open still has its requests spread over the workers."""

    def session_workers(_) -> set[int]:
        with requests.Session() as session:  # asks for keep-alive
            seen = set()
            for _ in range(25):
                response = session.get(server.base + "/healthz", timeout=5)
                assert response.status_code == 200
                assert response.headers.get("Connection", "").lower() == "close"
                seen.add(response.json()["worker"])
            return seen

    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = list(pool.map(session_workers, range(8)))
    assert sum(len(workers) == 2 for workers in seen) >= 6, seen
