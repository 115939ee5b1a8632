"""Rebuilding the index never interrupts search: answers stay whole and consistent while a new
generation is built and swapped in, and a build killed half way leaves the old one serving."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import PPRSEARCH, cli_env

from crawler.jsonl import parse_jsonl
from crawler.vocabulary import RESEARCH_TYPES, TOPICS
from index.archive import Archive
from index.ingest import import_paths
from index.jobs import Jobs
from index.rebuild import rebuild
from index.store import IndexStore

BASE_ENTRIES = 600
NEW_ENTRIES = 50
# Added before the killed reindex: enough that its build takes a while to catch half way.
MORE_ENTRIES = 3000  # enough that the build is still running when it is killed
WORDS = (
    "therapy therapist client alliance outcome depression anxiety session treatment trial "
    "cognitive behavioural psychodynamic dropout feedback empathy relapse practice clinicians "
    "symptoms patients change process rupture repair supervision training"
).split()


def corpus(count: int, start: int = 0, title_word: str = "", seed: int = 7) -> str:
    """`count` JSON Lines entries with varied months, topics, types and words."""
    rand = random.Random(seed + start)
    lines = []
    for n in range(start, start + count):
        words = lambda k: " ".join(rand.choice(WORDS) for _ in range(k))  # noqa: E731
        lines.append(json.dumps({
            "month": f"{2013 + n % 12}-{1 + (n * 5) % 12:02d}",
            "title": f"{title_word} study {n} on {words(3)}".strip(),
            "summary": f"{words(80)} therapy {words(40)}" if n % 3 else words(120),
            "implications": words(30),
            "topics": rand.sample(TOPICS, 1 + n % 3),
            "research_type": RESEARCH_TYPES[n % len(RESEARCH_TYPES)],
        }))
    return "\n".join(lines) + "\n"


def add_to_archive(data: Path, text: str) -> int:
    """Upsert entries into the archive only; the index is left as it was."""
    parsed = parse_jsonl(text)
    assert not parsed.problems
    with Archive(data) as archive:
        counts = archive.upsert(parsed.entries)
    assert counts.new == len(parsed.entries)
    return counts.new


@pytest.fixture(scope="module")
def base_template(tmp_path_factory) -> Path:
    """A data folder of BASE_ENTRIES entries, archived and indexed once for the module."""
    folder = tmp_path_factory.mktemp("zero-downtime")
    source = folder / "corpus.jsonl"
    source.write_text(corpus(BASE_ENTRIES), encoding="utf-8")
    data = folder / "data"
    report = import_paths(data, [source])
    assert report.generation.entries == BASE_ENTRIES
    return data


@pytest.fixture
def base_data(base_template, tmp_path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(base_template, data)
    return data


def facet_sum(answer: dict, group: str) -> int:
    return sum(value["count"] for value in answer["facets"][group])



def test_search_answers_stay_whole_during_a_rebuild(base_data, make_app):
    app = make_app(base_data, ANSWER_CACHE=0)
    old = IndexStore(base_data).current_name()
    add_to_archive(base_data, corpus(NEW_ENTRIES, start=BASE_ENTRIES, title_word="Zebrafinch"))
    probe = app.test_client()
    assert probe.get("/api/search?q=zebrafinch").get_json()["total"] == 0

    stop = threading.Event()
    failures: list[str] = []
    answers: list[list[tuple]] = [[] for _ in range(4)]

    def search_loop(slot: int) -> None:
        client = app.test_client()
        queries = ("/api/search?q=therapy", "/api/search?q=", "/api/search?q=zebrafinch", "/healthz")
        n = slot
        try:
            while not stop.is_set():
                # A breath between searches, so the build gets its share of the GIL.
                stop.wait(0.03)
                path = queries[n % len(queries)]
                n += 1
                response = client.get(path)
                body = response.get_json()
                if response.status_code != 200:
                    failures.append(f"{path}: {response.status_code} {body}")
                    continue
                if path == "/healthz":
                    answers[slot].append((path, body["index_version"], body["entries"]))
                    continue
                years, types = facet_sum(body, "year"), facet_sum(body, "type")
                if not body["total"] == years == types:
                    failures.append(f"{path}: total {body['total']}, years {years}, types {types}")
                answers[slot].append((path, body["total"], len(body["hits"])))
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(f"{type(exc).__name__}: {exc}")

    def wait_for_answers(at_least: int) -> None:
        deadline = time.monotonic() + 30
        while min(len(a) for a in answers) < at_least and not failures:
            assert time.monotonic() < deadline, "the searching threads stopped answering"
            time.sleep(0.01)

    threads = [threading.Thread(target=search_loop, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    try:
        wait_for_answers(4)
        during = [len(a) for a in answers]
        generation = rebuild(base_data)
        answered_during_build = sum(len(a) for a in answers) - sum(during)
        after = min(len(a) for a in answers)
        wait_for_answers(after + 8)  # every thread answers again from the new index
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert not failures, failures[:5]
    assert answered_during_build > 0, "no search was answered while the index was being built"

    new = generation.name
    assert new != old
    totals = {"": (BASE_ENTRIES, BASE_ENTRIES + NEW_ENTRIES), "zebrafinch": (0, NEW_ENTRIES)}
    for slot_answers in answers:
        seen = {"": [], "zebrafinch": [], "healthz": []}
        for path, first, second in slot_answers:
            if path == "/healthz":
                assert first in (old, new)
                assert second == {old: BASE_ENTRIES, new: BASE_ENTRIES + NEW_ENTRIES}[first]
                seen["healthz"].append((old, new).index(first))
                continue
            q = path.split("q=", 1)[1]
            if q in totals:
                assert first in totals[q], (path, first)  # the old index or the new, never half
                seen[q].append(totals[q].index(first))
            if q == "therapy":
                assert first > 0
            assert second == min(10, first)
        for sequence in seen.values():
            # Once a thread has seen the new index it never sees the old one again.
            assert sequence == sorted(sequence), sequence
            assert sequence[0] == 0 and sequence[-1] == 1, sequence  # each saw both

    therapy = {total for slot in answers for path, total, _ in slot if path.endswith("q=therapy")}
    assert len(therapy) <= 2, therapy  # the old index's count and the new one's, nothing between

    found = probe.get("/api/search?q=zebrafinch&per_page=100").get_json()
    assert found["total"] == NEW_ENTRIES
    assert all(hit["title"].startswith("Zebrafinch") for hit in found["hits"])
    assert probe.get("/healthz").get_json()["index_version"] == new


def test_a_killed_reindex_leaves_the_old_index_serving(base_data, make_app):
    old = IndexStore(base_data).current_name()
    # A bigger archive: the build takes a while, and its result is easy to tell apart.
    add_to_archive(base_data, corpus(MORE_ENTRIES, start=BASE_ENTRIES, title_word="Zebrafinch"))
    app = make_app(base_data, ANSWER_CACHE=0)
    client = app.test_client()
    assert client.get("/healthz").get_json()["index_version"] == old

    index_folder = base_data / "index"
    with open(base_data.parent / "reindex.err", "wb") as err:
        child = subprocess.Popen(
            [*PPRSEARCH, "--data", str(base_data), "reindex"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=cli_env(),
        )
        try:
            deadline = time.monotonic() + 30
            while not list(index_folder.glob(".building-*")):
                assert child.poll() is None, "the reindex ended before its build could be caught"
                assert time.monotonic() < deadline, "no build folder appeared"
                time.sleep(0.005)
            child.send_signal(signal.SIGKILL)
        finally:
            child.kill()
            child.wait(10)
    assert child.returncode == -signal.SIGKILL
    assert list(index_folder.glob(".building-*")), "the build had finished before the kill"

    # The old index still serves, to a running app and to a freshly started one.
    assert IndexStore(base_data).current_name() == old
    for c in (client, make_app(base_data, ANSWER_CACHE=0).test_client()):
        health = c.get("/healthz")
        assert health.status_code == 200
        assert health.get_json()["index_version"] == old
        assert health.get_json()["entries"] == BASE_ENTRIES
        answer = c.get("/api/search?q=therapy")
        assert answer.status_code == 200
        assert answer.get_json()["total"] > 0
        assert c.get("/api/search?q=").get_json()["total"] == BASE_ENTRIES
        assert c.get("/api/search?q=zebrafinch").get_json()["total"] == 0

    (killed,) = Jobs(base_data).recent()
    assert killed.kind == "reindex"
    assert killed.state == "failed"
    assert "ended before it finished" in killed.error

    again = subprocess.run(
        [*PPRSEARCH, "--data", str(base_data), "reindex"],
        capture_output=True, text=True, timeout=60, env=cli_env(),
    )
    assert again.returncode == 0, again.stderr
    assert f"{BASE_ENTRIES + MORE_ENTRIES} entries" in again.stdout
    new = IndexStore(base_data).current_name()
    assert new != old
    assert not list(index_folder.glob(".building-*")), "the dead build was not cleared away"

    health = client.get("/healthz").get_json()
    assert health["index_version"] == new
    assert health["entries"] == BASE_ENTRIES + MORE_ENTRIES
    assert client.get("/api/search?q=").get_json()["total"] == BASE_ENTRIES + MORE_ENTRIES
    assert client.get("/api/search?q=zebrafinch").get_json()["total"] == MORE_ENTRIES
    states = {job.id: job.state for job in Jobs(base_data).recent()}
    assert states == {killed.id: "failed", Jobs(base_data).recent()[0].id: "done"}
