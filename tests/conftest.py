"""Fixtures: real archives and indexes in temp folders, the app over them, its clients."""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.ingest import import_paths
from index.jobs import Jobs
from webui import auth, create_app
from webui.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample" / "pprnet-blog-page.txt"
# Where the sample page was copied from: its entries link there (pprsearch import --source-url).
BLOG = "https://socialsciences.uottawa.ca/pprnet/blog"
PANIC = "2021-11-psychological-treatments-for-panic-disorder"

# The CLI as a fresh machine has it: through the interpreter that runs the tests. A bare
# `pprsearch` is found only where someone installed one by hand.
PPRSEARCH = [sys.executable, "-m", "webui.cli"]


def _without_installed_cli(path: str) -> str:
    """PATH less every folder holding a `pprsearch`, so that a test calling the bare name fails
    here as it would on a fresh machine, instead of running whatever copy is installed."""
    return os.pathsep.join(
        folder for folder in path.split(os.pathsep)
        if folder and not os.access(os.path.join(folder, "pprsearch"), os.X_OK)
    )


os.environ["PATH"] = _without_installed_cli(os.environ.get("PATH", ""))


def pytest_addoption(parser):
    parser.addoption("--fuzz-examples", type=int, default=60,
                     help="examples per fuzz test (tests/test_fuzz_params.py); raise for a long run")


def cli_env(**extra: str) -> dict:
    """The environment for a CLI or server subprocess: no PPRSEARCH_ settings leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPRSEARCH_")}
    env.update(extra)
    return env


def settle_jobs(data, timeout: float = 20.0) -> None:
    """Wait for spawned jobs to end and for their reaper threads, so nothing outlives the test."""
    deadline = time.monotonic() + timeout
    jobs = Jobs(data)
    while jobs.active() is not None:
        assert time.monotonic() < deadline, f"job still active: {jobs.active()}"
        time.sleep(0.05)
    for thread in threading.enumerate():
        if thread.name.endswith("(_reap)"):
            thread.join(timeout=max(0.1, deadline - time.monotonic()))


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory) -> Path:
    """The sample archive, imported and indexed once per session; tests get copies."""
    folder = tmp_path_factory.mktemp("sample-data")
    import_paths(folder, [SAMPLE], source_url=BLOG)
    return folder


@pytest.fixture
def sample_data(sample_template, tmp_path) -> Path:
    """A data folder of its own holding the six sample entries, archived and indexed."""
    folder = tmp_path / "data"
    shutil.copytree(sample_template, folder)
    return folder


@pytest.fixture
def empty_data(tmp_path) -> Path:
    folder = tmp_path / "empty-data"
    folder.mkdir()
    return folder


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The admin throttle is process-wide state: every test starts and ends with a clean one."""
    auth.throttle.failures.clear()
    yield
    auth.throttle.failures.clear()


@pytest.fixture
def make_app():
    """Build an app over a data folder, with the environment kept out."""

    def build(data: Path, **config):
        return create_app({"DATA_DIR": str(data), "TESTING": True, **config}, environ={})

    return build


@pytest.fixture
def app(sample_data, make_app):
    return make_app(sample_data, ANSWER_CACHE=0)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def run_cli(sample_data):
    """Run `pprsearch --data <folder> ...` in process; returns click's Result."""

    def run(*args: str, data: Path | None = None, input: str | None = None):
        runner = CliRunner()
        return runner.invoke(
            cli_main, ["--data", str(data or sample_data), *args], input=input,
            catch_exceptions=False, env={"PPRSEARCH_DATA": None},
        )

    return run
