"""Logs: one line per job event and per error, JSON lines with LOG_FORMAT = "json" (gunicorn's
own lines too), and the admin token in none of them."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import time

import pytest
import requests
from conftest import PPRSEARCH, cli_env

from bench.load import stop as stop_server
from crawler.logs import JsonLines, setup
from webui.config import ConfigError

TOKEN = "logs-test-token-Q7w2e9"
NEAR_MISS = "logs-test-token-Q7w2e8"


def test_a_json_line_carries_the_event_fields_and_the_exception():
    record = logging.LogRecord("index.jobs", logging.ERROR, __file__, 1, "job %s failed", ("j1",),
                               None)
    record.event, record.job, record.kind = "job.failed", "j1", "crawl"
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = json.loads(JsonLines().format(record))
    assert {k: line[k] for k in ("level", "logger", "message", "event", "job", "kind")} == {
        "level": "error", "logger": "index.jobs", "message": "job j1 failed",
        "event": "job.failed", "job": "j1", "kind": "crawl"}
    assert line["time"].endswith("+00:00") and "ValueError: boom" in line["exception"]


def test_setup_replaces_its_own_handler_rather_than_stacking(capsys):
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        setup("json")
        handler = setup("json")
        ours = [h for h in root.handlers if getattr(h, "_pprsearch", False)]
        assert ours == [handler]
    finally:
        for h in root.handlers[:]:
            if h not in before:
                root.removeHandler(h)


def test_an_unknown_log_format_fails_at_start_up(sample_data, make_app):
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        make_app(sample_data, LOG_FORMAT="xml")


def test_serve_with_json_logs_writes_json_lines_with_job_events_and_never_the_token(
        sample_template, tmp_path):
    from test_serve_workers import free_port

    data = tmp_path / "data"
    shutil.copytree(sample_template, data)
    runtime = tmp_path / "run"
    runtime.mkdir()
    port = free_port()
    env = cli_env(PPRSEARCH_ADMIN_TOKEN=TOKEN, PPRSEARCH_LOG_FORMAT="json",
                  XDG_RUNTIME_DIR=str(runtime))
    log = tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*PPRSEARCH, "--data", str(data), "serve", "--workers", "1", "--port", str(port),
             "--access-log", "-"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                if requests.get(base + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        bad = requests.post(base + "/api/admin/reindex", timeout=5,
                            headers={"Authorization": f"Bearer {NEAR_MISS}"})
        assert bad.status_code == 401
        started = requests.post(base + "/api/admin/reindex", timeout=5,
                                headers={"Authorization": f"Bearer {TOKEN}"})
        assert started.status_code == 202
        job_url = base + started.json()["url"]
        deadline = time.monotonic() + 60
        while requests.get(job_url, headers={"Authorization": f"Bearer {TOKEN}"},
                           timeout=5).json()["state"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        job_id = started.json()["job"]["id"]
        deadline = time.monotonic() + 10  # the job's last lines pass through the worker
        while '"job.done"' not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
    finally:
        stop_server(process)

    text = log.read_text()
    assert TOKEN not in text and NEAR_MISS not in text
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is JSON
    events = [(line.get("event"), line.get("job")) for line in lines]
    for event in ("job.created", "job.started", "job.log", "job.done"):
        assert (event, job_id) in events, event
    assert ("auth.failed", None) in events
    assert {line["logger"] for line in lines if line.get("job") == job_id} == {"index.jobs"}
    assert any(line["logger"] == "gunicorn.error" for line in lines)  # gunicorn's own, as JSON
    assert any(line["logger"] == "gunicorn.access" and "/healthz" in line["message"] for line in lines)
