"""The test suite runs as on a fresh machine: the CLI through this interpreter, never a
`pprsearch` that only a hand-installed copy on the PATH would provide."""

from __future__ import annotations

import ast
import shutil
import subprocess

from conftest import PPRSEARCH, ROOT, _without_installed_cli, cli_env


def test_no_pprsearch_is_on_the_tests_path():
    assert shutil.which("pprsearch") is None


def test_a_folder_holding_pprsearch_is_taken_off_the_path(tmp_path):
    holder = tmp_path / "bin"
    holder.mkdir()
    program = holder / "pprsearch"
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    other = tmp_path / "other"
    other.mkdir()
    assert _without_installed_cli(f"{holder}:{other}") == str(other)


def test_the_cli_runs_through_the_interpreter(tmp_path):
    done = subprocess.run([*PPRSEARCH, "--help"], capture_output=True, text=True, timeout=30,
                          env=cli_env(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "import" in done.stdout and "serve" in done.stdout


def _bare_program_calls(tree: ast.AST) -> list[int]:
    """Lines where a list handed to a call starts with the bare string 'pprsearch'."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for arg in node.args:
                if (isinstance(arg, ast.List) and arg.elts and isinstance(arg.elts[0], ast.Constant)
                        and arg.elts[0].value == "pprsearch"):
                    lines.append(node.lineno)
    return lines


def test_the_scan_finds_a_bare_call():
    tree = ast.parse('subprocess.run(["pprsearch", "--data", "x", "reindex"])')
    assert _bare_program_calls(tree) == [1]


def test_no_test_starts_a_bare_pprsearch():
    found = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "tests").rglob("*.py")
        if (lines := _bare_program_calls(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}
