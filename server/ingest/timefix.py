"""Which time and which local day a punch is filed under (pure functions).

A Pi has no real-time clock: after an offline power cut its wall clock restarts from a saved time
and is behind. When a punch's clock was not synced but the same boot uploaded it, the boot-time
clock gives its true age at upload, so the server places it at
``received_at - (sent_boottime_ms - punch.boottime_ms)``. Otherwise the kiosk's time is kept and
marked untrusted for review. The day is the office's local date, never the UTC date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.sync.protocol import Punch
from server.errors import ConfigError


@dataclass(frozen=True)
class FiledTime:
    """The time a punch is filed under and how much to trust it."""

    at: datetime
    trusted: bool
    corrected: bool
    original_at: datetime | None


def file_time(punch: Punch, batch_boot_id: str, sent_boottime_ms: int, received_at: datetime) -> FiledTime:
    """Decide a punch's time from its clock facts and the batch's upload facts."""
    if punch.clock_synced:
        return FiledTime(punch.at, trusted=True, corrected=False, original_at=None)
    if punch.boot_id == batch_boot_id and sent_boottime_ms >= punch.boottime_ms:
        age = timedelta(milliseconds=sent_boottime_ms - punch.boottime_ms)
        return FiledTime(received_at - age, trusted=True, corrected=True, original_at=punch.at)
    return FiledTime(punch.at, trusted=False, corrected=False, original_at=None)


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (e.g. ``Asia/Jakarta``); :class:`ConfigError` if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {name!r}; use an IANA name such as Asia/Jakarta") from exc


def local_date(at: datetime, tz: str) -> date:
    """The calendar date of ``at`` in the office's time zone."""
    return at.astimezone(zone(tz)).date()
