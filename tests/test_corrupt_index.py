"""A damaged index generation: found when opened (sizes and checksums written by its build) or
when one of its files shrinks under a running process, never read again; the previous good
generation answers meanwhile, and /healthz and /admin say so."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from conftest import PANIC, ROOT, cli_env
from test_admin_auth import TOKEN, login_form

from index.archive import Archive
from index.store import IndexStore


@pytest.fixture
def two_generations(sample_data):
    """The sample's data folder with a second, current generation beside the first."""
    store = IndexStore(sample_data)
    first = store.current_name()
    with Archive(sample_data) as archive:
        second = store.build(list(archive.entries())).name
    assert store.current_name() == second != first
    return sample_data, first, second


def postings(folder, generation: str):
    (path,) = (folder / "index" / generation).glob("*.pst")
    return path


def truncate(path, size: int) -> None:
    with open(path, "r+b") as f:
        f.truncate(size)


def test_a_truncated_current_generation_is_not_served_and_health_says_so(two_generations, make_app):
    data, first, second = two_generations
    pst = postings(data, second)
    truncate(pst, pst.stat().st_size // 2)
    client = make_app(data, ANSWER_CACHE=0).test_client()

    health = client.get("/healthz")
    searches = [client.get("/api/search", query_string={"q": q}) for q in ("panic", "therapy", "alliance")]

    assert health.status_code == 503
    body = health.get_json()
    assert body["status"] == "degraded"
    assert body["index_version"] == first
    assert second in body["message"] and "pprsearch reindex" in body["message"]
    assert [r.status_code for r in searches] == [200, 200, 200]
    assert searches[0].get_json()["hits"][0]["id"] == PANIC
    assert searches[0].get_json()["index_version"] == first


def test_a_changed_byte_fails_the_checksum(two_generations, make_app):
    data, first, second = two_generations
    pst = postings(data, second)
    raw = bytearray(pst.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    pst.write_bytes(bytes(raw))

    health = make_app(data, ANSWER_CACHE=0).test_client().get("/healthz").get_json()

    assert (health["status"], health["index_version"]) == ("degraded", first)
    assert "checksum" in health["message"]


def test_with_no_good_generation_search_answers_503_and_health_is_not_ok(sample_data, make_app):
    pst = postings(sample_data, IndexStore(sample_data).current_name())
    truncate(pst, 10)
    client = make_app(sample_data, ANSWER_CACHE=0).test_client()

    health = client.get("/healthz")
    search = client.get("/api/search?q=panic")
    page = client.get("/?q=panic")

    assert health.status_code == 503 and health.get_json()["status"] == "corrupt"
    assert search.status_code == 503
    assert search.get_json()["error"]["code"] == "index_corrupt"
    assert "pprsearch reindex" in search.get_json()["error"]["message"]
    assert page.status_code == 503 and b"pprsearch reindex" in page.data


def test_the_admin_page_shows_the_damage(two_generations, make_app):
    data, first, second = two_generations
    truncate(postings(data, second), 100)
    client = make_app(data, ADMIN_TOKEN=TOKEN, ANSWER_CACHE=0).test_client()
    client.post("/admin/login", data={"token": TOKEN, "csrf_token": login_form(client)})

    html = client.get("/admin").get_data(as_text=True)

    assert 'id="index-health"' in html
    assert second in html and first in html


# Run in a process of its own: before the guard, the read past the shrunk file's end killed the
# process with SIGBUS.
SHRINK_WHILE_SERVING = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from webui import create_app

    data = Path(sys.argv[1])
    client = create_app({"DATA_DIR": str(data), "ANSWER_CACHE": 0}, environ={}).test_client()
    statuses = [client.get("/api/search?q=panic").status_code]
    (pst,) = (data / "index" / sys.argv[2]).glob("*.pst")
    with open(pst, "r+b") as f:
        f.truncate(0)
    for q in ("therapy", "alliance", "depression", "mentalization", "dropout"):
        statuses.append(client.get("/api/search", query_string={"q": q}).status_code)
    health = client.get("/healthz")
    print(json.dumps({"statuses": statuses, "health": health.status_code,
                      "body": health.get_json()}))
""")


def test_a_file_shrinking_under_a_serving_process_is_caught_before_it_is_read(two_generations):
    data, first, second = two_generations

    done = subprocess.run([sys.executable, "-c", SHRINK_WHILE_SERVING, str(data), second],
                          cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["statuses"] == [200] * 6
    assert report["health"] == 503
    assert (report["body"]["status"], report["body"]["index_version"]) == ("degraded", first)
