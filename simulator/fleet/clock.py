"""Simulated time: one clock for the whole fleet and the server, and each kiosk's own view of it.

:class:`SimClock` is moved forward by the driver (a month of office life in a minute or two); the
server's ingest reads it as "now", so receive times, clock corrections and day filing happen in
simulated time. :class:`KioskClock` is what one kiosk believes: the wall clock (wrong after a power
cut until NTP syncs), a boot id and the time since boot (``CLOCK_BOOTTIME``), exactly the facts a
real kiosk stamps on every punch.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta


class SimClock:
    """Shared simulated UTC time. Only moves forward; ``monotonic()`` is seconds of simulated time.

    Example::

        clock = SimClock(datetime(2026, 11, 2, tzinfo=UTC))
        clock.advance_to(clock.now() + timedelta(hours=1))
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the simulated clock needs an aware start time")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def __call__(self) -> datetime:
        """The server's ingest takes a zero-argument clock."""
        return self.now()

    def monotonic(self) -> float:
        return self.now().timestamp()

    def advance_to(self, moment: datetime) -> None:
        """Move to ``moment`` (ignored when it lies in the past: simulated time never goes back)."""
        with self._lock:
            if moment > self._now:
                self._now = moment.astimezone(UTC)


class KioskClock:
    """One kiosk's clocks and clock facts, derived from the shared :class:`SimClock`.

    ``now()`` is the kiosk's wall clock (``offset`` away from the true time), ``monotonic()`` and
    ``boottime_ms()`` count from the last boot and never jump, ``synced()`` tells whether NTP set the
    wall clock during this boot.
    """

    def __init__(self, sim: SimClock, *, booted_at: datetime | None = None, synced: bool = True) -> None:
        self.sim = sim
        self._booted_at = booted_at or sim.now() - timedelta(days=3)
        self._boot_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"hadir-sim-boot:{id(self)}:{self._booted_at}"))
        self._offset = timedelta(0)
        self._synced = synced
        self._held: datetime | None = None
        self._lock = threading.Lock()

    def true_now(self) -> datetime:
        """The true time at this kiosk: the shared clock, or the moment the driver holds it at."""
        with self._lock:
            held = self._held
        return held if held is not None else self.sim.now()

    def hold(self, moment: datetime | None) -> None:
        """Let this kiosk live at ``moment`` while the shared clock waits (None: follow it again).

        The driver runs the scans of a busy stretch of the day side by side, each kiosk at its own
        finger's time; the shared clock then moves to the end of that stretch.
        """
        with self._lock:
            self._held = moment

    def now(self) -> datetime:
        true = self.true_now()
        with self._lock:
            return true + self._offset

    def wall_now(self) -> datetime:
        """The wall clock on the shared time, ignoring any hold (for the kiosk's sync thread)."""
        with self._lock:
            return self.sim.now() + self._offset

    def monotonic(self) -> float:
        return self.boottime_ms() / 1000.0

    def synced(self) -> bool:
        with self._lock:
            return self._synced

    def boot_id(self) -> str:
        with self._lock:
            return self._boot_id

    def boottime_ms(self) -> int:
        true = self.true_now()
        with self._lock:
            booted = self._booted_at
        return int((true - booted) / timedelta(milliseconds=1))

    @property
    def offset(self) -> timedelta:
        """How far the wall clock is from the true time (negative: behind)."""
        with self._lock:
            return self._offset

    def boot(self, *, behind: timedelta) -> None:
        """A boot after a power cut: new boot id, boot time from zero, wall clock ``behind`` and
        unsynced (a Pi has no real-time clock; it resumes from the last time it saved)."""
        true = self.true_now()
        with self._lock:
            self._booted_at = true
            self._boot_id = str(
                uuid.uuid5(uuid.NAMESPACE_URL, f"hadir-sim-boot:{id(self)}:{self._booted_at}")
            )
            self._offset = -behind
            self._synced = False

    def sync(self) -> None:
        """NTP reached: the wall clock steps to the true time and is trusted."""
        with self._lock:
            self._offset = timedelta(0)
            self._synced = True


class SensorClock:
    """The sensor layer's clock (``kiosk.sensor.clock.Clock``) on a kiosk's simulated time.

    A real R307 is polled at most every ``poll_interval`` and waited for between captures; here those
    waits pass in simulated time (``sleep`` moves this clock on, instantly), so a punch costs the
    wire round trips and nothing more.
    """

    def __init__(self, kiosk: KioskClock) -> None:
        self.kiosk = kiosk
        self._slept = 0.0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.kiosk.monotonic() + self._slept

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._slept += max(0.0, seconds)
