"""Sliding-window rate limits keyed by something that identifies no one (a receipt digest, or "all").

Kept in memory, per process, with an injected clock. There is deliberately no per-address limit:
addresses of reporters are never looked at.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from server.web.settings import Clock


class RateLimit:
    """At most ``limit`` events per ``window`` for each key.

    Example::

        answers = RateLimit(clock, limit=10, window=timedelta(days=1))
        if answers.allow(receipt_digest):
            ...
    """

    def __init__(self, clock: Clock, *, limit: int, window: timedelta, max_keys: int = 100_000) -> None:
        self._clock = clock
        self.limit = limit
        self.window = window
        self._max_keys = max_keys
        self._events: dict[str, deque[datetime]] = {}

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._events.get(key)
        if times is None:
            return deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        if not times:
            del self._events[key]
            return deque()
        return times

    def retry_after(self, key: str = "all") -> timedelta | None:
        """``None`` when one more event is allowed now, else how long until it is."""
        now = self._clock()
        times = self._recent(key, now)
        if len(times) < self.limit:
            return None
        return times[0] + self.window - now

    def allow(self, key: str = "all") -> bool:
        """Count one event for ``key`` and say whether it was within the limit."""
        if self.retry_after(key) is not None:
            return False
        if len(self._events) >= self._max_keys:
            self._prune()
        self._events.setdefault(key, deque()).append(self._clock())
        return True

    def _prune(self) -> None:
        now = self._clock()
        for key in list(self._events):
            self._recent(key, now)
