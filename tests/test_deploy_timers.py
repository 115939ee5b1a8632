"""deploy/'s systemd timers: each names its service, runs at a time systemd reads, and each
service runs a `pprsearch` command that exists, over the data folder the server uses."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

from webui.cli import main as cli_main

DEPLOY = ROOT / "deploy"
PAIRS = [("pprsearch-crawl", "crawl"), ("pprsearch-backup", "backup")]


def unit(path: Path) -> dict[str, dict[str, str]]:
    """A unit file's sections and keys (last value wins; comments dropped)."""
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current[key.strip()] = value.strip()
    return sections


@pytest.mark.parametrize("name, command", PAIRS)
def test_each_timer_starts_its_service_which_runs_an_existing_command(name, command):
    timer = unit(DEPLOY / f"{name}.timer")
    service = unit(DEPLOY / f"{name}.service")
    assert timer["Timer"]["Unit"] == f"{name}.service"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert service["Service"]["Type"] == "oneshot"
    argv = shlex.split(service["Service"]["ExecStart"])
    assert Path(argv[0]).name == "pprsearch" and argv[1] == command
    assert command in cli_main.commands
    data = service["Service"]["Environment"].removeprefix("PPRSEARCH_DATA=")
    assert data in service["Service"]["ReadWritePaths"].split()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
@pytest.mark.parametrize("name", [name for name, _ in PAIRS])
def test_systemd_reads_each_timers_calendar(name):
    calendar = unit(DEPLOY / f"{name}.timer")["Timer"]["OnCalendar"]
    checked = subprocess.run(["systemd-analyze", "calendar", calendar], capture_output=True,
                             text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
