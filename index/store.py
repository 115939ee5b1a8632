"""Index generations in the data folder, and the atomic swap that makes a new one current.

Layout: `<data>/index/<generation>/` holds one complete Whoosh index; `<data>/index/CURRENT`
names the generation readers use. A build writes a new generation beside the serving one and
then replaces CURRENT in one rename, so a reader sees the old index or the new one, never half
of one. A build that dies leaves a `.building-*` folder that the next build clears away.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
import os
import pickle
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from contextlib import contextmanager, nullcontext
from time import sleep as _sleep  # (tests stand in for `time`, which names generations)
from typing import Callable, Iterable, Iterator

from whoosh import index as whoosh_index

from crawler.evidence_rules import patterns_stamp
from crawler.records import Entry

from . import bitsets, segment
from .analysis import ANALYZER_VERSION
from .errors import IndexBuildFailed, IndexBusy, IndexNotBuilt
from .mapped import MappedStorage
from .schema import build_schema
from .spelling import Spelling

log = logging.getLogger(__name__)

INDEX_FOLDER = "index"
CURRENT_FILE = "CURRENT"  # names the serving generation (search reads its stat too)
_INFO = "build.json"
# Each file's stat (size, mtime, ctime, inode, device) when its checksum last matched: a file
# that still has it was not changed through the file system since, and is not read again.
_VERIFIED = "verified.json"
# A stamp is only written for files last changed longer ago than this (s): a file system with
# coarse timestamps could give a change made within one tick the same ctime.
_SETTLE = 0.05
# Old generations kept after a swap, for readers that still hold them open.
_KEEP_OLD = 2
# Facet values' documents as bitsets, written by the build so a reader need not read postings.
FACETS_FILE = "facets.pickle"
NEWEST_FIRST = "newest-first"


@dataclass(frozen=True)
class Generation:
    """One complete index: its name (the index version) and when it was built."""

    name: str
    path: Path
    entries: int
    built_at: str
    seconds: float
    topic_names: dict[str, str]  # indexed topic key -> the name shown
    # CPU seconds of the build, in every process it used, and how many processes that was.
    cpu_seconds: float = 0.0
    processes: int = 1
    # Documents are numbered newest first (month, then id), so date order needs no sorting.
    newest_first: bool = False
    analyzer_version: int = 0  # index.analysis.ANALYZER_VERSION of the build
    evidence: str = ""  # crawler.evidence_rules.patterns_stamp() of the build; "" before evidence
    # (file name, size, sha256) of every file the build wrote; empty for an older build.
    files: tuple[tuple[str, int, str], ...] = ()

    @property
    def current_analysis(self) -> bool:
        """False when words were indexed by another version of the analysis: reindex."""
        return self.analyzer_version == ANALYZER_VERSION

    @property
    def current_evidence(self) -> bool:
        """False when evidence was read by other patterns, or not at all: reindex."""
        return self.evidence == patterns_stamp()


class IndexStore:
    """The index generations of one data folder."""

    def __init__(self, data_folder: Path | str, processes: int | None = None):
        self.root = Path(data_folder) / INDEX_FOLDER
        self._held = False
        # How many worker processes a build uses (0: none; None: decided per build, see
        # index.segment.build).
        self.processes = processes

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the build lock across more than a build (an import's archive write and its
        build), so no other build slips in between; IndexBusy when another process holds it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with _BuildLock(self.root / ".build.lock"):
            self._held = True
            try:
                yield
            finally:
                self._held = False

    def current_name(self) -> str | None:
        """The serving generation's name, read fresh (another process may have swapped)."""
        try:
            return (self.root / CURRENT_FILE).read_text(encoding="ascii").strip() or None
        except FileNotFoundError:
            return None

    def current(self) -> Generation:
        name = self.current_name()
        if name is None or not (self.root / name).is_dir():
            raise IndexNotBuilt(str(self.root.parent))
        return self._generation(name)

    def generation(self, name: str) -> Generation:
        """A generation by name, as its build recorded it."""
        return self._generation(name)

    def _generation(self, name: str) -> Generation:
        path = self.root / name
        try:
            info = json.loads((path / _INFO).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        return Generation(
            name=name, path=path, entries=info.get("entries", 0),
            built_at=info.get("built_at", ""), seconds=info.get("seconds", 0.0),
            cpu_seconds=info.get("cpu_seconds", 0.0), processes=info.get("processes", 1),
            topic_names=info.get("topic_names", {}),
            newest_first=info.get("order") == NEWEST_FIRST,
            analyzer_version=info.get("analyzer_version", 0),
            evidence=info.get("evidence", ""),
            files=tuple((n, int(f.get("size", -1)), str(f.get("sha256", "")))
                        for n, f in sorted(info.get("files", {}).items())),
        )

    def verify(self, name: str) -> str | None:
        """What is wrong with a generation's files (None when all are as the build wrote them):
        each file's size and checksum, against the manifest in its build.json. Done when a
        process opens a generation, not per request; a checksum is read only for a file
        changed since it last matched (verified.json: the build stamps what it wrote, so the
        first query after a swap does not read the whole index, ~50 ms at 10k)."""
        problem = self._info_problem(name)
        if problem:
            return problem
        generation = self._generation(name)
        problem = self.intact(generation)
        if problem:
            return problem
        states = _states(generation.path, [file_name for file_name, _, _ in generation.files])
        stamped = _read_stamp(generation.path) if states is not None else {}
        checked = False
        for file_name, _, digest in generation.files:
            if states is not None and stamped.get(file_name) == states[file_name]:
                continue
            if _digest(generation.path / file_name) != digest:
                return f"{name}/{file_name} does not match the checksum written when it was built"
            checked = True
        if checked and states is not None:
            _write_stamp(generation.path, states)
        return None

    def intact(self, generation: Generation) -> str | None:
        """The cheap check, made before every use of a mapped generation: each file still has
        the size the build wrote. A mapped file that shrank would kill the reading process
        (SIGBUS) on its next read past the new end; this catches it before that read."""
        for file_name, path, size in _paths(str(generation.path), generation.files):
            try:
                found = os.stat(path).st_size
            except OSError:
                return f"{generation.name}/{file_name} is missing"
            if found != size:
                return f"{generation.name}/{file_name} is {found} bytes; its build wrote {size}"
        return None

    def _info_problem(self, name: str) -> str | None:
        try:
            info = json.loads((self.root / name / _INFO).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return f"{name}/{_INFO} cannot be read"
        if not isinstance(info, dict) or not isinstance(info.get("files", {}), dict):
            return f"{name}/{_INFO} is not a build record"
        return None

    def facet_docnums(self, name: str) -> dict | None:
        """What a build wrote of its facet values' documents, as bitsets (None for an older
        build). The file is the build's own, in the data folder, like the index itself."""
        try:
            with open(self.root / name / FACETS_FILE, "rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError):
            return None

    def spelling(self, name: str, reader) -> Spelling:
        """The generation's words as typed, for spelling help (from its field, if built before
        they were kept in a file of their own)."""
        found = Spelling.load(self.root / name)
        return found if found is not None else Spelling.from_field(reader)

    def open(self, name: str | None = None):
        """The Whoosh index of a generation (the current one by default)."""
        generation = self._generation(name) if name else self.current()
        return MappedStorage(str(generation.path)).open_index()

    def build(
        self,
        entries: Iterable[Entry],
        total: int | None = None,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> Generation:
        """Index `entries` into a new generation and make it current."""
        with nullcontext() if self._held else self.exclusive():
            self._clear_dead_builds()
            started, cpu = time.monotonic(), time.process_time()
            name = _generation_name()
            building = self.root / f".building-{name}"
            building.mkdir()
            try:
                topic_names: dict[str, str] = {}
                entries = sorted(entries, key=lambda e: e.id)
                entries.sort(key=lambda e: e.month, reverse=True)  # stable: month desc, id asc
                built = self._write(building, entries, total, progress, topic_names)
                count = built.count
                seconds = round(time.monotonic() - started, 3)
                info = {"entries": count, "seconds": seconds,
                        "cpu_seconds": round(time.process_time() - cpu + built.worker_cpu, 3),
                        "processes": built.processes,
                        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                        "topic_names": topic_names, "order": NEWEST_FIRST,
                        "analyzer_version": ANALYZER_VERSION, "evidence": patterns_stamp(),
                        "files": _manifest(building)}
                (building / _INFO).write_text(json.dumps(info), encoding="utf-8")
                _stamp_built(building, info["files"])
                _fsync_tree(building)
                os.rename(building, self.root / name)
                self._point_to(name)
            except OSError as exc:
                shutil.rmtree(building, ignore_errors=True)
                raise IndexBuildFailed(
                    f"Could not write the new index in {self.root}: {exc.strerror or exc}. "
                    "The previous index still serves; free the space or fix the folder's "
                    "permissions and try again."
                ) from exc
            except BaseException:
                shutil.rmtree(building, ignore_errors=True)
                raise
            self._remove_old(keep=name)
            log.info("index %s built: %d entries in %.2fs", name, count, seconds)
            return self._generation(name)

    def _write(self, folder: Path, entries, total, progress, topic_names: dict) -> segment.Built:
        ix = whoosh_index.create_in(str(folder), build_schema())
        # One segment, no merging during the build: the fastest way to write a whole index.
        # Its files stay separate: a reader of a compound file copies the whole postings file
        # into memory each time it opens (Whoosh's BufferFile), ~20 ms and ~25 MB at 10k.
        with ix.writer(limitmb=256, procs=1, compound=False) as writer:
            built = segment.build(
                writer, entries, self.processes,
                progress=(lambda done: progress(done, total)) if progress else None)
        ix.close()
        count = built.count
        topic_names.update(built.topic_names)
        built.spelling.spelling().save(folder)
        bits = {name: {key: bitsets.from_docnums(docnums, count) for key, docnums in values.items()}
                for name, values in built.facets.items()}
        with open(folder / FACETS_FILE, "wb") as f:
            pickle.dump({"size": count, "bits": bits, "participants": built.participants}, f,
                        protocol=pickle.HIGHEST_PROTOCOL)
        if progress:
            progress(count, total)
        return built

    def _point_to(self, name: str) -> None:
        tmp = self.root / f".{CURRENT_FILE}.{os.getpid()}"
        with open(tmp, "w", encoding="ascii") as f:
            f.write(name + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.root / CURRENT_FILE)
        _fsync_dir(self.root)

    def generations(self) -> list[str]:
        return sorted(p.name for p in self.root.glob("gen-*") if p.is_dir())

    def _remove_old(self, keep: str) -> None:
        old = [name for name in self.generations() if name != keep]
        for name in old[: max(0, len(old) - _KEEP_OLD)]:
            shutil.rmtree(self.root / name, ignore_errors=True)

    def _clear_dead_builds(self) -> None:
        # Only called under the build lock, so no live build owns these.
        for path in self.root.glob(".building-*"):
            shutil.rmtree(path, ignore_errors=True)


def _generation_name() -> str:
    """A name that sorts by build time: one clock reading, to the nanosecond."""
    ns = time.time_ns()
    return time.strftime("gen-%Y%m%dT%H%M%S", time.gmtime(ns // 10**9)) + f"-{ns % 10**9:09d}"


class _BuildLock:
    """One build at a time per data folder, across processes."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.file = open(self.path, "a+")
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.file.close()
            raise IndexBusy(
                "Another index build is running in this data folder; wait for it to finish."
            ) from None
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()


@functools.lru_cache(maxsize=64)
def _paths(folder: str, files: tuple) -> tuple[tuple[str, str, int], ...]:
    """(file name, path as a string, size) of each file a generation's build recorded: checked
    before every use, so made once."""
    return tuple((name, os.path.join(folder, name), size) for name, size, _ in files)


def _digest(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _states(folder: Path, names: list[str]) -> dict[str, list[int]] | None:
    """Each file's stat as a stamp records it; None when one cannot be read."""
    found = {}
    try:
        for name in names:
            st = os.stat(folder / name)
            found[name] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]
    except OSError:
        return None
    return found


def _read_stamp(folder: Path) -> dict:
    try:
        found = json.loads((folder / _VERIFIED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _write_stamp(folder: Path, states: dict[str, list[int]]) -> bool:
    """Record files whose checksums just matched, unless one changed within _SETTLE (by the
    file system's own clock: the new stamp's ctime); best effort, a read-only folder checks
    again next time."""
    tmp = folder / f".{_VERIFIED}.{os.getpid()}.{threading.get_ident()}"
    try:
        tmp.write_text(json.dumps(states), encoding="utf-8")
        now = os.stat(tmp).st_ctime_ns
        if any(now - state[2] < _SETTLE * 1e9 for state in states.values()):
            tmp.unlink()
            return False
        os.replace(tmp, folder / _VERIFIED)
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    return True


def _stamp_built(folder: Path, manifest: dict[str, dict]) -> None:
    """Stamp the files a build just checksummed, once they are _SETTLE old (at most that
    long a wait), so that any later change to one of them gets another ctime."""
    states = _states(folder, sorted(manifest))
    if states is None or any(states[name][0] != manifest[name]["size"] for name in states):
        return
    for _ in range(20):
        if _write_stamp(folder, states):
            return
        _sleep(_SETTLE / 10)


def _manifest(folder: Path) -> dict[str, dict]:
    """Each file of a generation being built: its size and checksum, for checks when opened."""
    return {path.name: {"size": path.stat().st_size, "sha256": _digest(path)}
            for path in sorted(folder.iterdir()) if path.is_file() and path.name != _INFO}


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    """Whoosh never fsyncs; do it before the swap so a crash cannot expose a torn index."""
    for path in folder.iterdir():
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
    _fsync_dir(folder)
