"""Settings in one commented place: defaults, then the instance folder's config.py, then the
environment, then what the caller passes (a test's config or the CLI's options)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Mapping

DEFAULTS = {
    # The data folder: archive, index and instance config. None means ./instance.
    "DATA_DIR": None,
    # Turns the admin routes on and is their credential; None keeps them off.
    "ADMIN_TOKEN": None,
    # Signs session cookies; generated into the data folder when unset.
    "SECRET_KEY": None,
    # How many computed answers to keep per process; 0 turns the cache off.
    "ANSWER_CACHE": 256,
    # What an admin's crawl fetches (None: the live blog) and the pause between its requests.
    "CRAWL_BASE_URL": None,
    "CRAWL_DELAY": 1.0,
    # How long an admin's login lasts, in seconds, however the cookie is kept.
    "ADMIN_SESSION_SECONDS": 3600,
    # Seconds a request's search work may take before it is stopped with a 503 (0: no limit).
    "REQUEST_DEADLINE_SECONDS": 5.0,
    # Strict-Transport-Security's max-age, for a deployment served over HTTPS; 0 sends none.
    "HSTS_SECONDS": 0,
}

# Environment variable -> setting.
ENVIRONMENT = {
    "PPRSEARCH_DATA": "DATA_DIR",
    "PPRSEARCH_ADMIN_TOKEN": "ADMIN_TOKEN",
    "PPRSEARCH_SECRET_KEY": "SECRET_KEY",
    "PPRSEARCH_ANSWER_CACHE": "ANSWER_CACHE",
}

_SECRET_FILE = "secret_key"


def data_dir(explicit: str | os.PathLike | None, environ: Mapping[str, str]) -> Path:
    """The data folder: --data, else PPRSEARCH_DATA, else ./instance."""
    chosen = explicit or environ.get("PPRSEARCH_DATA") or "instance"
    return Path(chosen).expanduser().resolve()


def from_environment(environ: Mapping[str, str]) -> dict:
    """The settings the environment gives."""
    out = {}
    for variable, key in ENVIRONMENT.items():
        if environ.get(variable):
            out[key] = environ[variable]
    return out


def answer_cache_size(value) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        raise ValueError(
            f"PPRSEARCH_ANSWER_CACHE must be a whole number (0 turns the cache off), not {value!r}."
        ) from None


def secret_key(folder: Path) -> str:
    """The data folder's generated secret key, created on first use, readable only by its owner."""
    path = folder / _SECRET_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{_SECRET_FILE}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # atomic: of several workers starting at once, one key wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip()
