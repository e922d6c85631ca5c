"""Clock facts from the kernel and systemd-timesyncd."""

from __future__ import annotations

import uuid
from pathlib import Path

from kiosk.sync import clock


def test_boot_id_is_read_from_the_kernel_file(tmp_path: Path) -> None:
    path = tmp_path / "boot_id"
    path.write_text("3f1c2a4e-1111-4222-8333-444455556666\n")
    assert clock.boot_id(path) == "3f1c2a4e-1111-4222-8333-444455556666"
    assert uuid.UUID(clock.boot_id())  # the real one on this machine


def test_boottime_is_monotonic_milliseconds() -> None:
    first = clock.boottime_ms()
    assert first > 0 and clock.boottime_ms() >= first


def test_synced_follows_the_timesyncd_marker(tmp_path: Path) -> None:
    marker = tmp_path / "synchronized"
    assert clock.clock_synced(marker) is False
    marker.touch()
    assert clock.clock_synced(marker) is True
