"""`pprsearch`: the same answers as the web, figures, and errors a person can act on."""

from __future__ import annotations

import json

import pytest

from index.archive import Archive
from index.store import IndexStore

from conftest import PANIC, SAMPLE

MENTALIZE = "2023-03-capacity-to-mentalize-predicted-outcomes-in-inpatient-therapy-for-resistant-depression"
PDT = "Psychodynamic Therapy (PDT)"
META = "Meta-analysis or Systematic Review"


def entries(folder) -> list:
    with Archive(folder) as archive:
        return list(archive.entries())


@pytest.mark.parametrize("args, query", [
    (["panic", "disorder"], "q=panic+disorder"),
    (["panic disorder"], "q=panic+disorder"),
    (["therapy", "--topic", PDT, "--year", "2021", "--year", "2022", "--sort", "newest"],
     "q=therapy&topic=Psychodynamic+Therapy+%28PDT%29&year=2021&year=2022&sort=newest"),
    (["--type", META, "--per-page", "2", "--page", "2"],
     "type=Meta-analysis+or+Systematic+Review&per_page=2&page=2"),
    (["panic", "psychodinamic"], "q=panic+psychodinamic"),
])
def test_search_json_prints_exactly_what_the_api_answers(run_cli, client, args, query):
    result = run_cli("search", *args, "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == client.get(f"/api/search?{query}").get_json()


def test_plain_search_lists_the_panic_entry_first(run_cli):
    result = run_cli("search", "panic disorder")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "2 entries for 'panic disorder' (page 1 of 1)",
        "",
        "1. Psychological Treatments for Panic Disorder  [2021-11]",
        f"   {PANIC}",
    ]
    # Marks become plain text off a terminal; no HTML reaches the output.
    assert lines[5] == ("   Evidence: Network meta-analysis · 136 RCTs · 7,300+ patients · "
                        "SMD -0.67 [-0.95, -0.39] (+1 more)")
    # The snippet comes from the Practice Implications, which hold both words, and says so.
    assert lines[6].startswith("   Practice implications: … short-term dynamic therapy are "
                               "efficacious treatments for panic disorder.")
    assert "<mark>" not in result.stdout
    numbered = [line for line in lines if line[:3] in ("1. ", "2. ", "3. ")]
    assert numbered == [
        "1. Psychological Treatments for Panic Disorder  [2021-11]",
        "2. Capacity to Mentalize Predicted Outcomes in Inpatient Therapy for Resistant Depression  [2023-03]",
    ]
    assert "Year: 2023 (1), 2021 (1)" in lines


def test_search_page_zero_fails_with_a_clear_message(run_cli, sample_data):
    result = run_cli("search", "panic", "--page", "0")

    assert result.exit_code == 1
    assert result.stderr == "Error: page must be between 1 and 1000, not 0.\n"
    assert result.stdout == ""
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    (["--topic", "Nonexistent"],
     "Error: There is no topic called 'Nonexistent'. `pprsearch topics` lists them.\n"),
    (["--sort", "bogus"], "Error: sort must be one of relevance, newest, oldest, participants, not 'bogus'.\n"),
    (["--year", "21"], "Error: year must be four digits, like 2021, not '21'.\n"),
    (["--per-page", "many"], "Error: per_page must be a whole number, not 'many'.\n"),
])
def test_search_bad_options_fail_with_a_clear_message(run_cli, args, message):
    result = run_cli("search", "panic", *args)

    assert (result.exit_code, result.stderr) == (1, message)


def test_search_without_an_index_says_what_to_do(run_cli, empty_data):
    result = run_cli("search", "panic", data=empty_data)

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: No search index in {empty_data.resolve()}. "
        "Run `pprsearch import FILE` or `pprsearch reindex` first.\n"
    )


