"""The one seam between the kiosk and a fingerprint sensor.

:class:`Sensor` is what the kiosk app codes against; :class:`kiosk.sensor.r307.R307Sensor` drives a
real R307 (or the emulator in :mod:`simulator.r307`). Scan outcomes are small frozen dataclasses so
that callers can ``match`` on them::

    with R307Sensor(SensorSettings(port="/dev/serial0")) as sensor:
        match sensor.identify(timeout=5):
            case Match(page=page, score=score):
                ...
            case NoFinger() | NoMatch() | PoorImage():
                ...
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self


@dataclass(frozen=True)
class Match:
    """The finger matched the template stored at ``page`` with confidence ``score``."""

    page: int
    score: int


@dataclass(frozen=True)
class NoFinger:
    """No finger was on the glass before the timeout."""


@dataclass(frozen=True)
class NoMatch:
    """A finger was read but matches no stored template."""


@dataclass(frozen=True)
class PoorImage:
    """A finger was on the glass but the image was unusable; ``reason`` says why (for the log)."""

    reason: str


IdentifyResult = Match | NoFinger | NoMatch | PoorImage


class EnrollStep(enum.Enum):
    """What the person enrolling must do next (shown on the display)."""

    PLACE = "place"
    LIFT = "lift"
    PLACE_AGAIN = "place_again"


@dataclass(frozen=True)
class Enrolled:
    """The finger was stored at ``page``."""

    page: int


@dataclass(frozen=True)
class AlreadyEnrolled:
    """The finger is already stored at ``page``; nothing was written."""

    page: int


@dataclass(frozen=True)
class EnrollFailed:
    """Enrollment did not complete; ``reason`` is a short machine-friendly phrase."""

    reason: str


EnrollResult = Enrolled | AlreadyEnrolled | EnrollFailed


class SensorState(enum.Enum):
    """Health of the link: ``DEGRADED`` after a recovered fault, ``OFFLINE`` while unreachable."""

    CLOSED = "closed"
    ONLINE = "online"
    DEGRADED = "degraded"
    OFFLINE = "offline"


class Sensor(ABC):
    """A fingerprint sensor with an on-board template library.

    Constructors are cheap; :meth:`open` talks to the device. :meth:`close` is idempotent. Every
    method may raise a :class:`kiosk.errors.SensorError` subclass (see :mod:`kiosk.sensor.errors`)
    when the device fails; expected scan outcomes are returned as values.
    """

    capacity: int = 1000

    @abstractmethod
    def open(self) -> None:
        """Connect and handshake. An unreachable sensor leaves :attr:`online` false and is retried."""

    @abstractmethod
    def close(self) -> None:
        """Release the port and pins; safe to call more than once."""

    @property
    @abstractmethod
    def online(self) -> bool:
        """True while the last exchange with the sensor succeeded."""

    @abstractmethod
    def identify(self, timeout: float | None = None) -> IdentifyResult:
        """Capture a finger and search the library.

        ``timeout`` is how long to wait for a finger to arrive; ``None`` makes a single attempt.
        """

    @abstractmethod
    def enroll(
        self, page: int | None = None, on_step: Callable[[EnrollStep], None] | None = None
    ) -> EnrollResult:
        """Enroll a finger with two captures into ``page`` (or the lowest free page).

        ``on_step`` is called with PLACE, LIFT and PLACE_AGAIN as the person must act. A finger that
        is already stored is refused with :class:`AlreadyEnrolled`.
        """

    @abstractmethod
    def delete(self, page: int) -> None:
        """Delete the template at ``page`` (no error when the page is already empty)."""

    @abstractmethod
    def empty(self) -> None:
        """Delete every template in the library."""

    @abstractmethod
    def pages(self) -> list[int]:
        """The library pages in use, ascending."""

    @abstractmethod
    def count(self) -> int:
        """The number of stored templates."""

    @abstractmethod
    def export_template(self, page: int) -> bytes:
        """The 512-byte template stored at ``page``; raises TemplateNotFound when empty.

        Templates are biometric data: encrypt them before they leave the process, never log them.
        """

    @abstractmethod
    def import_template(self, page: int, data: bytes) -> None:
        """Store a 512-byte template (from :meth:`export_template`) at ``page``."""

    @abstractmethod
    def set_security_level(self, level: int) -> None:
        """Set the matching threshold, 1 (lenient) to 5 (strict)."""

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
