"""Index generations: building, the atomic swap of CURRENT, failed builds, cleanup, the lock."""

from __future__ import annotations

import fcntl
import json
import time

import pytest

from crawler.records import Entry
from index.archive import Archive
from index.errors import IndexBusy, IndexNotBuilt
from index.ingest import import_paths
from index.rebuild import rebuild
from index.store import IndexStore
from search.records import SearchRequest
from search.service import SearchService

PANIC_ENTRY = Entry(
    id="2021-11-panic", month="2021-11", title="Panic Treatments",
    summary="Panic attacks respond to therapy.", topics=("Anxiety Disorders",),
    research_type="Meta-analysis or Systematic Review",
)
GRIEF_ENTRY = Entry(
    id="2022-02-grief", month="2022-02", title="Grief Groups",
    summary="Grief eases in groups.", topics=("Group Psychotherapy", "Long-term Outcomes"),
    research_type="Single Empirical Study",
)
NEW_PANIC_ENTRY = Entry(
    id="2023-01-panic-online", month="2023-01", title="Online Panic Help",
    summary="Panic responds online too.", topics=("Anxiety Disorders",),
    research_type="Single Empirical Study",
)


def ids(service: SearchService, q: str) -> list[str]:
    return [hit.id for hit in service.search(SearchRequest(q=q, sort="newest")).hits]


def leftovers(store: IndexStore) -> list[str]:
    return sorted(p.name for p in store.root.glob(".building-*"))


def test_a_build_makes_a_generation_and_current_names_it(empty_data):
    store = IndexStore(empty_data)

    generation = store.build([PANIC_ENTRY, GRIEF_ENTRY])

    assert store.generations() == [generation.name]
    assert (store.root / "CURRENT").read_text(encoding="ascii") == generation.name + "\n"
    assert store.current_name() == generation.name
    assert store.current() == generation
    assert (generation.entries, generation.path) == (2, store.root / generation.name)
    assert generation.topic_names == {
        "anxiety-disorders": "Anxiety Disorders",
        "group-psychotherapy": "Group Psychotherapy",
        "long-term-outcomes": "Long-term Outcomes",
    }
    assert leftovers(store) == []


def test_no_build_means_index_not_built(empty_data):
    store = IndexStore(empty_data)

    assert store.current_name() is None
    with pytest.raises(IndexNotBuilt, match="pprsearch import"):
        store.current()
    with pytest.raises(IndexNotBuilt):
        SearchService(empty_data, answer_cache=0).search(SearchRequest(q="panic"))


def test_a_second_build_swaps_current_and_a_running_service_sees_it(empty_data):
    store = IndexStore(empty_data)
    first = store.build([PANIC_ENTRY, GRIEF_ENTRY])
    service = SearchService(empty_data, answer_cache=0)
    assert ids(service, "panic") == ["2021-11-panic"]

    second = store.build([PANIC_ENTRY, GRIEF_ENTRY, NEW_PANIC_ENTRY])

    assert store.current_name() == second.name != first.name
    assert store.generations() == sorted([first.name, second.name])
    assert ids(service, "panic") == ["2023-01-panic-online", "2021-11-panic"]
    assert service.search(SearchRequest()).index_version == second.name


def test_a_build_whose_entries_fail_leaves_the_old_generation_current(empty_data):
    store = IndexStore(empty_data)
    first = store.build([PANIC_ENTRY])
    service = SearchService(empty_data, answer_cache=0)

    def failing():
        yield GRIEF_ENTRY
        yield NEW_PANIC_ENTRY
        raise RuntimeError("archive read failed")

    with pytest.raises(RuntimeError, match="archive read failed"):
        store.build(failing())

    assert store.current_name() == first.name
    assert store.generations() == [first.name]
    assert leftovers(store) == []
    assert ids(service, "") == ["2021-11-panic"]


def test_the_next_build_clears_folders_left_by_a_dead_build(empty_data):
    store = IndexStore(empty_data)
    store.build([PANIC_ENTRY])
    dead = store.root / ".building-gen-20200101T000000-000000001"
    dead.mkdir()
    (dead / "half-written.seg").write_bytes(b"\0" * 16)

    latest = store.build([GRIEF_ENTRY])

    assert leftovers(store) == []
    assert store.current_name() == latest.name


