"""Clock facts a kiosk without a real-time clock attaches to every punch.

A Raspberry Pi restores a saved wall-clock time at boot, so after an offline power cut the clock is
behind. Each punch therefore carries the boot it happened in (``boot_id``), the boot-time clock
(``CLOCK_BOOTTIME``, which never jumps and counts through suspend) and whether the wall clock was
synced this boot; the server corrects or flags what it cannot trust.
"""

from __future__ import annotations

import time
from pathlib import Path

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
