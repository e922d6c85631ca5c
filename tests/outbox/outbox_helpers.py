"""Helpers for the outbox tests: a clock that only moves when told, a disk that fills up, punches."""

from __future__ import annotations

import errno
import os
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.sync.storage import Disk


class ManualClock:
    """Returns the same instant until advanced."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class LimitedDisk(Disk):
    """A disk with ``free`` bytes left (``None``: unlimited).

    Like a real full disk, a write stores what still fits and then fails with ENOSPC, so a torn
    temp file is left behind for the code under test to clean up. ``free`` is not given back when
    files are removed: tests set it explicitly to "free space".
    """

    def __init__(self, free: int | None = None) -> None:
        self.free = free
        self.replaced: list[Path] = []
        self.fail_dir_fsync: OSError | None = None

    def write(self, fd: int, data: memoryview) -> int:
        if self.free is None:
            return super().write(fd, data)
        if self.free <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = super().write(fd, data[: self.free])
        self.free -= written
        return written

    def replace(self, source: Path, target: Path) -> None:
        super().replace(source, target)
        self.replaced.append(target)

    def fsync_dir(self, path: Path) -> None:
        if self.fail_dir_fsync is not None:
            raise self.fail_dir_fsync
        super().fsync_dir(path)


def punch(n: int = 0, **extra: object) -> dict[str, object]:
    """A punch as the kiosk app makes it (without seq/id)."""
    data: dict[str, object] = {
        "employee": f"19860101201001{n % 10000:04d}",
        "page": n % 1000,
        "score": 120,
        "at": f"2026-12-04T07:{(n // 60) % 60:02d}:{n % 60:02d}+07:00",
        "clock_synced": True,
        "boot_id": "3f1c2a4e-5b6d-4e8f-9a0b-1c2d3e4f5a6b",
        "boottime_ms": 1000 + n,
    }
    data.update(extra)
    return data
