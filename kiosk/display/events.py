"""What the kiosk app tells the indicators: one frozen dataclass per screen.

The app passes events, never strings; each indicator decides how to show them (the LCD through the
message catalog, the LEDs and buzzer through their patterns). Times are wall-clock datetimes in the
office's local time, as the employee expects to read them.

Example::

    indicator.show(Recorded(name="Muhammad Rizky Pratama", at=now, late_minutes=12))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Idle:
    """Waiting for a finger: office name and the clock (refreshed by ``Indicator.tick``)."""

    office: str
    now: datetime


@dataclass(frozen=True)
class Reading:
    """A finger is on the sensor and is being read."""


@dataclass(frozen=True)
class Recorded:
    """A punch is durable in the outbox. At most one of late/early is non-zero."""

    name: str
    at: datetime
    late_minutes: int = 0
    early_minutes: int = 0


@dataclass(frozen=True)
class AlreadyRecorded:
    """A repeat scan within the window; ``at`` is the time of the punch already kept."""

    name: str
    at: datetime


@dataclass(frozen=True)
class NotRecognised:
    """The finger matched no enrolled template."""


@dataclass(frozen=True)
class PoorImage:
    """The image was too poor to search (wet, dry, moved): try again."""


@dataclass(frozen=True)
class SensorOffline:
    """The fingerprint sensor does not answer."""


@dataclass(frozen=True)
class WorkingOffline:
    """No link to the server; punches are kept locally, ``unsynced`` of them not yet sent."""

    unsynced: int


@dataclass(frozen=True)
class ClockNotTrusted:
    """The wall clock is not synchronised; punches are still kept and flagged."""


@dataclass(frozen=True)
class NotRecorded:
    """A punch could not be kept. ``reason`` is a catalog code (see ``catalog.REASONS``) or free text."""

    reason: str


@dataclass(frozen=True)
class EnrollPlace:
    """Enrollment, first step: place the finger."""

    employee: str


@dataclass(frozen=True)
class EnrollLift:
    """Enrollment: lift the finger."""


@dataclass(frozen=True)
class EnrollPlaceAgain:
    """Enrollment: place the same finger again."""


@dataclass(frozen=True)
class EnrollDone:
    """Enrollment succeeded; the template is stored at ``page``."""

    employee: str
    page: int


@dataclass(frozen=True)
class EnrollAlreadyEnrolled:
    """The finger is already stored at ``page``."""

    page: int


@dataclass(frozen=True)
class EnrollFailed:
    """Enrollment failed. ``reason`` is a catalog code (see ``catalog.REASONS``) or free text."""

    reason: str


@dataclass(frozen=True)
class Summary:
    """The employee's month so far, shown after a punch: working days late, left early and absent.

    The figures come from the server (the roster's ``summary`` of each employee), so they are the rule
    engine's, up to the last evaluated day. ``month`` is 1-12.
    """

    month: int
    late_days: int = 0
    early_days: int = 0
    absent_days: int = 0


Event = (
    Idle
    | Reading
    | Recorded
    | AlreadyRecorded
    | NotRecognised
    | PoorImage
    | SensorOffline
    | WorkingOffline
    | ClockNotTrusted
    | NotRecorded
    | EnrollPlace
    | EnrollLift
    | EnrollPlaceAgain
    | EnrollDone
    | EnrollAlreadyEnrolled
    | EnrollFailed
    | Summary
)
"""Any event an indicator can show."""
