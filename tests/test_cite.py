"""Citing one entry: each format read back by a real parser, with the paper's fields whole."""

from __future__ import annotations

import json
import warnings

import bibtexparser
import pytest
import rispy

from index.ingest import import_paths

from conftest import PANIC

PANIC_AUTHORS = ["Papola", "Ostuzzi", "Tedeschi", "Gastaldon", "Purgato", "Del Giovane", "Barbui"]
PANIC_TITLE = ("Comparative efficacy and acceptability of psychotherapies for panic disorder with "
               "or without agoraphobia: Systematic review and network meta-analysis of randomised "
               "controlled trials")
CHAPTER = "2022-06-the-evidence-for-psychodynamic-therapy"


def cite(client, entry_id: str, fmt: str, of: str = ""):
    response = client.get(f"/api/entries/{entry_id}/cite?format={fmt}" + (f"&of={of}" if of else ""))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def test_ris_parses_with_the_papers_fields(client):
    response = cite(client, PANIC, "ris")
    assert response.mimetype == "application/x-research-info-systems"
    assert response.headers["Content-Disposition"] == f"attachment; filename={PANIC}.ris"
    [record] = rispy.loads(response.get_data(as_text=True))
    assert record["type_of_reference"] == "JOUR"
    assert [a.split(",")[0] for a in record["authors"]] == PANIC_AUTHORS
    assert record["authors"][0] == "Papola, D."
    assert record["year"] == "2021"
    assert record["title"] == PANIC_TITLE
    assert record["secondary_title"] == "The British Journal of Psychiatry"
    assert (record["start_page"], record["end_page"]) == ("1", "13")
    assert record["doi"] == "10.1192/bjp.2021.148"


def _bibtex(text: str) -> list[dict]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # pyparsing inside bibtexparser 1.x
        return bibtexparser.loads(text).entries


def test_bibtex_parses_with_the_papers_fields(client):
    response = cite(client, PANIC, "bibtex")
    assert response.mimetype == "application/x-bibtex"
    assert response.headers["Content-Disposition"].endswith(".bib")
    [entry] = _bibtex(response.get_data(as_text=True))
    assert entry["ENTRYTYPE"] == "article"
    assert entry["ID"] == "papola2021comparative"
    names = [n.strip().split(",")[0] for n in entry["author"].split(" and ")]
    assert names == PANIC_AUTHORS + ["others"]  # ". . ." in the text: the list is incomplete
    assert entry["year"] == "2021"
    assert entry["journal"] == "The British Journal of Psychiatry"
    assert entry["pages"] == "1--13"
    assert entry["doi"] == "10.1192/bjp.2021.148"


def test_csl_json_is_read_by_citeproc(client):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    response = cite(client, PANIC, "csl-json")
    assert response.mimetype == "application/vnd.citationstyles.csl+json"
    items = json.loads(response.get_data(as_text=True))
    assert items[0]["author"][5] == {"family": "Del Giovane", "given": "C."}
    assert items[0]["issued"] == {"date-parts": [[2021]]}
    assert items[0]["container-title"] == "The British Journal of Psychiatry"
    assert items[0]["DOI"] == "10.1192/bjp.2021.148"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py's own deprecated calls
        source = CiteProcJSON(items)
        style = CitationStylesStyle("harvard-cite-them-right", validate=False)
        bibliography = CitationStylesBibliography(style, source, formatter.plain)
        bibliography.register(Citation([CitationItem(items[0]["id"])]))
        text = str(bibliography.bibliography()[0])
    assert "Papola, D." in text and "2021" in text and "British Journal of Psychiatry" in text


def test_apa_text(client):
    response = cite(client, PANIC, "apa")
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == (
        "Papola, D., Ostuzzi, G., Tedeschi, F., Gastaldon, C., Purgato, M., Del Giovane, C., "
        f". . . Barbui, C. (2021). {PANIC_TITLE}. The British Journal of Psychiatry, 1–13. "
        "https://doi.org/10.1192/bjp.2021.148\n"
    )


