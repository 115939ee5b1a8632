"""Reading the readable rule tables beside the code (tag rules, evidence patterns)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Callable

from .errors import CrawlerError


def read_table(path: Path, what: str) -> tuple[dict, Callable[[str], CrawlerError]]:
    """The TOML table at `path`, and the error to raise for a problem in it: every mistake names
    the file, so whoever edits it can fix it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CrawlerError(f"cannot read {what} {path}: {exc}") from exc

    def fail(problem: str) -> CrawlerError:
        return CrawlerError(f"{what} {path}: {problem}")

    return data, fail
