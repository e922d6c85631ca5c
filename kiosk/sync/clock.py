"""Clock facts a kiosk without a real-time clock attaches to every punch.

A Raspberry Pi restores a saved wall-clock time at boot, so after an offline power cut the clock is
behind. Each punch therefore carries the boot it happened in (``boot_id``), the boot-time clock
(``CLOCK_BOOTTIME``, which never jumps and counts through suspend) and whether the wall clock was
synced this boot; the server corrects or flags what it cannot trust.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol

BOOT_ID_PATH = Path("/proc/sys/kernel/random/boot_id")
# systemd-timesyncd creates this once the clock was synchronised during this boot.
SYNCED_MARKER = Path("/run/systemd/timesync/synchronized")


def boot_id(path: Path = BOOT_ID_PATH) -> str:
    """The kernel's id of the current boot (a UUID, new every boot)."""
    return path.read_text(encoding="ascii").strip()


def boottime_ms() -> int:
    """Milliseconds since boot on ``CLOCK_BOOTTIME`` (monotonic, includes suspend)."""
    return time.clock_gettime_ns(time.CLOCK_BOOTTIME) // 1_000_000


def clock_synced(marker: Path = SYNCED_MARKER) -> bool:
    """Whether systemd-timesyncd synchronised the wall clock during this boot."""
    return marker.exists()


class ClockFacts(Protocol):
    """Where the sync client and the app read clock facts (injectable for tests)."""

    def synced(self) -> bool: ...

    def boot_id(self) -> str: ...

    def boottime_ms(self) -> int: ...


class SystemClockFacts:
    """The real facts of this machine (``synced_marker`` from the kiosk settings)."""

    def __init__(self, synced_marker: Path = SYNCED_MARKER, boot_id_path: Path = BOOT_ID_PATH) -> None:
        self.synced_marker = synced_marker
        self.boot_id_path = boot_id_path
        self._boot_id: str | None = None

    def synced(self) -> bool:
        return clock_synced(self.synced_marker)

    def boot_id(self) -> str:
        # A process never outlives its boot: read the file once, not on every punch and batch.
        if self._boot_id is None:
            self._boot_id = boot_id(self.boot_id_path)
        return self._boot_id

    def boottime_ms(self) -> int:
        return boottime_ms()