def test_chapter_in_every_format(client):
    apa = cite(client, CHAPTER, "apa").get_data(as_text=True)
    assert apa == (
        "Barber, J., Muran, J. C., McCarthy, K., Keefe, J. R., & Zilchamano, S. (2021). Research "
        "on dynamic therapies. In Barkham, W. Lutz, & L. G. Castonguay (Eds.), Bergin and "
        "Garfield’s Handbook of Psychotherapy and Behavior Change (7th ed.). Wiley.\n"
    )
    [record] = rispy.loads(cite(client, CHAPTER, "ris").get_data(as_text=True))
    assert record["type_of_reference"] == "CHAP"
    assert record["secondary_authors"] == ["Barkham", "Lutz, W.", "Castonguay, L. G."]
    assert record["edition"] == "7th" and record["publisher"] == "Wiley"
    [entry] = _bibtex(cite(client, CHAPTER, "bibtex").get_data(as_text=True))
    assert entry["ENTRYTYPE"] == "incollection"
    assert entry["booktitle"] == "Bergin and Garfield’s Handbook of Psychotherapy and Behavior Change"
    assert entry["editor"] == "Barkham and Lutz, W. and Castonguay, L. G."


def test_the_summary_is_citable_as_a_blog_post(client):
    apa = cite(client, PANIC, "apa", of="summary").get_data(as_text=True)
    assert apa == ("Psychotherapy Practice Research Network. (2021, November). Psychological "
                   "Treatments for Panic Disorder. PPRNet Blog. "
                   "https://socialsciences.uottawa.ca/pprnet/blog\n")
    [record] = rispy.loads(cite(client, PANIC, "ris", of="summary").get_data(as_text=True))
    assert record["type_of_reference"] == "ELEC"
    assert record["authors"] == ["Psychotherapy Practice Research Network"]
    assert record["urls"] == ["https://socialsciences.uottawa.ca/pprnet/blog"]
    response = cite(client, PANIC, "csl-json", of="summary")
    assert response.headers["Content-Disposition"].endswith(f"{PANIC}-summary.json")
    [item] = json.loads(response.get_data(as_text=True))
    assert item["type"] == "post-weblog" and item["issued"] == {"date-parts": [[2021, 11]]}


@pytest.mark.parametrize("query, code", [
    ("format=word", 400), ("format=ris&of=abstract", 400), ("", 400),
])
def test_bad_parameters(client, query, code):
    response = client.get(f"/api/entries/{PANIC}/cite?{query}")
    assert response.status_code == code
    assert response.get_json()["error"]["code"] == "invalid_parameter"


def test_unknown_entry(client):
    response = client.get("/api/entries/nope/cite?format=ris")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_plain_cite_page(client):
    html = client.get(f"/entries/{PANIC}/cite").get_data(as_text=True)
    assert "<h1>Cite this entry</h1>" in html
    assert "<i>The British Journal of Psychiatry</i>" in html
    assert '<a href="https://doi.org/10.1192/bjp.2021.148">' in html
    assert f'href="/api/entries/{PANIC}/cite?format=ris&amp;of=paper"' in html
    assert f'href="/api/entries/{PANIC}/cite?format=bibtex&amp;of=summary"' in html
    fragment = client.get(f"/entries/{PANIC}/cite", headers={"X-Requested-With": "fetch"})
    assert fragment.get_data(as_text=True).startswith("<div class=\"cite-body\"")


def test_an_entry_without_a_reference_cites_only_its_summary(empty_data, make_app, tmp_path):
    path = tmp_path / "bare.jsonl"
    path.write_text(json.dumps({"id": "2019-04-bare", "month": "2019-04", "title": "A bare entry",
                                "summary": "No reference printed."}) + "\n", encoding="utf-8")
    import_paths(empty_data, [path])
    client = make_app(empty_data, ANSWER_CACHE=0).test_client()
    response = client.get("/api/entries/2019-04-bare/cite?format=ris")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "no_citation"
    [record] = rispy.loads(cite(client, "2019-04-bare", "ris", of="summary").get_data(as_text=True))
    assert record["title"] == "A bare entry"
    html = client.get("/entries/2019-04-bare/cite").get_data(as_text=True)
    assert "This PPRNet summary" in html and "The paper" not in html
