"""The archive: stable ids, upserts in one transaction, merging, JSON Lines in and out."""

from __future__ import annotations

import json

import pytest

from crawler.records import Entry
from index.archive import Archive, UpsertCounts, merge
from index.ingest import import_paths

from conftest import PANIC, SAMPLE

SAMPLE_IDS = [
    "2023-03-capacity-to-mentalize-predicted-outcomes-in-inpatient-therapy-for-resistant-depression",
    "2022-12-adding-short-term-psychodynamic-psychotherapy-to-antidepressants",
    "2022-06-the-evidence-for-psychodynamic-therapy",
    PANIC,
    "2021-06-psychotherapies-for-depression",
    "2020-08-is-psychodynamic-therapy-effective-for-treating-personality-disorders",
]

URL = "https://socialsciences.uottawa.ca/pprnet/blog/alliance-ruptures"


def entry(id="2019-04-alliance-ruptures", **fields) -> Entry:
    """A small entry with site-given tags; `fields` override any of its values."""
    values = dict(
        id=id, month="2019-04", title="Alliance Ruptures", summary="Ruptures happen.",
        implications="Repair them.", topics=("Alliance and Therapeutic Relationship",),
        research_type="Single Empirical Study",
    )
    values.update(fields)
    return Entry(**values)


def stored(folder) -> list[Entry]:
    with Archive(folder) as archive:
        return list(archive.entries())


def write_lines(path, *lines: str):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --- ids and repeated imports ------------------------------------------------------------


def test_sample_import_gives_the_readable_ids(empty_data):
    report = import_paths(empty_data, [SAMPLE])

    assert report.counts == UpsertCounts(new=6, updated=0, unchanged=0)
    assert [e.id for e in stored(empty_data)] == SAMPLE_IDS


def test_importing_the_sample_twice_leaves_six_entries_unchanged(sample_data):
    before = stored(sample_data)

    report = import_paths(sample_data, [SAMPLE])

    assert report.counts == UpsertCounts(new=0, updated=0, unchanged=6)
    assert stored(sample_data) == before
    assert [e.id for e in before] == SAMPLE_IDS


def test_export_then_import_round_trips_exactly(sample_data, empty_data, tmp_path, run_cli):
    exported = run_cli("export")
    assert exported.exit_code == 0
    dump = tmp_path / "entries.jsonl"
    dump.write_text(exported.stdout, encoding="utf-8")

    imported = run_cli("import", str(dump), data=empty_data)
    assert imported.exit_code == 0, imported.output
    again = run_cli("export", data=empty_data)

    assert again.stdout.splitlines() == exported.stdout.splitlines()
    assert len(exported.stdout.splitlines()) == 6
    assert stored(empty_data) == stored(sample_data)


# --- upserts -----------------------------------------------------------------------------


def test_upsert_counts_new_updated_and_unchanged(empty_data):
    with Archive(empty_data) as archive:
        first = archive.upsert([entry(), entry(id="2019-05-b", month="2019-05", title="B")])
        second = archive.upsert([
            entry(),  # the same again
            entry(id="2019-05-b", month="2019-05", title="B", summary="Changed."),
            entry(id="2019-06-c", month="2019-06", title="C"),
        ])
        kept = list(archive.entries())

    assert first == UpsertCounts(new=2, updated=0, unchanged=0)
    assert second == UpsertCounts(new=1, updated=1, unchanged=1)
    assert kept == [
        entry(id="2019-06-c", month="2019-06", title="C"),
        entry(id="2019-05-b", month="2019-05", title="B", summary="Changed."),
        entry(),
    ]


def test_an_upsert_that_fails_midway_leaves_the_archive_as_it_was(empty_data):
    with Archive(empty_data) as archive:
        archive.upsert([entry()])
    before = stored(empty_data)

    def arriving():
        yield entry(summary="Rewritten.")
        yield entry(id="2020-01-new", month="2020-01", title="New")
        raise RuntimeError("the source broke")

    with Archive(empty_data) as archive:
        with pytest.raises(RuntimeError, match="the source broke"):
            archive.upsert(arriving())
        assert list(archive.entries()) == before  # this connection sees no half-write
        archive.upsert([entry(id="2020-02-later", month="2020-02", title="Later")])  # still usable

    assert stored(empty_data) == [entry(id="2020-02-later", month="2020-02", title="Later"), entry()]


# --- merging ------------------------------------------------------------------------------


