"""Admin access: a bearer token for the API, a session cookie for the page, CSRF tokens for
its forms, and a slowdown for addresses that keep guessing."""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from functools import wraps

from flask import abort, current_app, request, session

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


def require_admin(view):
    """An API route for admins: a bearer token, or the admin page's session."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        token = bearer_token()
        if token is not None or not session.get("admin"):
            check_token(token)
        return view(*args, **kwargs)

    return wrapper


def csrf_token() -> str:
    """This session's CSRF token, put in every admin form."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    expected = session.get("csrf")
    given = request.form.get("csrf_token", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(400, "This form has expired or did not come from this site; reload the page and try again.")