class Clock:
    """Stands in for the `time` module in index/store.py: each build reads one tick.

    A tick is (what time.time() says, what time.time_ns() says); the kernel's coarse clock
    behind time() can lag the fine one by a few milliseconds.
    """

    def __init__(self, ticks: list[tuple[int, int]]):
        self.ticks = ticks
        self.i = 0
        self.strftime = time.strftime
        self.monotonic = time.monotonic
        self.process_time = time.process_time

    def gmtime(self, secs=None):
        return time.gmtime(self.ticks[min(self.i, len(self.ticks) - 1)][0] if secs is None else secs)

    def time_ns(self) -> int:
        self.i += 1
        return self.ticks[self.i - 1][1]


S = 1_700_000_000  # a whole second
NS = 10**9


def test_generations_beyond_two_old_ones_are_removed(empty_data, monkeypatch):
    ticks = [(S, S * NS + 100), (S + 1, (S + 1) * NS + 5), (S + 1, (S + 1) * NS + 9),
             (S + 7, (S + 7) * NS)]
    monkeypatch.setattr("index.store.time", Clock(ticks))
    store = IndexStore(empty_data)

    built = [store.build([PANIC_ENTRY]).name for _ in range(4)]

    assert built == [
        "gen-20231114T221320-000000100", "gen-20231114T221321-000000005",
        "gen-20231114T221321-000000009", "gen-20231114T221327-000000000",
    ]
    assert store.generations() == built[1:]
    assert store.current_name() == built[-1]


def test_generations_beyond_two_old_ones_are_removed_for_real(empty_data):
    store = IndexStore(empty_data)
    built = [store.build([PANIC_ENTRY]).name for _ in range(4)]

    assert set(store.generations()) <= set(built)
    assert len(store.generations()) == 3
    assert store.current_name() == built[-1]


def test_the_old_generations_kept_are_the_latest_even_across_a_second_boundary(
    empty_data, monkeypatch
):
    ticks = [
        (S, S * NS + 500_000_000),
        (S, S * NS + 900_000_000),
        (S, (S + 1) * NS + 2_000_000),  # time() still says S; time_ns() is 2 ms into S + 1
        (S + 1, (S + 1) * NS + 500_000_000),
    ]
    monkeypatch.setattr("index.store.time", Clock(ticks))
    store = IndexStore(empty_data)

    built = [store.build([PANIC_ENTRY]).name for _ in range(4)]

    assert store.current_name() == built[-1]
    assert sorted(store.generations()) == sorted(built[1:])


