"""Abbreviations and near-synonyms, read from synonyms.txt and applied at query time."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from index.analysis import terms

log = logging.getLogger(__name__)

DEFAULT_FILE = Path(__file__).with_name("synonyms.txt")


@dataclass(frozen=True)
class Form:
    """One way of saying something, as typed in the file and as index terms."""

    text: str
    terms: tuple[str, ...]


class Synonyms:
    """Groups of equivalent forms, looked up by their terms; reloaded when the file changes."""

    def __init__(self, path: Path | str = DEFAULT_FILE):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._groups: dict[tuple[str, ...], tuple[Form, ...]] = {}
        self._abbreviations: frozenset[str] = frozenset()
        self.longest = 1

    def _load(self) -> None:
        try:
            st = os.stat(self.path)
        except OSError:
            return
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp == self._stamp:
            return
        with self._lock:
            groups: dict[tuple[str, ...], tuple[Form, ...]] = {}
            for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                forms = tuple(
                    Form(text.strip(), tuple(terms(text)))
                    for text in line.split("=") if text.strip()
                )
                # Spellings the analyzer already unifies collapse into one form.
                forms = tuple({f.terms: f for f in reversed(forms) if f.terms}.values())[::-1]
                if len(forms) < 2:
                    log.warning("%s:%d: a synonym line needs two forms", self.path, number)
                    continue
                for form in forms:
                    groups[form.terms] = forms
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

    def stamp(self) -> tuple[int, int] | None:
        """Changes whenever the file does, so cached answers made with old synonyms expire."""
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
