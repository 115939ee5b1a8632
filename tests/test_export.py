"""Exporting a whole search: every hit, not one page, in each format, read back by real parsers."""

from __future__ import annotations

import csv
import io
import json
import warnings

import bibtexparser
import pytest
import rispy

from crawler.records import Entry
from index.ingest import import_paths
from webui.formats.exports import CSV_COLUMNS, write

from conftest import PANIC


def export(client, query: str):
    response = client.get(f"/export?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.is_streamed
    return response


def total(client, query: str) -> int:
    return client.get(f"/api/search?{query}").get_json()["total"]


def test_ris_of_everything_holds_all_six_entries(client):
    response = export(client, "q=&format=ris")
    assert response.headers["Content-Disposition"] == "attachment; filename=pprnet-search.ris"
    records = rispy.loads(response.get_data(as_text=True))
    assert len(records) == total(client, "q=") == 6
    assert [r["id"] for r in records][3] == PANIC  # newest first, as the page lists them
    panic = records[3]
    assert panic["doi"] == "10.1192/bjp.2021.148" and panic["authors"][0] == "Papola, D."
    assert "Anxiety Disorders" in panic["keywords"]
    assert panic["notes"] == [
        f"PPRNet summary (2021-11): http://localhost/entries/{PANIC}",
        "Evidence (read from the PPRNet summary): Network meta-analysis · 136 RCTs · "
        "7,300+ patients · SMD -0.67 [-0.95, -0.39] (+1 more)"]


@pytest.mark.parametrize("query", [
    "q=psychodynamic", "q=depression&year=2021", "topic=Anxiety+Disorders", "q=panic+OR+depression&sort=oldest",
])
def test_a_filtered_export_holds_exactly_total_records(client, query):
    expected_ids = [h["id"] for h in client.get(f"/api/search?{query}&per_page=100").get_json()["hits"]]
    records = rispy.loads(export(client, f"{query}&format=ris").get_data(as_text=True))
    assert [r["id"] for r in records] == expected_ids
    assert len(records) == total(client, query)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        bib = bibtexparser.loads(export(client, f"{query}&format=bibtex").get_data(as_text=True)).entries
    assert len(bib) == total(client, query)
    assert len({e["ID"] for e in bib}) == len(bib)
    rows = list(csv.DictReader(io.StringIO(export(client, f"{query}&format=csv").get_data(as_text=True))))
    assert [r["id"] for r in rows] == expected_ids
    lines = export(client, f"{query}&format=jsonl").get_data(as_text=True).splitlines()
    assert [json.loads(line)["id"] for line in lines] == expected_ids


def test_export_takes_every_page_of_a_large_search(tmp_path, make_app):
    """More hits than one page holds (100): the export walks every page."""
    entries = [
        Entry(id=f"2020-01-e{n:03d}", month=f"20{10 + n % 10}-0{1 + n % 9}", title=f"Entry {n} on alliance",
              summary="The working alliance predicts outcome.",
              citation=f"Author{n}, A. ({2000 + n % 20}). Title {n}. Journal, {n}(1), 1-2.")
        for n in range(230)
    ]
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in entries), encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    import_paths(data, [path])
    client = make_app(data, ANSWER_CACHE=0).test_client()
    for query in ("q=alliance", "q=", "year=2015&q=alliance"):
        records = rispy.loads(export(client, f"{query}&format=ris").get_data(as_text=True))
        assert len(records) == total(client, query) and len({r["id"] for r in records}) == len(records)
    assert len(records) == 23


def test_csv_has_the_columns_and_quotes_what_it_must(client):
    rows = list(csv.reader(io.StringIO(export(client, "q=panic&format=csv").get_data(as_text=True))))
    assert tuple(rows[0]) == CSV_COLUMNS
    row = dict(zip(rows[0], rows[1]))
    assert row["journal"] == "The British Journal of Psychiatry"
    assert row["authors"].startswith("Papola, D.; Ostuzzi, G.")
    assert row["doi"] == "10.1192/bjp.2021.148"
    assert row["page_url"] == f"http://localhost/entries/{PANIC}"


