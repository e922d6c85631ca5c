"""Helpers of the kiosk app tests: clocks that move when told, a recording indicator that can play
the employee (placing and lifting a finger on the emulator when the LCD asks), clock facts."""

from __future__ import annotations

import errno
import os
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from kiosk.display import events as ev
from kiosk.display.indicator import Indicator
from kiosk.sync.storage import Disk
from simulator.r307 import R307Emulator

# Monday 2026-12-07, 07:42:30 WIB.
START = datetime(2026, 12, 7, 0, 42, 30, tzinfo=UTC)


class AppClock:
    """Wall clock and monotonic clock for the app, moved together by ``advance``."""

    def __init__(self, start: datetime = START) -> None:
        self.wall = start
        self.mono = 5000.0

    def now(self) -> datetime:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds


class SensorClock:
    """The sensor's clock: ``sleep`` moves it at once, so waiting for a finger costs no real time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Facts:
    def __init__(self, synced: bool = True) -> None:
        self.is_synced = synced

    def synced(self) -> bool:
        return self.is_synced

    def boot_id(self) -> str:
        return "8a2c3f5e-0d6b-4a57-9f1e-2b7c9d0e1f23"

    def boottime_ms(self) -> int:
        return 123_456


class Screens(Indicator):
    """Records every event shown; optionally plays the employee during an enrollment."""

    def __init__(self, emulator: R307Emulator | None = None, finger: str = "") -> None:
        self.events: list[Any] = []
        self.ticks = 0
        self.emulator = emulator
        self.finger = finger
        self.changed = threading.Condition()

    def show(self, event: Any) -> None:
        with self.changed:
            self.events.append(event)
            self.changed.notify_all()
        if self.emulator is not None and self.finger:
            if isinstance(event, ev.EnrollPlace | ev.EnrollPlaceAgain):
                self.emulator.place(self.finger)
            elif isinstance(event, ev.EnrollLift):
                self.emulator.lift()

    def tick(self, now: datetime) -> None:
        self.ticks += 1

    def close(self) -> None:
        pass

    @property
    def last(self) -> Any:
        return self.events[-1] if self.events else None

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def wait_for(self, kind: type, timeout: float = 10.0) -> Any:
        with self.changed:
            if not self.changed.wait_for(lambda: bool(self.of(kind)), timeout):
                raise AssertionError(f"{kind.__name__} never shown; shown: {self.events}")
            return self.of(kind)[-1]


class FullDisk(Disk):
    """A disk with no space left: every write fails with ENOSPC."""

    def __init__(self) -> None:
        self.full = False

    def write(self, fd: int, data: memoryview) -> int:
        if self.full:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(fd, data)


def enroll_on(emulator: R307Emulator, sensor: Any, roster: Any, finger: str, employee: str) -> int:
    """Put ``finger`` in the sensor's library (as an earlier enrollment would) and map it."""
    sensor_pages = set(sensor.pages())
    page = min(set(range(sensor.capacity)) - sensor_pages)
    emulator.preload(page, finger)
    roster.assign(page, employee)
    return page


def touch(emulator: Any, app: Any, finger: str, **quality: str) -> Any:
    """Lift whatever is on the glass, let the app see it gone, then place ``finger`` and step."""
    emulator.lift()
    app.step()
    emulator.place(finger, **quality)
    return app.step()


def wait_until(condition: Any, what: str, timeout: float = 10.0) -> Any:
    """Poll ``condition`` until truthy (returned) or fail after ``timeout`` seconds."""
    deadline = threading.Event()
    timer = threading.Timer(timeout, deadline.set)
    timer.start()
    try:
        while not deadline.is_set():
            value = condition()
            if value:
                return value
            deadline.wait(0.02)
    finally:
        timer.cancel()
    raise AssertionError(f"timed out waiting for {what}")