def test_stats_figures(run_cli, sample_data):
    version = IndexStore(sample_data).current_name()

    result = run_cli("stats", "--json")

    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    index = figures.pop("index")
    assert figures == {
        "entries": 6,
        "topics": {
            PDT: 5, "Depression and Depressive Symptoms": 4, "Efficacy of Treatments": 4,
            "Client Factors": 2, "Medications/Pharmacotherapy": 2, "Long-term Outcomes": 2,
            "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)": 2,
            "Self-Reflection and Awareness": 1, "Combination Therapy": 1, "Anxiety Disorders": 1,
            "Attendance, Attrition, and Drop-Out": 1, "Interpersonal Psychotherapy (IPT)": 1,
            "Personality Disorders": 1,
        },
        "types": {META: 4, "Single Empirical Study": 1, "Review or Book Chapter": 1},
        "inferred_topics": 6,
        "inferred_types": 6,
        "retired": [],
        "last_crawl": None,
    }
    assert (index["version"], index["entries"], index["analysis_current"]) == (version, 6, True)
    assert sorted(index) == ["analysis_current", "built_at", "entries", "evidence_current",
                             "seconds", "version"]
    assert index["evidence_current"] is True


def test_stats_in_words(run_cli, sample_data):
    version = IndexStore(sample_data).current_name()

    result = run_cli("stats")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1:6] == [
        "Entries:       6 (tags inferred for 6)",
        "Topics used:   13",
        f"  {META}: 4",
        "  Single Empirical Study: 1",
        "  Review or Book Chapter: 1",
    ]
    assert lines[6].startswith(f"Index version: {version} (6 entries, built ")
    assert lines[7:9] == ["Retired:       0", "Last crawl:    never"]


def test_stats_of_an_empty_folder(run_cli, empty_data):
    result = run_cli("stats", "--json", data=empty_data)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "entries": 0, "topics": {}, "types": {}, "inferred_topics": 0, "inferred_types": 0,
        "retired": [], "index": {"version": None, "entries": 0, "built_at": None, "seconds": None,
                  "analysis_current": True, "evidence_current": True},
        "last_crawl": None,
    }


def test_import_of_a_missing_path_fails_and_leaves_everything_as_it_was(run_cli, sample_data, tmp_path):
    before, version = entries(sample_data), IndexStore(sample_data).current_name()
    present = tmp_path / "present.jsonl"
    present.write_text(json.dumps({"month": "2024-01", "title": "Would Be New"}), encoding="utf-8")
    missing = tmp_path / "nowhere" / "missing.jsonl"

    result = run_cli("import", str(present), str(missing))

    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"Error: {missing}: no such file or folder. Check the path and try again.\n")
    assert "Traceback" not in result.output
    assert entries(sample_data) == before
    assert IndexStore(sample_data).current_name() == version


def test_import_reports_counts_and_skipped_lines(run_cli, empty_data, tmp_path):
    path = tmp_path / "two.jsonl"
    path.write_text(
        json.dumps({"month": "2024-01", "title": "One"}) + "\nnot json\n"
        + json.dumps({"month": "2024-02", "title": "Two"}) + "\n",
        encoding="utf-8",
    )

    result = run_cli("import", str(path), data=empty_data)

    assert result.exit_code == 0, result.output
    assert f"warning: {path}:2: skipped: not valid JSON" in result.stderr
    version = IndexStore(empty_data).current_name()
    assert result.stdout.splitlines() == [
        "1 file(s): 2 entries (2 new, 0 updated, 0 unchanged).",
        f"Index {version}: 2 entries.",
    ]


def test_importing_the_sample_again_reports_six_unchanged(run_cli):
    result = run_cli("import", str(SAMPLE))

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "1 file(s): 6 entries (0 new, 0 updated, 6 unchanged)."


def test_export_writes_one_json_line_per_entry_newest_first(run_cli, sample_data):
    result = run_cli("export")

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines == [e.to_dict() for e in entries(sample_data)]
    assert [line["id"] for line in lines][:1] == [MENTALIZE]


def test_reindex_swaps_in_a_new_generation_with_every_entry(run_cli, sample_data, client):
    before = IndexStore(sample_data).current_name()

    result = run_cli("reindex")

    assert result.exit_code == 0, result.output
    after = IndexStore(sample_data).current()
    assert after.name != before
    assert after.entries == 6
    assert client.get("/healthz").get_json()["index_version"] == after.name


