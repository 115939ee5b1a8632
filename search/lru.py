"""A bounded, thread-safe cache of computed values, least recently used out first."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

V = TypeVar("V")


class BoundedCache:
    """Values by key, at most `capacity` of them; 0 keeps nothing."""

    def __init__(self, capacity: int):
        self.capacity = max(0, capacity)
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V],
            looked_up: Callable[[bool], None] | None = None) -> V:
        """The cached value, or `make()`'s, kept for next time (made outside the lock);
        `looked_up` is told whether it was a hit."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                value = self._items[key]
                hit = True
            else:
                hit = False
        if looked_up is not None:
            looked_up(hit)
        if hit:
            return value
        value = make()
        if self.capacity:
            with self._lock:
                self._items[key] = value
                while len(self._items) > self.capacity:
                    self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
