"""An import that yields no entry fails (exit 1) and leaves the archive and the serving index
as they were; ids are checked against the id pattern; a page is an entry only with the shape of
one (a month, a title and a body)."""

from __future__ import annotations

import json

import pytest

from crawler.htmlpage import parse_html_page
from crawler.ids import valid_id
from crawler.jsonl import parse_jsonl
from index.archive import Archive
from index.store import IndexStore

NOT_A_BLOG = "<!doctype html><html><body><h1>Welcome</h1><p>Our shop sells shoes.</p></body></html>"
NEWSLETTER = ("<!doctype html><html><body><h2>November 2021</h2><p>Club newsletter</p>"
              "<p><a href='/'>Home</a></p></body></html>")


def state(folder):
    with Archive(folder) as archive:
        ids = sorted(e.id for e in archive.entries())
    store = IndexStore(folder)
    return ids, store.current_name(), store.generations()


@pytest.mark.parametrize("name, content", [
    ("bad.jsonl", "{not json\n"),
    ("missing.jsonl", json.dumps({"title": "No Month"}) + "\n"),
    ("types.jsonl", json.dumps({"month": 202111, "title": ["A", "list"]}) + "\n"),
    ("binary.jsonl", bytes(range(256)) * 8),
    ("empty.jsonl", ""),
    ("escape.jsonl", json.dumps({"id": "../../etc/passwd", "month": "2021-11",
                                 "title": "Escape"}) + "\n"),
    ("shop.html", NOT_A_BLOG),
    ("newsletter.html", NEWSLETTER),
])
def test_an_import_that_yields_no_entry_fails_and_changes_nothing(run_cli, sample_data, tmp_path,
                                                                  name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = state(sample_data)

    result = run_cli("import", str(path))

    assert result.exit_code == 1, result.output
    assert "no entries" in result.stderr.lower(), result.stderr
    assert "Traceback" not in result.output
    assert state(sample_data) == before


def test_an_empty_folder_fails_and_changes_nothing(run_cli, sample_data, tmp_path):
    folder = tmp_path / "nothing-here"
    folder.mkdir()
    before = state(sample_data)

    result = run_cli("import", str(folder))

    assert result.exit_code == 1
    assert f"{folder}" in result.stderr and "no files" in result.stderr.lower()
    assert state(sample_data) == before


def test_good_lines_beside_bad_ones_still_import(run_cli, empty_data, tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps({"id": "../../etc/passwd", "month": "2021-11", "title": "Escape"})
                    + "\n" + json.dumps({"month": "2024-01", "title": "Kept"}) + "\n",
                    encoding="utf-8")

    result = run_cli("import", str(path), data=empty_data)

    assert result.exit_code == 0, result.output
    assert f"warning: {path}:1: skipped: id must look like YYYY-MM-slug-of-title" in result.stderr
    assert state(empty_data)[0] == ["2024-01-kept"]


@pytest.mark.parametrize("given, ok", [
    ("2021-11-psychological-treatments-for-panic-disorder", True),
    ("2021-11-a", True),
    ("../../etc/passwd", False),
    ("2021-11-../x", False),
    ("2021-13-title", False),
    ("2021-11-Title", False),
    ("2021-11-", False),
    ("2021-11-a--b", False),
    ("2021-11-title/other", False),
    ("2021-11-ti tle", False),
])
def test_ids_follow_the_id_pattern(given, ok):
    assert valid_id(given) is ok
    line = json.dumps({"id": given, "month": "2021-11", "title": "T"})
    assert len(parse_jsonl(line).entries) == (1 if ok else 0)


def test_a_month_heading_without_an_entrys_body_is_no_entry():
    page = parse_html_page(NEWSLETTER)

    assert page.entries == ()
    assert page.problems
