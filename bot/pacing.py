"""One message per channel per `gap` seconds, across every thread of the process.

Slack allows about one message per second per channel. Each channel has a lock held for the
call itself, and the next call may start `gap` seconds after the previous one *ended*, so two
requests never reach Slack closer than `gap`, however long the first one took. Nothing here
touches the database: a wait holds no transaction.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class ChannelPacer:
    def __init__(self, gap: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        self.gap, self.clock, self.sleep = gap, clock, sleep
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._next: dict[str, float] = {}

    @contextmanager
    def turn(self, channel: str) -> Iterator[float]:
        """Wait for `channel`'s next slot, hold it for one call; yields the seconds waited."""
        with self._guard:
            lock = self._locks.setdefault(channel, threading.Lock())
        with lock:
            waited = max(0.0, self._next.get(channel, 0.0) - self.clock())
            if waited:
                self.sleep(waited)
            try:
                yield waited
            finally:
                self._next[channel] = self.clock() + self.gap
