"""Settings in one commented place: defaults, then the instance folder's config.py, then the
environment, then what the caller passes (a test's config or the CLI's options)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from types import ModuleType
from typing import Mapping

from crawler.errors import ProductError
from crawler.fetch import DEFAULT_DELAY
from search.records import ANSWER_CACHE

DEFAULTS = {
    # The data folder: archive, index and instance config. None means ./instance.
    "DATA_DIR": None,
    # Turns the admin routes on and is their credential; None keeps them off.
    "ADMIN_TOKEN": None,
    # Signs session cookies; generated into the data folder when unset.
    "SECRET_KEY": None,
    # How many computed answers to keep per process; 0 turns the cache off.
    "ANSWER_CACHE": ANSWER_CACHE,
    # What an admin's crawl fetches (None: the live blog) and the pause between its requests.
    "CRAWL_BASE_URL": None,
    "CRAWL_DELAY": DEFAULT_DELAY,
    # How long an admin's login lasts, in seconds, however the cookie is kept.
    "ADMIN_SESSION_SECONDS": 3600,
    # Seconds a request's search work may take before it is stopped with a 503 (0: no limit).
    "REQUEST_DEADLINE_SECONDS": 5.0,
    # Strict-Transport-Security's max-age, for a deployment served over HTTPS; 0 sends none.
    "HSTS_SECONDS": 0,
    # How many reverse proxies in front of the server are trusted to set X-Forwarded-For
    # (and X-Forwarded-Proto): 1 behind deploy/'s nginx. 0 trusts none, so a client cannot
    # pick the address the admin throttle counts by sending the header itself.
    "PROXY_FIX_X_FOR": 0,
    # Seconds a shared cache (the reverse proxy, a CDN) may reuse a search, API or entry
    # answer before asking again with its ETag (answered 304 while the index is the same):
    # after a reindex, readers behind it may see the old answers for this long. Browsers
    # always ask (a 304 costs no search), so a reader of the server itself never sees them.
    # 0: shared caches ask every time too.
    "HTTP_SHARED_MAX_AGE": 60,
    # /metrics in Prometheus's format: None (off), "token" (the admin bearer token is needed)
    # or "local" (only from the machine itself, not through the proxy). Never public.
    "METRICS": None,
    # When the server crawls the blog by itself, e.g. "weekly sun 03:00" or "daily 02:30" (UTC;
    # index/schedule.py); None: only when an admin or `pprsearch crawl` asks.
    "CRAWL_SCHEDULE": None,
    # Count what people search for (query text, filters, results; no address) for /admin.
    "QUERY_LOG": True,
    # Log lines as "text" or "json" (one JSON object a line), for `serve` and job processes.
    "LOG_FORMAT": "text",
}

# Environment variable -> setting.
ENVIRONMENT = {
    "PPRSEARCH_DATA": "DATA_DIR",
    "PPRSEARCH_ADMIN_TOKEN": "ADMIN_TOKEN",
    "PPRSEARCH_SECRET_KEY": "SECRET_KEY",
    "PPRSEARCH_ANSWER_CACHE": "ANSWER_CACHE",
    "PPRSEARCH_PROXY_FIX_X_FOR": "PROXY_FIX_X_FOR",
    "PPRSEARCH_METRICS": "METRICS",
    "PPRSEARCH_CRAWL_SCHEDULE": "CRAWL_SCHEDULE",
    "PPRSEARCH_LOG_FORMAT": "LOG_FORMAT",
}

METRICS_MODES = ("token", "local")

_SECRET_FILE = "secret_key"
_CONFIG_FILE = "config.py"


class ConfigError(ProductError):
    """A setting cannot be used as given."""

    code = "bad_config"


def load(data: str | os.PathLike | None = None, environ: Mapping[str, str] | None = None,
         overrides: Mapping | None = None) -> dict:
    """The settings for one data folder, as the web app and the CLI both use them: DEFAULTS,
    then the folder's config.py, then the environment, then `overrides`."""
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    folder = data_dir(overrides.get("DATA_DIR") or data, environ)
    settings = dict(DEFAULTS)
    settings.update(_config_file(folder / _CONFIG_FILE))
    settings.update(from_environment(environ))
    settings.update(overrides)
    settings["DATA_DIR"] = str(folder)
    settings["ANSWER_CACHE"] = answer_cache_size(settings["ANSWER_CACHE"])
    settings["CRAWL_DELAY"] = _seconds("CRAWL_DELAY", settings["CRAWL_DELAY"])
    settings["PROXY_FIX_X_FOR"] = _count("PROXY_FIX_X_FOR", settings["PROXY_FIX_X_FOR"])
    settings["HTTP_SHARED_MAX_AGE"] = _count("HTTP_SHARED_MAX_AGE", settings["HTTP_SHARED_MAX_AGE"])
    settings["METRICS"] = metrics_mode(settings["METRICS"], settings.get("ADMIN_TOKEN"))
    _check_operations(settings)
    return settings


def _config_file(path: Path) -> dict:
    """The upper-case names a config.py sets, read as Flask's from_pyfile reads them."""
    try:
        source = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}.") from exc
    module = ModuleType("config")
    module.__file__ = str(path)
    try:
        exec(compile(source, str(path), "exec"), module.__dict__)
    except Exception as exc:
        raise ConfigError(f"{path} has an error: {type(exc).__name__}: {exc}. Fix it and try again.") from exc
    return {name: value for name, value in vars(module).items() if name.isupper()}


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
        raise ConfigError(
            f"PPRSEARCH_ANSWER_CACHE must be a whole number (0 turns the cache off), not {value!r}."
        ) from None


def _count(name: str, value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0 or isinstance(value, float) and value != number:
        raise ConfigError(f"{name} must be a whole number, 0 or more, not {value!r}.")
    return number


def metrics_mode(value, admin_token) -> str | None:
    """METRICS as set: None when off; "token" needs an admin token to check against."""
    if value in (None, "", "off", False):
        return None
    if value not in METRICS_MODES:
        raise ConfigError(f"METRICS must be one of {', '.join(METRICS_MODES)} (or unset: off), "
                          f"not {value!r}.")
    if value == "token" and not admin_token:
        raise ConfigError('METRICS = "token" needs PPRSEARCH_ADMIN_TOKEN (or ADMIN_TOKEN) set.')
    return value


def _seconds(name: str, value) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not seconds >= 0:
        raise ConfigError(f"{name} must be a number of seconds, 0 or more, not {value!r}.")
    return seconds


def _check_operations(settings: dict) -> None:
    """CRAWL_SCHEDULE and LOG_FORMAT are read at start-up: a typo fails then, not at 3 a.m."""
    from crawler.logs import FORMATS
    from index.schedule import ScheduleError, parse

    if settings["LOG_FORMAT"] not in FORMATS:
        raise ConfigError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {settings['LOG_FORMAT']!r}.")
    if settings["CRAWL_SCHEDULE"]:
        try:
            parse(settings["CRAWL_SCHEDULE"])
        except ScheduleError as exc:
            raise ConfigError(f"CRAWL_SCHEDULE: {exc.message}") from exc


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
