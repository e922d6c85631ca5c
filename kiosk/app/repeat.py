"""The repeat-scan window: the same employee again within N seconds is told "already recorded"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class _Seen:
    monotonic: float
    at: datetime


class RepeatWindow:
    """Remembers each employee's last *recorded* punch for ``window_s`` seconds (monotonic time).

    A scan inside the window does not extend it: the window runs from the punch that was recorded,
    so someone who keeps touching the glass is recorded again once a minute at most.
    """

    def __init__(self, window_s: float = 60.0) -> None:
        self.window_s = window_s
        self._seen: dict[str, _Seen] = {}

    def recent(self, employee: str, monotonic: float) -> datetime | None:
        """The wall-clock time of this employee's punch if it is still inside the window."""
        seen = self._seen.get(employee)
        if seen is None or monotonic - seen.monotonic >= self.window_s:
            return None
        return seen.at

    def record(self, employee: str, monotonic: float, at: datetime) -> None:
        self._seen[employee] = _Seen(monotonic, at)
        # Keep the map small: drop entries whose window has closed.
        stale = [emp for emp, seen in self._seen.items() if monotonic - seen.monotonic >= self.window_s]
        for emp in stale:
            del self._seen[emp]
