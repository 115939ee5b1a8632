"""One exception tree: each product error answers with its own status and code, on the web and
in the terminal, and anything else keeps its traceback."""

from __future__ import annotations

import click
import pytest
from conftest import PANIC, settle_jobs
from conftest_crawl import steady_replica  # noqa: F401  (a fixture)

from crawler.errors import ProductError
from index.archive import Archive
from index.errors import ArchiveError
from webui.cli import friendly_errors


def _break_archive(folder) -> None:
    (folder / "archive.sqlite3").write_bytes(b"this is not an SQLite database" * 100)
    for extra in ("archive.sqlite3-wal", "archive.sqlite3-shm"):
        (folder / extra).unlink(missing_ok=True)


def test_an_unreadable_archive_answers_503_with_its_code_not_a_500(sample_data, make_app):
    client = make_app(sample_data).test_client()
    _break_archive(sample_data)

    answer = client.get(f"/api/entries/{PANIC}")
    assert answer.status_code == 503
    error = answer.get_json()["error"]
    assert error["code"] == "archive_unavailable"
    assert "archive" in error["message"] and "Traceback" not in error["message"]

    page = client.get(f"/entries/{PANIC}")
    assert page.status_code == 503
    assert b"archive" in page.data and b"Something went wrong" not in page.data


def test_the_cli_says_an_unreadable_archive_in_one_line(sample_data, run_cli):
    _break_archive(sample_data)
    result = run_cli("export")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Cannot open the archive")
    assert "Traceback" not in result.stderr


TOKEN = "errors-test-token"


@pytest.fixture
def admin_client(sample_data, make_app):
    return make_app(sample_data, ADMIN_TOKEN=TOKEN, ANSWER_CACHE=0).test_client()


def _post(client, body):
    return client.post("/api/admin/reindex", json=body, headers={"Authorization": f"Bearer {TOKEN}"})


def test_a_bad_crawl_address_is_reported_against_base_url(admin_client):
    answer = _post(admin_client, {"source": "crawl", "base_url": "ftp://example.invalid/"})
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert (error["code"], error["param"]) == ("invalid_parameter", "base_url")
    assert "base_url" in error["message"] or "CRAWL_BASE_URL" in error["message"]


def test_a_bad_source_is_reported_against_source(admin_client):
    answer = _post(admin_client, {"source": "bogus"})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["param"] == "source"


def test_a_product_error_becomes_one_line_and_anything_else_keeps_its_traceback():
    class Odd(ProductError):
        code = "odd"

    with pytest.raises(click.ClickException) as caught:
        with friendly_errors():
            raise Odd("Something a person can fix.")
    assert caught.value.message == "Something a person can fix."

    with pytest.raises(ValueError):  # a bug: not turned into a one-line message
        with friendly_errors():
            raise ValueError("a bug")


@pytest.mark.parametrize("exc, status, code", [
    (ArchiveError("x"), 503, "archive_unavailable"),
])
def test_each_error_carries_its_status_and_code(exc, status, code):
    assert (exc.status, exc.code, exc.message) == (status, code, "x")


def test_the_cli_reads_the_data_folders_config(sample_data, run_cli, steady_replica):  # noqa: F811
    (sample_data / "config.py").write_text(
        f"CRAWL_BASE_URL = {steady_replica.base_url!r}\nCRAWL_DELAY = 0\n", encoding="utf-8")
    try:
        result = run_cli("crawl", "--max-pages", "1")
    finally:
        settle_jobs(sample_data)
    assert result.exit_code == 0, result.stderr
    assert any(path.startswith("/pprnet/blog") for path in steady_replica.paths())
    with Archive(sample_data) as archive:
        assert any(page.url.startswith(steady_replica.base_url) for page in archive.pages())


def test_a_broken_config_file_is_one_line_naming_it(sample_data, run_cli):
    (sample_data / "config.py").write_text("CRAWL_DELAY = (\n", encoding="utf-8")
    result = run_cli("stats")
    assert result.exit_code == 1
    assert "config.py has an error: SyntaxError" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_config_setting_that_cannot_be_used_is_named(sample_data, run_cli):
    (sample_data / "config.py").write_text("CRAWL_DELAY = 'soon'\n", encoding="utf-8")
    result = run_cli("stats")
    assert result.exit_code == 1
    assert "CRAWL_DELAY must be a number of seconds" in result.stderr