def test_merge_keeps_site_tags_over_inferred_ones_and_a_known_url():
    old = entry(url=URL)
    new = entry(
        summary="Ruptures happen often.", topics=("Miscellaneous",), topics_inferred=True,
        research_type="Review or Book Chapter", type_inferred=True, url="",
    )

    assert merge(old, new) == entry(summary="Ruptures happen often.", url=URL)


def test_merge_takes_new_site_tags_and_a_new_url():
    old = entry(url=URL, topics=("Miscellaneous",), topics_inferred=True)
    new = entry(topics=("Empathy",), url=URL + "-moved")

    assert merge(old, new) == new


def test_merge_keeps_inferred_tags_when_the_old_entry_had_no_site_tags():
    old = entry(topics=("Miscellaneous",), topics_inferred=True)
    new = entry(topics=("Empathy", "Training"), topics_inferred=True)

    assert merge(old, new) == new


def test_upsert_merges_so_a_reimport_without_tags_keeps_the_site_tags(empty_data):
    with Archive(empty_data) as archive:
        archive.upsert([entry(url=URL)])
        counts = archive.upsert([
            entry(topics=("Miscellaneous",), topics_inferred=True,
                  research_type="Review or Book Chapter", type_inferred=True, url="")
        ])

    assert counts == UpsertCounts(new=0, updated=0, unchanged=1)
    assert stored(empty_data) == [entry(url=URL)]


# --- JSON Lines import -----------------------------------------------------------------


def line(**fields) -> str:
    base = {"month": "2019-04", "title": "Alliance Ruptures", "summary": "Ruptures happen.",
            "topics": ["Alliance and Therapeutic Relationship"],
            "research_type": "Single Empirical Study"}
    base.update(fields)
    return json.dumps(base, ensure_ascii=False)


def test_a_bad_jsonl_line_is_reported_by_number_and_the_others_kept(empty_data, tmp_path):
    path = write_lines(
        tmp_path / "entries.jsonl",
        line(month="2019-04", title="First"),
        '{"month": "2019-05", "title": "Broken", ',
        line(month="2019-06", title="Third"),
    )

    report = import_paths(empty_data, [path])

    assert report.problems == (f"{path}:2: skipped: not valid JSON",)
    assert report.counts == UpsertCounts(new=2, updated=0, unchanged=0)
    assert [e.id for e in stored(empty_data)] == ["2019-06-third", "2019-04-first"]


def test_jsonl_lines_with_wrong_values_are_reported_with_the_reason(empty_data, tmp_path):
    path = write_lines(
        tmp_path / "entries.jsonl",
        line(month="April 2019"),
        "",
        line(title="   "),
        line(topics="Empathy"),
        "[1, 2]",
        line(title="Kept"),
    )

    report = import_paths(empty_data, [path])

    assert report.problems == (
        f"{path}:1: skipped: month must be given as YYYY-MM",
        f"{path}:3: skipped: title is missing",
        f"{path}:4: skipped: topics must be a list of names",
        f"{path}:5: skipped: a line must hold one JSON object",
    )
    assert [e.id for e in stored(empty_data)] == ["2019-04-kept"]


def test_jsonl_id_is_derived_when_absent_and_unknown_fields_ignored(empty_data, tmp_path):
    path = write_lines(
        tmp_path / "entries.jsonl",
        line(title="Flückiger’s  Alliance: A Meta-Analysis?", likes=3, comments=["nice"],
             url=URL),
        line(id="2019-04-my-own-id", title="Given Id", summary=""),
    )

    report = import_paths(empty_data, [path])

    assert report.problems == ()
    assert stored(empty_data) == [
        Entry(
            id="2019-04-fluckigers-alliance-a-meta-analysis",
            month="2019-04", title="Flückiger’s Alliance: A Meta-Analysis?",
            summary="Ruptures happen.", topics=("Alliance and Therapeutic Relationship",),
            research_type="Single Empirical Study", url=URL,
        ),
        Entry(
            id="2019-04-my-own-id", month="2019-04", title="Given Id",
            topics=("Alliance and Therapeutic Relationship",),
            research_type="Single Empirical Study",
        ),
    ]


def test_jsonl_reimport_of_the_same_entry_updates_it_instead_of_duplicating(empty_data, tmp_path):
    import_paths(empty_data, [write_lines(tmp_path / "a.jsonl", line())])
    report = import_paths(empty_data, [write_lines(tmp_path / "b.jsonl", line(summary="New text."))])

    assert report.counts == UpsertCounts(new=0, updated=1, unchanged=0)
    assert [(e.id, e.summary) for e in stored(empty_data)] == [
        ("2019-04-alliance-ruptures", "New text.")
    ]