def test_a_build_while_the_lock_is_held_raises_index_busy(empty_data):
    store = IndexStore(empty_data)
    first = store.build([PANIC_ENTRY])

    with open(store.root / ".build.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(IndexBusy, match="Another index build is running"):
            store.build([GRIEF_ENTRY])
        assert store.current_name() == first.name
        assert store.generations() == [first.name]
        assert leftovers(store) == []
        fcntl.flock(held, fcntl.LOCK_UN)

    assert store.build([GRIEF_ENTRY]).entries == 1


def test_rebuild_indexes_every_archive_entry(empty_data):
    with Archive(empty_data) as archive:
        archive.upsert([PANIC_ENTRY, GRIEF_ENTRY, NEW_PANIC_ENTRY])

    generation = rebuild(empty_data)

    assert generation.entries == 3
    service = SearchService(empty_data, answer_cache=0)
    assert ids(service, "") == ["2023-01-panic-online", "2022-02-grief", "2021-11-panic"]


def test_an_import_while_a_build_holds_the_lock_changes_nothing(sample_data, tmp_path):
    store = IndexStore(sample_data)
    version = store.current_name()
    path = tmp_path / "new.jsonl"
    path.write_text('{"month": "2024-01", "title": "Would Be New"}\n', encoding="utf-8")
    with Archive(sample_data) as archive:
        before = list(archive.entries())

    with open(store.root / ".build.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(IndexBusy):
            import_paths(sample_data, [path])
        fcntl.flock(held, fcntl.LOCK_UN)

    with Archive(sample_data) as archive:
        assert list(archive.entries()) == before
    assert store.current_name() == version


def test_the_facet_bitsets_a_build_writes_equal_those_read_from_postings(sample_data):
    from search.facets import load_facet_data

    store = IndexStore(sample_data)
    generation = store.current()
    built = store.facet_docnums(generation.name)
    assert built is not None and built["size"] == 6
    with store.open(generation.name).reader() as reader:
        from_build = load_facet_data(reader, generation.topic_names, built)
        from_postings = load_facet_data(reader, generation.topic_names, None)
    assert from_build == from_postings
    assert from_build.bits["year"].keys() == {"2020", "2021", "2022", "2023"}


def test_a_generation_is_read_through_memory_maps_of_separate_files(sample_data):
    """A compound segment would be copied into memory by every searcher that opens it."""
    import mmap

    store = IndexStore(sample_data)
    generation = store.current()
    assert not list(generation.path.glob("*.seg"))
    assert list(generation.path.glob("*.pst")) and list(generation.path.glob("*.trm"))
    with store.open(generation.name).searcher() as searcher:
        terms = searcher.reader()._terms
        assert isinstance(terms._postfile.file, mmap.mmap)
        assert isinstance(terms._dbfile.file, mmap.mmap)
        assert searcher.document_number(id=searcher.stored_fields(0)["id"]) == 0


def test_a_generation_in_the_previous_layout_still_serves_and_suggests(sample_data):
    """Built before the upgrade: one compound segment holding a `spell` field, no spelling
    file. It answers (and corrects spelling) until the next reindex."""
    from whoosh import index as whoosh_index
    from whoosh.fields import TEXT

    from index.analysis import clinical_analyzer
    from index.schema import build_schema, document, spelling_words
    from search.records import SearchRequest, Suggestion
    from search.service import SearchService

    with Archive(sample_data) as archive:
        entries = sorted(archive.entries(), key=lambda e: e.id)
    entries.sort(key=lambda e: e.month, reverse=True)
    store = IndexStore(sample_data)
    generation = store.current()
    expected = SearchService(sample_data, answer_cache=0).search(SearchRequest(q="panic"))
    for path in generation.path.iterdir():
        if path.name not in ("build.json", "facets.pickle"):
            path.unlink()
    schema = build_schema()
    schema.add("spell", TEXT(analyzer=clinical_analyzer(stemming=False), phrase=False))
    old = whoosh_index.create_in(str(generation.path), schema)
    with old.writer() as writer:
        for entry in entries:
            writer.add_document(**document(entry), spell=" ".join(spelling_words(entry)))
    assert list(generation.path.glob("*.seg")) and not list(generation.path.glob("*.pst"))
    # Builds of that layout wrote no manifest of their files' sizes and checksums.
    info = json.loads((generation.path / "build.json").read_text(encoding="utf-8"))
    del info["files"]
    (generation.path / "build.json").write_text(json.dumps(info), encoding="utf-8")

    service = SearchService(sample_data, answer_cache=0)
    found = service.search(SearchRequest(q="panic"))
    assert [h.id for h in found.hits] == [h.id for h in expected.hits] and found.total >= 1
    assert service.search(SearchRequest(q="panic psychodinamic")).suggestion == Suggestion(
        q="panic psychodynamic", html="panic <mark>psychodynamic</mark>")


def _count_digests(monkeypatch) -> list[str]:
    """The files whose checksums index.store reads from now on."""
    import index.store

    read: list[str] = []
    real = index.store._digest

    def digest(path):
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(index.store, "_digest", digest)
    return read


def test_a_fresh_generation_opens_without_reading_its_checksums_again(empty_data, monkeypatch):
    """The build stamps the files it checksummed (verified.json), so the first search after
    a swap does not read the whole index; a byte changed since is still found."""
    store = IndexStore(empty_data)
    name = store.build([PANIC_ENTRY]).name
    read = _count_digests(monkeypatch)

    assert store.verify(name) is None
    assert read == []

    pst = next((empty_data / "index" / name).glob("*.pst"))
    raw = bytearray(pst.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    pst.write_bytes(bytes(raw))  # the same size: only the checksum can tell
    assert "checksum" in store.verify(name)
    assert pst.name in read


def test_a_full_check_that_passes_is_stamped_for_the_next_process(empty_data, monkeypatch):
    store = IndexStore(empty_data)
    name = store.build([PANIC_ENTRY]).name
    folder = empty_data / "index" / name
    (folder / "verified.json").unlink()  # as from a build before stamps, or a lost stamp
    files = {n for n, _, _ in store.generation(name).files}
    time.sleep(0.06)  # the stamp leaves out files changed in the last 50 ms
    read = _count_digests(monkeypatch)

    assert store.verify(name) is None
    assert set(read) == files
    read.clear()
    assert IndexStore(empty_data).verify(name) is None
    assert read == []

    # A file replaced by a copy of itself (a restore): another inode, that file checked again.
    pst = next(folder.glob("*.pst"))
    copy = pst.with_name("copy")
    copy.write_bytes(pst.read_bytes())
    copy.replace(pst)
    assert store.verify(name) is None
    assert read == [pst.name]
