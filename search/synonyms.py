"""Abbreviations and near-synonyms, read from synonyms.txt and applied at query time.

The shipped file comes first; a data folder's own `synonyms.txt` (lines an admin added, e.g.
from the zero-result queries on /admin) extends it: a line naming a form the shipped file
already groups adds its other forms to that group. Both are reloaded when either changes.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from index.analysis import terms

log = logging.getLogger(__name__)

DEFAULT_FILE = Path(__file__).with_name("synonyms.txt")
# A data folder's own lines, extending the shipped file.
DATA_FILE = "synonyms.txt"


@dataclass(frozen=True)
class Form:
    """One way of saying something, as typed in the file and as index terms."""

    text: str
    terms: tuple[str, ...]


class Synonyms:
    """Groups of equivalent forms, looked up by their terms; reloaded when a file changes."""

    def __init__(self, path: Path | str = DEFAULT_FILE, extra: Path | str | None = None):
        self.path = Path(path)
        self.extra = Path(extra) if extra is not None else None
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._groups: dict[tuple[str, ...], tuple[Form, ...]] = {}
        self._abbreviations: frozenset[str] = frozenset()
        self.longest = 1

    def _files(self) -> tuple[Path, ...]:
        return (self.path,) if self.extra is None else (self.path, self.extra)

    def _load(self) -> None:
        stamp = tuple(_file_stamp(path) for path in self._files())
        if stamp[0] is None or stamp == self._stamp:
            return
        with self._lock:
            groups: dict[tuple[str, ...], tuple[Form, ...]] = {}
            for path, extends in zip(self._files(), (False, True)):
                if extends and stamp[-1] is None:
                    continue
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    log.warning("cannot read synonyms from %s: %s", path, exc)
                    continue
                _read_lines(path, text, groups, extends)
            # A long form's first three words or more stand for it ("eye movement
            # desensitization" for EMDR), when they start the forms of one group only.
            starts: dict[tuple[str, ...], set[tuple[Form, ...]]] = {}
            for forms in groups.values():
                for form in forms:
                    for size in range(3, len(form.terms)):
                        starts.setdefault(form.terms[:size], set()).add(forms)
            for start, owners in starts.items():
                if len(owners) == 1 and start not in groups:
                    groups[start] = next(iter(owners))
            self._groups = groups
            self._abbreviations = frozenset(
                form.text for forms in groups.values() for form in forms
                if len(form.terms) == 1 and form.text.isalpha() and form.text.isupper()
            )
            self.longest = max((len(k) for k in groups), default=1)
            self._stamp = stamp

    def pinned(self) -> "Synonyms":
        """The groups as the files hold them now, not checked again: for the many look-ups
        of one answer (each look-up of this object checks both files' stamps)."""
        self._load()
        pinned = _Pinned.__new__(_Pinned)
        pinned.__dict__.update(self.__dict__)
        return pinned

    def stamp(self) -> tuple | None:
        """Changes whenever a file does, so cached answers made with old synonyms expire."""
        self._load()
        return self._stamp

    def abbreviations(self) -> frozenset[str]:
        """The abbreviations the file names (CBT, PTSD, ...), as written there."""
        self._load()
        return self._abbreviations

    def long_forms(self) -> list[str]:
        """The forms of more than one word (what abbreviations stand for), as written."""
        self._load()
        return sorted({form.text for forms in self._groups.values() for form in forms
                       if len(form.terms) > 1})

    def meaning(self, abbreviation: str) -> str:
        """An abbreviation's first long form ("PTSD" -> "posttraumatic stress disorder"), or ""."""
        if abbreviation.upper() not in self.abbreviations():
            return ""
        forms = self.group(tuple(terms(abbreviation)))
        return next((f.text for f in forms if f.text.upper() != abbreviation.upper()), "")

    def group(self, key: tuple[str, ...]) -> tuple[Form, ...]:
        """The forms equivalent to these terms (itself included), or () when none."""
        self._load()
        return self._groups.get(key, ())


class _Pinned(Synonyms):
    """Synonyms.pinned(): loaded once, never reloaded."""

    def _load(self) -> None:
        return


def _file_stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def parse_line(line: str) -> tuple[Form, ...]:
    """A line's forms (comment dropped, spellings the analyzer unifies collapsed); fewer than
    two means the line says nothing."""
    line = line.split("#", 1)[0].strip()
    forms = tuple(Form(text.strip(), tuple(terms(text))) for text in line.split("=") if text.strip())
    # Spellings the analyzer already unifies collapse into one form.
    return tuple({f.terms: f for f in reversed(forms) if f.terms}.values())[::-1]


def _read_lines(path: Path, text: str, groups: dict, extends: bool) -> None:
    """Add a file's groups; a line of a file that `extends` merges into the groups it touches."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.split("#", 1)[0].strip():
            continue
        forms = parse_line(line)
        if len(forms) < 2:
            log.warning("%s:%d: a synonym line needs two forms", path, number)
            continue
        if extends:
            merged = {}
            for form in forms:
                for known in groups.get(form.terms, ()):
                    merged.setdefault(known.terms, known)
            for form in forms:
                merged.setdefault(form.terms, form)
            forms = tuple(merged.values())
        for form in forms:
            groups[form.terms] = forms


_DATA_HEADER = ("# This data folder's own synonym lines (added on /admin, or by hand). They extend\n"
                "# the shipped search/synonyms.txt; the next search uses them, no reindex needed.\n")


def add_line(path: Path | str, line: str) -> tuple[Form, ...]:
    """Append a synonym line ("jitters = panic attacks") to a data folder's file; its forms.

    ValueError when the line does not name two forms.
    """
    line = " ".join(line.split())
    if "#" in line:
        raise ValueError("A synonym line cannot hold '#' (it starts a comment).")
    forms = parse_line(line)
    if len(forms) < 2:
        raise ValueError("A synonym line needs two different forms, like \"jitters = panic attacks\".")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as f:
        f.seek(0)
        existing = f.read()
        text = " = ".join(form.text for form in forms) + "\n"
        if not existing:
            text = _DATA_HEADER + text
        elif not existing.endswith("\n"):
            text = "\n" + text
        f.write(text)  # one write, appended: a reader sees the file before or after it
    return forms
