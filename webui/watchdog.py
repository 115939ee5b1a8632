"""A worker timeout that works for threaded workers.

gunicorn's own `timeout` watches a worker's heartbeat, which a gthread worker's main thread
keeps beating while one of its request threads spins in Python: a runaway request never trips
it. The in-process deadline (search/deadline.py) stops search work first; this is the backstop
for anything else: a request older than `timeout` seconds ends its worker (which the arbiter
replaces), as gunicorn's timeout does for a sync worker.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Callable

log = logging.getLogger(__name__)


class Watchdog:
    """Request start times per thread of one worker process, and the check that ends it."""

    def __init__(self, timeout: float, exit: Callable[[int], None] = os._exit,
                 clock: Callable[[], float] = time.monotonic):
        self.timeout = timeout
        self.exit = exit
        self.clock = clock
        self.lock = threading.Lock()
        self.started: dict[int, float] = {}

    def begin(self) -> None:
        with self.lock:
            self.started[threading.get_ident()] = self.clock()

    def end(self) -> None:
        with self.lock:
            self.started.pop(threading.get_ident(), None)

    def longest(self) -> float:
        """How long the oldest running request has run, in seconds (0 with none)."""
        with self.lock:
            oldest = min(self.started.values(), default=None)
        return 0.0 if oldest is None else self.clock() - oldest

    def check(self) -> bool:
        """End the worker if a request has run past the timeout; False while all is well."""
        ran = self.longest()
        if ran <= self.timeout:
            return False
        log.critical("WORKER TIMEOUT (pid %d): a request has run %.0f s (limit %s s); "
                     "ending this worker", os.getpid(), ran, self.timeout)
        self.exit(1)
        return True

    def watch(self, every: float = 1.0) -> threading.Thread:
        """Check in a daemon thread, every `every` seconds."""

        def loop() -> None:
            while not self.check():
                time.sleep(every)

        thread = threading.Thread(target=loop, name="request-watchdog", daemon=True)
        thread.start()
        return thread
