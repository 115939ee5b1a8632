"""A time limit for the work one request causes, checked in the loops that evaluate a query.

The web layer starts one per request (`limit(seconds)`); the evaluation loops call `check()`,
which raises DeadlineExceeded once the time is up, so the request answers 503 and the worker
is free again instead of spinning on. Outside a limit (the CLI, the benchmark) `check()` does
nothing. A context variable carries it, so each thread (and each request) has its own.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Iterator

from .errors import DeadlineExceeded

_deadline: ContextVar[float | None] = ContextVar("pprsearch_deadline", default=None)


def start(seconds: float | None) -> Token:
    """Begin a limit of `seconds` from now (None or 0: none); `stop(token)` ends it."""
    return _deadline.set(time.monotonic() + seconds if seconds else None)


def stop(token: Token) -> None:
    _deadline.reset(token)


@contextmanager
def limit(seconds: float | None) -> Iterator[None]:
    token = start(seconds)
    try:
        yield
    finally:
        stop(token)


def check() -> None:
    """Raise DeadlineExceeded when this context's time is up."""
    at = _deadline.get()
    if at is not None and time.monotonic() > at:
        raise DeadlineExceeded()
