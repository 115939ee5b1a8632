"""Data flows one way: crawler -> index -> search -> webui. A layer imports only the layers
before it, and only index/ and search/ import Whoosh (frozen upstream)."""

from __future__ import annotations

import ast

from conftest import ROOT

LAYERS = ("crawler", "index", "search", "webui")


def _imports(path) -> set[str]:
    """The top-level packages a module imports (relative imports stay in its own package)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _violations() -> list[str]:
    out = []
    for rank, layer in enumerate(LAYERS):
        later = set(LAYERS[rank + 1:])
        for path in sorted((ROOT / layer).rglob("*.py")):
            imported = _imports(path)
            for name in sorted(imported & later):
                out.append(f"{path.relative_to(ROOT)} imports {name}, a later layer")
            if "whoosh" in imported and layer not in ("index", "search"):
                out.append(f"{path.relative_to(ROOT)} imports whoosh")
    return out


def test_each_layer_imports_only_the_layers_before_it():
    assert _violations() == []


def test_the_check_sees_a_backward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from webui.cli import main\nimport whoosh.index\nfrom . import x\n")
    assert _imports(module) == {"webui", "whoosh"}
