"""constraints/floors.txt pins every dependency at the lowest version pyproject.toml admits, so
installing with it (README, "Development") tests the floors the project promises."""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement
from packaging.version import Version

from conftest import ROOT


def _floors() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints" / "floors.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.strip().lower()] = Version(version)
    return pins


def _lower_bounds() -> dict[str, Version]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    bounds = {}
    for text in requirements:
        req = Requirement(text)
        lows = [s.version for s in req.specifier if s.operator in (">=", "==", "~=")]
        assert lows, f"{text}: name a lower bound"
        bounds[req.name.lower()] = Version(lows[0])
    return bounds


def test_every_dependency_is_pinned_at_its_floor():
    assert _floors() == _lower_bounds()
