"""The indicator seam: the kiosk app shows events; each indicator turns them into light and sound.

Implementations: ``LcdIndicator`` (16x2 HD44780 over I2C through RPLCD), ``ConsoleIndicator``
(the same screen drawn in a terminal), ``LedBuzzer`` (gpiozero LEDs and buzzer) and
``CompositeIndicator`` (all of them at once).

Example::

    with CompositeIndicator([LcdIndicator(lang="id"), LedBuzzer(pin_factory=factory)]) as indicator:
        indicator.show(Idle(office="Kantor Camat Ciracas", now=now))
        while running:
            indicator.tick(clock_now())   # cheap: redraws the idle clock once a minute
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import datetime
from types import TracebackType
from typing import Self

from kiosk.display.events import Event
from kiosk.errors import DisplayError

log = logging.getLogger(__name__)


class Indicator(ABC):
    """Something that shows the kiosk's events to the person at the door.

    ``show`` and ``tick`` never block on a pattern (beeps and blinks run in the background) and
    never raise for a device that has gone missing: indicators degrade and recover on their own.
    """

    def open(self) -> None:  # noqa: B027 - optional hook, most indicators need nothing
        """Acquire the device. Idempotent; ``show`` opens on first use if this was not called."""

    @abstractmethod
    def show(self, event: Event) -> None:
        """Show ``event`` now, replacing what was shown before."""

    @abstractmethod
    def tick(self, now: datetime) -> None:
        """Called often from the kiosk loop; refreshes the idle clock when the minute changes."""

    @abstractmethod
    def close(self) -> None:
        """Release the device. Idempotent."""

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class CompositeIndicator(Indicator):
    """Several indicators driven as one; a failing one is logged and does not stop the others."""

    def __init__(self, indicators: Iterable[Indicator]) -> None:
        self.indicators = list(indicators)

    def _each(self, action: str, *args: object) -> None:
        for indicator in self.indicators:
            try:
                getattr(indicator, action)(*args)
            except (DisplayError, OSError) as exc:
                log.error("%s.%s failed: %s", type(indicator).__name__, action, exc)

    def open(self) -> None:
        self._each("open")

    def show(self, event: Event) -> None:
        self._each("show", event)

    def tick(self, now: datetime) -> None:
        self._each("tick", now)

    def close(self) -> None:
        self._each("close")