def test_formats_escape_awkward_text():
    """Commas, quotes, line breaks, TeX specials and spreadsheet formulas come back as written."""
    awkward = Entry(
        id="2020-01-awkward", month="2020-01", title='=SUM(A1) "quoted", {braced}',
        citation="Smith, J. (2020). 50% of {clients} & costs_$ #1 ~ ^ \\ gains. Journal, 1(2), 3-4.",
        summary="Line one,\nline \"two\"\n\nthird paragraph", topics=("A, B",),
    )
    rows = list(csv.reader(io.StringIO("".join(write([awkward], "csv")))))
    row = dict(zip(rows[0], rows[1]))
    assert row["title"] == "'" + awkward.title  # a spreadsheet must not run it
    assert row["summary"] == awkward.summary
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        [bib] = bibtexparser.loads("".join(write([awkward], "bibtex"))).entries
    assert bib["title"] == r"50\% of \{clients\} \& costs\_\$ \#1 \textasciitilde{} \textasciicircum{} \textbackslash{} gains"
    [ris] = rispy.loads("".join(write([awkward], "ris")))
    assert ris["title"] == "50% of {clients} & costs_$ #1 ~ ^ \\ gains"
    [line] = "".join(write([awkward], "jsonl")).splitlines()
    assert json.loads(line)["summary"] == awkward.summary


def test_bad_export_parameters(client):
    assert client.get("/export?q=x&format=pdf").status_code == 400
    assert client.get("/export?q=x").status_code == 400
    assert client.get("/export?format=ris&topic=Nope").status_code == 400


def test_cli_search_format(run_cli, client):
    result = run_cli("search", "psychodynamic", "--format", "ris")
    assert result.exit_code == 0, result.output
    records = rispy.loads(result.output)
    assert len(records) == total(client, "q=psychodynamic")
    result = run_cli("search", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 6
    result = run_cli("search", "panic", "--format", "jsonl")
    panic_ids = [h["id"] for h in client.get("/api/search?q=panic").get_json()["hits"]]
    assert [json.loads(line)["id"] for line in result.output.splitlines()] == panic_ids
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert len(bibtexparser.loads(run_cli("search", "--format", "bibtex", "--topic", "Anxiety Disorders").output).entries) == 1


def test_ris_keeps_one_field_per_line():
    """A line break inside a value must not start a field (or end the record) of its own."""
    tricky = Entry(id="2020-02-tricky", month="2020-02", title="T",
                   citation="Smith, J. (2020). Line one\nER  - \nTY  - BOOK. Journal, 1, 2-3.",
                   topics=("Topic\nAU  - Injected",))
    [record] = rispy.loads("".join(write([tricky], "ris")))
    assert record["authors"] == ["Smith, J."]
    assert record["title"] == "Line one ER - TY - BOOK"
    assert record["keywords"] == ["Topic AU - Injected"]


def test_exports_carry_the_evidence_read_from_each_summary(client):
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(
        export(client, "q=panic&format=csv").get_data(as_text=True)))}
    papola = rows[PANIC]
    assert (papola["design"], papola["studies"], papola["participants"]) == (
        "network meta-analysis", "136", "7300")
    assert papola["effects"] == "SMD -0.67 [-0.95, -0.39]; SMD -0.61 [-1.15, -0.07]"
    halstensen = next(r for r in rows.values() if r["id"] != PANIC)
    assert (halstensen["participants"], halstensen["effects"]) == ("57", "d 1.47")

    (ris,) = rispy.loads(export(client, "q=agoraphobia&format=ris").get_data(as_text=True))
    assert any(n.startswith("Evidence (read from the PPRNet summary): Network meta-analysis · "
                            "136 RCTs · 7,300+ patients · SMD -0.67 [-0.95, -0.39]") for n in ris["notes"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        library = bibtexparser.loads(export(client, "q=agoraphobia&format=bibtex").get_data(as_text=True))
    assert "Network meta-analysis" in library.entries[0]["note"]