def test_an_import_whose_index_build_fails_leaves_the_archive_as_it_was(
    run_cli, sample_data, tmp_path, monkeypatch
):
    before, version = entries(sample_data), IndexStore(sample_data).current_name()
    path = tmp_path / "new.jsonl"
    path.write_text(json.dumps({"month": "2024-01", "title": "Would Be New"}), encoding="utf-8")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("index.store.whoosh_index.create_in", disk_full)
    result = run_cli("import", str(path))

    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert IndexStore(sample_data).current_name() == version
    assert entries(sample_data) == before


# --- issue #15: the terminal, for the same clinician -----------------------------------------


def test_show_prints_one_entry_in_full_with_its_doi_and_address(run_cli):
    result = run_cli("show", PANIC)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "Psychological Treatments for Panic Disorder",
        "2021-11 · Meta-analysis or Systematic Review",
        "Topics: Anxiety Disorders, Attendance, Attrition, and Drop-Out, Cognitive Therapy (CT) "
        "and Cognitive-Behavioural Therapy (CBT), Efficacy of Treatments, Psychodynamic Therapy (PDT)",
    ]
    assert "DOI:     https://doi.org/10.1192/bjp.2021.148" in lines
    assert "Address: https://socialsciences.uottawa.ca/pprnet/blog" in lines  # the listing it came from
    assert f"ID:      {PANIC}" in lines
    assert "Summary" in lines and "Practice Implications" in lines
    assert "\x1b[" not in result.stdout  # no styles off a terminal
    missing = run_cli("show", "2099-01-nothing")
    assert (missing.exit_code, missing.stdout) == (1, "")
    assert missing.stderr.startswith("Error: There is no entry '2099-01-nothing'.")


def test_topics_lists_topics_and_types_with_counts(run_cli):
    result = run_cli("topics")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Topics (13):"
    assert "  5  Psychodynamic Therapy (PDT)" in lines
    assert "Types of research (3):" in lines
    assert "  4  Meta-analysis or Systematic Review" in lines
    as_json = json.loads(run_cli("topics", "--json").stdout)
    assert {"name": "Anxiety Disorders", "count": 1} in as_json["topic"]


def test_topic_and_type_match_without_regard_to_case_and_suggest_the_closest(run_cli):
    exact = run_cli("search", "panic", "--topic", "Anxiety Disorders", "--type",
                    "Meta-analysis or Systematic Review")
    loose = run_cli("search", "panic", "--topic", "anxiety DISORDERS", "--type",
                    "meta-analysis or systematic review")
    assert loose.exit_code == 0, loose.output
    assert loose.stdout == exact.stdout
    assert loose.stdout.startswith("1 entry for 'panic' (page 1 of 1)\n")
    wrong = run_cli("search", "panic", "--topic", "anxiety")
    assert (wrong.exit_code, wrong.stderr) == (1, (
        "Error: There is no topic called 'anxiety'. Did you mean 'Anxiety Disorders'? "
        "`pprsearch topics` lists them.\n"))
    wrong = run_cli("search", "panic", "--type", "meta analysis")
    assert "Did you mean 'Meta-analysis or Systematic Review'?" in wrong.stderr


@pytest.mark.parametrize("command", [["search", "panic"], ["stats"], ["export"], ["show", PANIC],
                                     ["topics"]])
def test_a_read_command_does_not_create_a_missing_data_folder(run_cli, tmp_path, command):
    missing = tmp_path / "no-such-folder"
    result = run_cli(*command, data=missing)

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: There is no data folder at {missing}.")
    assert not missing.exists()


def test_terminal_styles_titles_and_marks_and_keeps_snippets_on_one_line():
    from webui.cli import _terminal, _title

    html = "A <mark>panic</mark>\n\ndisorder  &amp; more"
    assert _terminal(html) == "A panic disorder & more"
    assert _terminal(html, color=True) == "A \x1b[1mpanic\x1b[0m disorder & more"
    assert _title("For <mark>Panic</mark>", color=False) == "For Panic"
    styled = _title("For <mark>Panic</mark>", color=True)
    assert "\x1b[36m" in styled and "\x1b[1m" in styled and "Panic" in styled


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    from webui import cli

    monkeypatch.setattr(cli.sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli._colour() is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert cli._colour() is False
    monkeypatch.setattr(cli.sys.stdout, "isatty", lambda: False, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli._colour() is False
