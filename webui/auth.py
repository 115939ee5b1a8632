"""Admin access: a bearer token for the API, a session cookie for the page, CSRF tokens for
its forms and for cookie-authenticated API calls, and a slowdown for addresses that keep guessing.

An admin session is a grant in the signed cookie: when it was given, under which token (a keyed
hash of it, never the token) and under which session epoch. The epoch is a number in the data
folder, shared by every worker: logging out moves it on, so every admin session given before,
copied cookies included, stops working; a changed token stops them too; and a grant expires
after ADMIN_SESSION_SECONDS whatever the cookie says."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from functools import wraps
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, request, session

from crawler.errors import ProductError

log = logging.getLogger(__name__)

# After this many bad tokens from one address within the window, it must wait.
MAX_FAILURES = 5
WINDOW_S = 300
LOCKOUT_S = 30


class AuthError(ProductError):
    """Credentials missing or wrong."""

    status = 401
    code = "unauthorized"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="pprsearch-admin"'}


class CsrfError(ProductError):
    """A state-changing admin request without this session's CSRF token, or from another
    origin."""

    status = 400
    code = "csrf_failed"


class AdminInputError(ProductError):
    """A bad value in an admin form or request body."""

    status = 400
    code = "invalid_parameter"

    def __init__(self, param: str, message: str):
        super().__init__(message, param=param)


class TooManyAttempts(ProductError):
    """Too many bad tokens from one address."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int):
        super().__init__(f"Too many wrong tokens from this address; try again in {retry_after} s.")
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class _Throttle:
    """Bad attempts per client address, in this process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failures: dict[str, list[float]] = {}

    def check(self, address: str) -> None:
        with self.lock:
            recent = [t for t in self.failures.get(address, []) if time.monotonic() - t < WINDOW_S]
            self.failures[address] = recent
            if len(recent) >= MAX_FAILURES:
                wait = int(LOCKOUT_S - (time.monotonic() - recent[-1])) + 1
                if wait > 0:
                    raise TooManyAttempts(wait)

    def fail(self, address: str) -> None:
        with self.lock:
            self.failures.setdefault(address, []).append(time.monotonic())
        log.warning("bad admin token from %s", address,  # never the token itself
                    extra={"event": "auth.failed", "status": 401})

    def clear(self, address: str) -> None:
        with self.lock:
            self.failures.pop(address, None)


throttle = _Throttle()


def token_matches(given: str) -> bool:
    """Constant-time comparison with the configured token."""
    expected = current_app.config.get("ADMIN_TOKEN") or ""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def check_token(given: str | None) -> None:
    """Accept the token or raise; counts failures per address."""
    address = request.remote_addr or "unknown"
    throttle.check(address)
    if not given or not token_matches(given):
        throttle.fail(address)
        raise AuthError("A valid admin token is needed.")
    throttle.clear(address)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


# Where the session epoch lives in the data folder.
_EPOCH_FILE = "admin_session_epoch"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _token_fingerprint() -> str:
    """The configured token, hashed with the secret key: names it in a session, revealing nothing."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    token = (current_app.config.get("ADMIN_TOKEN") or "").encode()
    return hmac.new(key, b"admin-session:" + token, hashlib.sha256).hexdigest()


def _epoch_path() -> Path:
    return Path(current_app.config["DATA_DIR"]) / _EPOCH_FILE


def session_epoch() -> int:
    """The data folder's current admin session epoch (0 before any logout)."""
    try:
        return int(_epoch_path().read_text(encoding="ascii").strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def end_all_sessions() -> None:
    """Move the epoch on: every admin session given so far, in every worker, ends."""
    path = _epoch_path()
    tmp = path.with_name(f".{_EPOCH_FILE}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(f"{session_epoch() + 1}\n", encoding="ascii")
    os.replace(tmp, path)


def grant_session() -> None:
    """Make this (fresh) session an admin one."""
    session.clear()
    session["admin"] = {"since": int(time.time()), "epoch": session_epoch(),
                        "token": _token_fingerprint()}


def is_admin() -> bool:
    """Whether this request's session is a live admin grant: same token, same epoch, not expired."""
    grant = session.get("admin")
    if not isinstance(grant, dict):
        return False
    since = grant.get("since")
    if not isinstance(since, int) or not 0 <= time.time() - since <= current_app.config[
            "ADMIN_SESSION_SECONDS"]:
        return False
    if not hmac.compare_digest(str(grant.get("token", "")).encode(), _token_fingerprint().encode()):
        return False
    return grant.get("epoch") == session_epoch()


def require_admin(view):
    """An API route for admins: a bearer token, or the admin page's session, which must also send
    its CSRF token (header X-CSRF-Token) on anything but a read."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        token = bearer_token()
        if token is not None or not is_admin():
            check_token(token)
        elif request.method not in _SAFE_METHODS:
            check_csrf(request.headers.get(CSRF_HEADER, ""))
        return view(*args, **kwargs)

    return wrapper


def csrf_token() -> str:
    """This session's CSRF token, put in every admin form."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _same_origin() -> bool:
    """False when the browser says the request comes from another origin (scheme, host, port)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not sent by every browser on every request: the token decides
    here = urlsplit(request.host_url)
    there = urlsplit(origin)
    return (there.scheme, there.netloc) == (here.scheme, here.netloc)


def check_csrf(given: str | None = None) -> None:
    """The form's (or the header's) CSRF token must be this session's, from this origin."""
    expected = session.get("csrf")
    given = request.form.get("csrf_token", "") if given is None else given
    if (not expected or not hmac.compare_digest(given.encode(), expected.encode())
            or not _same_origin()):
        raise CsrfError(
            "This request has expired or did not come from this site; reload the page and try again.")
