"""Time as a parameter: the wall clock, a monotonic clock, and the facts the server needs to
correct a punch whose wall clock was wrong (boot id, time since boot, synced or not)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """What the app asks of time. Tests pass a fake they move by hand."""

    def now(self) -> datetime:
        """Aware UTC wall-clock time."""

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (for windows and timeouts)."""


class ClockFacts(Protocol):
    """Facts stamped on every punch (see kiosk.sync.clock)."""

    def synced(self) -> bool: ...

    def boot_id(self) -> str: ...

    def boottime_ms(self) -> int: ...


class SystemClock:
    """The real clocks of the machine."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()
