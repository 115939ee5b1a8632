"""The bulk segment writer makes the files Whoosh's own writer makes, byte for byte: every reader
of the index (Whoosh's, and search's block readers) sees the same index either way."""

from __future__ import annotations

import os
import random
import subprocess
import time
from pathlib import Path

import pytest
import requests
from whoosh import index as whoosh_index

from bench.generate import read_jsonl, write_jsonl
from bench.load import stop as stop_server
from conftest import PPRSEARCH, cli_env
from crawler.textpage import parse_text_page
from index import segment
from index.archive import Archive
from index.store import IndexStore
from index.schema import build_schema, document

SAMPLE = Path(__file__).resolve().parent.parent / "sample" / "pprnet-blog-page.txt"
PANIC = parse_text_page(SAMPLE.read_text(encoding="utf-8")).entries[0]


@pytest.fixture(scope="module")
def entries(tmp_path_factory):
    """The sample's entries and 400 generated ones (common words span several blocks of 128),
    newest first as a build orders them."""
    folder = tmp_path_factory.mktemp("segment")
    generated = list(read_jsonl(write_jsonl(folder / "entries.jsonl", 400, seed=7)))
    found = [*parse_text_page(SAMPLE.read_text(encoding="utf-8")).entries, *generated]
    found.sort(key=lambda e: e.id)
    found.sort(key=lambda e: e.month, reverse=True)
    return found


def _whoosh_build(folder: Path, entries) -> None:
    """The reference: Whoosh's writer, a document at a time."""
    random.seed(1)  # the segment's random name
    ix = whoosh_index.create_in(str(folder), build_schema())
    with ix.writer(limitmb=256, procs=1, compound=False) as writer:
        for entry in entries:
            writer.add_document(**document(entry))
    ix.close()


def _bulk_build(folder: Path, entries, processes: int = 0) -> segment.Built:
    random.seed(1)
    ix = whoosh_index.create_in(str(folder), build_schema())
    with ix.writer(limitmb=256, procs=1, compound=False) as writer:
        built = segment.build(writer, entries, processes=processes)
    ix.close()
    return built


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()
            and not p.name.endswith(".lock")}


def _assert_same(expected: dict[str, bytes], got: dict[str, bytes]) -> None:
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], f"{name} differs"


@pytest.fixture(scope="module")
def whoosh_files(entries, tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("whoosh")
    _whoosh_build(folder, entries)
    return _files(folder)


def test_one_process_writes_what_whoosh_writes(entries, whoosh_files, tmp_path):
    assert any(name.endswith(".pst") for name in whoosh_files)
    built = _bulk_build(tmp_path, entries)
    assert built.count == len(entries)
    _assert_same(whoosh_files, _files(tmp_path))


@pytest.mark.parametrize("processes", [1, 2])
def test_fields_done_in_other_processes_write_the_same_files(entries, whoosh_files, tmp_path,
                                                              processes):
    """The text fields analysed and encoded and the spelling counted by one or two worker
    processes, joined in order by this one."""
    built = _bulk_build(tmp_path, entries, processes=processes)
    assert built.count == len(entries)
    assert built.processes == processes + 1
    assert built.worker_cpu > 0
    _assert_same(whoosh_files, _files(tmp_path))


def test_the_summary_gets_a_worker_of_its_own():
    entries = [PANIC] * 3
    assert segment._groups(["citation", "implications", "summary", "title"], entries, 2) == [
        ["summary"], ["implications", "citation", "title"]]
    assert segment._groups(["citation", "summary", "title"], entries, 1) == [
        ["summary", "citation", "title"]]


def test_the_check_can_fail(entries, whoosh_files, tmp_path):
    """One document left out changes the files: the comparison above is not vacuous."""
    _bulk_build(tmp_path, entries[:-1])
    got = _files(tmp_path)
    assert any(got.get(name) != data for name, data in whoosh_files.items())


def test_the_cli_builds_a_large_archive_in_worker_processes(tmp_path):
    """`pprsearch reindex` on an archive large enough for workers (started from the CLI's own
    process, as an admin starts it) writes the index a one-process build writes."""
    count = segment.PARALLEL_FROM
    jsonl = write_jsonl(tmp_path / "entries.jsonl", count, seed=11)
    data = tmp_path / "data"
    with Archive(data) as archive:
        archive.upsert(read_jsonl(jsonl))
    done = subprocess.run([*PPRSEARCH, "--data", str(data), "reindex"], capture_output=True,
                          text=True, timeout=300, env=cli_env())
    assert done.returncode == 0, done.stderr
    generation = IndexStore(data).current()
    assert generation.entries == count
    if len(os.sched_getaffinity(0)) > 1:
        assert generation.processes > 1
    alone = IndexStore(tmp_path / "alone", processes=0).build(list(read_jsonl(jsonl)))
    assert alone.processes == 1
    assert _segment_files(generation.path) == _segment_files(alone.path)


def _segment_files(folder: Path) -> dict[str, bytes]:
    """A generation's index files by extension (the segment's random name left out); its
    table of contents, which names the segment, is left out too."""
    return {p.name.split(".", 1)[1]: p.read_bytes() for p in folder.iterdir()
            if p.name.startswith("MAIN_") and "." in p.name and not p.name.endswith(".toc")}


def test_an_admin_reindex_in_the_serving_app_builds_with_workers(tmp_path):
    """The build's worker processes start from inside a gunicorn worker (an admin's reindex
    through the API), and the new index serves."""
    from test_serve_workers import free_port

    data = tmp_path / "data"
    with Archive(data) as archive:
        archive.upsert(read_jsonl(write_jsonl(tmp_path / "entries.jsonl",
                                              segment.PARALLEL_FROM, seed=5)))
    token = "segment-admin-token-7f3e"
    env = cli_env(PPRSEARCH_ADMIN_TOKEN=token)
    env["XDG_RUNTIME_DIR"] = str(tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [*PPRSEARCH, "--data", str(data), "serve", "--workers", "1", "--threads", "2",
             "--port", str(port), "--host", "127.0.0.1"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env)
    auth = {"Authorization": f"Bearer {token}", "Connection": "close"}
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, log.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
            try:
                requests.get(base + "/healthz", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        started = requests.post(base + "/api/admin/reindex", headers=auth, timeout=5)
        assert started.status_code == 202, started.text
        deadline = time.monotonic() + 120
        while True:
            job = requests.get(base + started.json()["url"], headers=auth, timeout=5).json()
            if job["state"] not in ("queued", "running") or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert job["state"] == "done", job
        generation = IndexStore(data).current()
        assert generation.entries == segment.PARALLEL_FROM
        if len(os.sched_getaffinity(0)) > 1:
            assert generation.processes > 1
        found = requests.get(base + "/api/search", params={"q": "therapy"}, timeout=5)
        assert found.status_code == 200 and found.json()["total"] > 0
        assert "Traceback" not in log.read_text(errors="replace")
    finally:
        stop_server(server)
