"""The bulk segment writer makes the files Whoosh's own writer makes, byte for byte: every reader
of the index (Whoosh's, and search's block readers) sees the same index either way."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from bench.generate import read_jsonl, write_jsonl
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
