"""Backups while the service runs: `pprsearch backup` during a crawl, `pprsearch restore` into an
empty folder that then serves the backup's entries; a restore never overwrites an archive by
accident."""

from __future__ import annotations

import sqlite3
import subprocess
import time

import pytest
from conftest import PPRSEARCH, ROOT, cli_env, settle_jobs
from conftest_crawl import steady_replica  # noqa: F401 (a fixture)

from index import jobs as job_runner
from index.archive import Archive
from index.jobs import Jobs
from search.records import SearchRequest
from search.service import SearchService


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*PPRSEARCH, *args], cwd=ROOT, env=cli_env(), capture_output=True,
                          text=True, timeout=120)


def live_entries(path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT id FROM entries WHERE retired_at IS NULL")}


def test_a_backup_taken_during_a_crawl_restores_into_an_empty_folder_serving_the_same_totals(
        steady_replica, tmp_path):
    site = steady_replica.site
    site.hold = "/pprnet/blog?p=3"  # the crawl waits there, two listing pages stored
    crawling, restored = tmp_path / "crawling", tmp_path / "restored"
    job = Jobs(crawling).create("crawl", {"base_url": steady_replica.base_url, "delay": 0})
    job_runner.spawn(crawling, job.id)
    try:
        deadline = time.monotonic() + 30
        while site.hold not in site.paths():
            assert time.monotonic() < deadline, "the crawl never reached the held page"
            time.sleep(0.02)
        assert Jobs(crawling).get(job.id).state == "running"

        backed_up = cli("--data", str(crawling), "backup", str(tmp_path / "backups") + "/")
        assert backed_up.returncode == 0, backed_up.stderr
        assert Jobs(crawling).get(job.id).state == "running"  # the crawl went on meanwhile
    finally:
        site.hold = ""
        site.released.set()
        settle_jobs(crawling, timeout=60)
    assert Jobs(crawling).get(job.id).state == "done"

    [copy] = list((tmp_path / "backups").glob("archive-*.sqlite3"))
    assert backed_up.stdout.strip() == f"Backed up the archive to {copy}."
    assert not list((tmp_path / "backups").glob("*-wal"))  # one self-contained file
    entries = live_entries(copy)
    assert len(entries) == 12  # the two listing pages stored before the held one
    with Archive(crawling) as archive:
        assert archive.count() > len(entries)  # the crawl stored more after the backup

    brought = cli("--data", str(restored), "restore", str(copy))
    assert brought.returncode == 0, brought.stderr
    assert brought.stdout.startswith(f"Restored 12 entries from {copy}; index gen-")
    service = SearchService(restored, answer_cache=0)
    everything = service.search(SearchRequest(q="", per_page=100))
    assert everything.total == len(entries)
    assert {hit.id for hit in everything.hits} == entries
    # The crawl the backup caught running did not run here, and nothing waits on it.
    assert Jobs(restored).get(job.id).state == "failed"
    assert Jobs(restored).active() is None
    service.close()


def test_restore_refuses_to_overwrite_an_archive_without_force(sample_data, empty_data, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    assert cli("--data", str(sample_data), "backup", str(copy)).returncode == 0
    with Archive(sample_data) as archive:
        archive.db.execute("DELETE FROM entries WHERE id LIKE '2021-%'")
        left = archive.count()
    assert left < 6

    refused = cli("--data", str(sample_data), "restore", str(copy))
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"Error: {sample_data / 'archive.sqlite3'} already holds an archive ({left} entries); "
        "restore into an empty data folder, or add --force to replace it.")
    with Archive(sample_data) as archive:
        assert archive.count() == left

    forced = cli("--data", str(sample_data), "restore", "--force", str(copy))
    assert forced.returncode == 0, forced.stderr
    with Archive(sample_data) as archive:
        assert archive.count() == 6
    assert SearchService(sample_data, answer_cache=0).search(SearchRequest()).total == 6


def test_restore_refuses_while_a_job_runs(sample_data, tmp_path, run_cli):
    copy = tmp_path / "copy.sqlite3"
    assert run_cli("backup", str(copy)).exit_code == 0
    Jobs(sample_data).create("reindex")
    result = run_cli("restore", "--force", str(copy))
    assert result.exit_code == 1 and "reindex job" in result.output


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
def test_restore_of_something_else_names_the_problem(empty_data, tmp_path, run_cli, content):
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(content)
    result = run_cli("restore", str(bogus), data=empty_data)
    assert result.exit_code == 1 and "is not an archive backup" in result.output


def test_backup_without_an_archive_says_so(empty_data, tmp_path, run_cli):
    result = run_cli("backup", str(tmp_path / "b.sqlite3"), data=empty_data)
    assert result.exit_code == 1 and "There is no archive at" in result.output
    assert not (empty_data / "archive.sqlite3").exists()
