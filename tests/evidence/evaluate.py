"""Evidence accuracy report: the extractor against the hand-labelled truth file.

Run from the repository root:

    python -m tests.evidence.evaluate

It reads sample/pprnet-blog-page.txt (six real entries) and tests/evidence/corpus.jsonl
(fictional summaries written for these tests), extracts each entry's evidence with
crawler/evidence.py, and compares it with tests/evidence/truth.toml, labelled by reading the
texts. Per field it prints precision (of the values extracted, the share the labels hold) and
recall (of the labelled values, the share extracted), then every value extracted that the labels
do not hold ("invented"), every labelled value missed, and every value whose words cannot be
found in the sentence it claims to come from.

Fields: design, studies, participants, effects (measure and value) and ci (an effect's interval,
low to high). The script is a report and always exits 0; tests/test_evidence.py turns invented
and unsupported values into failures.
"""

from __future__ import annotations

import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from crawler.evidence import Evidence, extract
from crawler.importer import read_file
from crawler.records import Entry

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SAMPLE = ROOT / "sample" / "pprnet-blog-page.txt"
CORPUS = HERE / "corpus.jsonl"
TRUTH = HERE / "truth.toml"
FIELDS = ("design", "studies", "participants", "effects", "ci")


@dataclass
class Tally:
    """Counts for one field: values extracted, values labelled, and the two agreeing."""

    extracted: int = 0
    labelled: int = 0
    correct: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.labelled if self.labelled else 1.0


@dataclass(frozen=True)
class Report:
    tallies: dict[str, Tally]
    invented: tuple[str, ...]  # extracted, not in the labels: precision errors
    missed: tuple[str, ...]  # labelled, not extracted: recall errors
    unsupported: tuple[str, ...]  # words not found where the value claims to come from


def entries() -> dict[str, Entry]:
    """The sample's entries and the test corpus's, by id."""
    found = {e.id: e for e in read_file(SAMPLE).entries}
    found.update((e.id, e) for e in read_file(CORPUS).entries)
    return found


def truth() -> dict[str, dict]:
    with open(TRUTH, "rb") as f:
        return {item["id"]: item for item in tomllib.load(f)["entry"]}


def _effect_keys(effects) -> Counter:
    return Counter((e["measure"], round(float(e["value"]), 4)) for e in effects)


def _ci_keys(effects) -> Counter:
    return Counter((e["measure"], round(float(e["value"]), 4),
                    tuple(round(float(x), 4) for x in e["ci"]))
                   for e in effects if e.get("ci"))


def _supported(entry: Entry, evidence: Evidence) -> list[str]:
    """Values whose words are not in their sentence, or whose sentence is not in the entry."""
    text = " ".join(f"{entry.citation} {entry.summary}".split())
    problems = []
    mentions = (("design", evidence.design_from), ("studies", evidence.studies_from),
                ("participants", evidence.participants_from))
    for name, m in mentions:
        if m is not None and (m.text not in m.source or m.source not in text):
            problems.append(f"{entry.id}: {name} {m.text!r} not found in its sentence")
    for e in evidence.effects:
        if e.text not in e.source or e.source not in text:
            problems.append(f"{entry.id}: effect {e.text!r} not found in its sentence")
    return problems


def evaluate() -> Report:
    """The extractor's output on every labelled entry, compared with the labels."""
    by_id = entries()
    tallies = {field: Tally() for field in FIELDS}
    invented: list[str] = []
    missed: list[str] = []
    unsupported: list[str] = []
    for entry_id, label in truth().items():
        entry = by_id[entry_id]
        evidence = extract(entry)
        unsupported.extend(_supported(entry, evidence))
        got = evidence.to_dict()
        for field in ("design", "studies", "participants"):
            value, expected = got[field], label.get(field)
            tally = tallies[field]
            tally.extracted += value is not None
            tally.labelled += expected is not None
            if value is not None and value == expected:
                tally.correct += 1
            elif value is not None:
                invented.append(f"{entry_id}: {field} = {value!r} (labelled {expected!r})")
            if expected is not None and value != expected:
                missed.append(f"{entry_id}: {field} = {expected!r} (extracted {value!r})")
        for field, keys in (("effects", _effect_keys), ("ci", _ci_keys)):
            have, want = keys(got["effects"]), keys(label.get("effects", []))
            tally = tallies[field]
            tally.extracted += sum(have.values())
            tally.labelled += sum(want.values())
            tally.correct += sum((have & want).values())
            invented.extend(f"{entry_id}: {field} {k}" for k in (have - want).elements())
            missed.extend(f"{entry_id}: {field} {k}" for k in (want - have).elements())
    return Report(tallies, tuple(invented), tuple(missed), tuple(unsupported))


def main(out=None) -> None:
    out = out or sys.stdout
    report = evaluate()
    print(f"Evidence accuracy over {len(truth())} labelled entries "
          f"(tests/evidence/truth.toml)\n", file=out)
    print(f"{'field':<14}{'precision':>10}{'recall':>9}{'extracted':>11}{'labelled':>10}"
          f"{'correct':>9}", file=out)
    for field, t in report.tallies.items():
        print(f"{field:<14}{t.precision:>10.3f}{t.recall:>9.3f}{t.extracted:>11}{t.labelled:>10}"
              f"{t.correct:>9}", file=out)
    for title, items in (("Invented (extracted, not labelled)", report.invented),
                         ("Missed (labelled, not extracted)", report.missed),
                         ("Unsupported (words not in their sentence)", report.unsupported)):
        print(f"\n{title}: {len(items) or 'none'}", file=out)
        for item in items:
            print(f"  {item}", file=out)


if __name__ == "__main__":
    main()
