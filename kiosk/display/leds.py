"""The green and red LEDs and the buzzer, driven through gpiozero with an injected pin factory.

Each event maps to a pattern per device (``EVENT_PATTERNS``): green and a short beep when a punch
is recorded, red and two beeps when nothing was recorded, a slow red blink while the kiosk is
offline. Patterns are played by gpiozero's own background ``source`` threads, so ``show`` returns
at once and a beep never delays the next finger.

A new event replaces the patterns of the devices it names. Devices it leaves alone (``KEEP``)
finish a running short pattern, but an endless one (the offline blink) stops: it belongs to the
offline screen, and the app shows that screen again while it is still offline.

Example::

    from gpiozero.pins.mock import MockFactory
    leds = LedBuzzer(pin_factory=MockFactory())
    leds.show(Recorded(name="Siti", at=now))   # returns immediately; green + beep play on
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from gpiozero import LED, Buzzer, GPIOZeroError
from gpiozero.output_devices import DigitalOutputDevice

from kiosk.display import events as ev
from kiosk.display.indicator import Indicator
from kiosk.errors import DisplayError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pattern:
    """Steps of (on, seconds); finite patterns end off, ``repeat`` ones loop until replaced."""

    steps: tuple[tuple[bool, float], ...]
    repeat: bool = False

    def values(self, resolution: float) -> list[bool]:
        """The device state for each ``resolution``-second slot of one pass."""
        slots: list[bool] = []
        for on, seconds in self.steps:
            slots.extend([on] * max(1, round(seconds / resolution)))
        return slots


KEEP: Final = "keep"
"""Leave the device alone: a short pattern finishes, an endless one stops."""
OFF: Final = "off"
"""Turn the device off now."""

Action = Pattern | str

SUCCESS_LIGHT = Pattern(((True, 1.5),))
FAILURE_LIGHT = Pattern(((True, 1.5),))
SHORT_BEEP = Pattern(((True, 0.1),))
TWO_BEEPS = Pattern(((True, 0.1), (False, 0.1), (True, 0.1)))
SLOW_BLINK = Pattern(((True, 1.0), (False, 1.0)), repeat=True)

_SUCCESS = (SUCCESS_LIGHT, OFF, SHORT_BEEP)
_FAILURE = (OFF, FAILURE_LIGHT, TWO_BEEPS)
_OFFLINE = (OFF, SLOW_BLINK, KEEP)

EVENT_PATTERNS: Final[dict[type, tuple[Action, Action, Action]]] = {
    ev.Recorded: _SUCCESS,
    ev.AlreadyRecorded: _SUCCESS,
    ev.EnrollDone: _SUCCESS,
    ev.NotRecognised: _FAILURE,
    ev.PoorImage: _FAILURE,
    ev.NotRecorded: _FAILURE,
    ev.EnrollFailed: _FAILURE,
    ev.EnrollAlreadyEnrolled: _FAILURE,
    ev.SensorOffline: _OFFLINE,
    ev.WorkingOffline: _OFFLINE,
    ev.EnrollLift: (KEEP, KEEP, SHORT_BEEP),
}
"""(green, red, buzzer) for each event type; types not listed leave every device alone."""

DEFAULT_GREEN_PIN = 24
DEFAULT_RED_PIN = 23
DEFAULT_BUZZER_PIN = 18


def describe(event: ev.Event) -> str:
    """What the LEDs and buzzer do for ``event``, in words (for docs and diagnostics).

    >>> describe(NotRecognised())
    'green off; red on 1.5 s; buzzer 0.1 s on, 0.1 s off, 0.1 s on'
    """
    parts = []
    actions = EVENT_PATTERNS.get(type(event), (KEEP, KEEP, KEEP))
    for role, action in zip(("green", "red", "buzzer"), actions, strict=True):
        if isinstance(action, Pattern):
            steps = ", ".join(f"{seconds:g} s {'on' if on else 'off'}" for on, seconds in action.steps)
            if len(action.steps) == 1:
                steps = f"on {action.steps[0][1]:g} s"
            parts.append(f"{role} {steps}{', repeating' if action.repeat else ''}")
        elif action == OFF:
            parts.append(f"{role} off")
    return "; ".join(parts) if parts else "unchanged (a short pattern finishes, a blink stops)"


class _Channel:
    """One output device and the pattern it is playing."""

    def __init__(self, device: DigitalOutputDevice) -> None:
        self.device = device
        self.endless = False
        self.done = threading.Event()
        self.done.set()

    def play(self, pattern: Pattern, resolution: float) -> None:
        self.stop()
        values = pattern.values(resolution)
        done = threading.Event()
        self.done, self.endless = done, pattern.repeat

        def source() -> Iterator[bool]:
            if pattern.repeat:
                while True:
                    yield from values
            yield from values
            yield False
            done.set()

        self.device.source = source()

    def stop(self) -> None:
        self.device.source = None
        self.device.off()
        self.endless = False
        self.done.set()

    def keep(self) -> None:
        if self.endless:
            self.stop()


class LedBuzzer(Indicator):
    """Green LED, red LED and buzzer on GPIO pins, playing a pattern per event.

    Parameters:
        pin_factory: gpiozero pin factory (``MockFactory`` in tests, lgpio on a Pi); None for
            gpiozero's default.
        green, red, buzzer: BCM pin numbers.
        resolution: seconds per pattern slot (gpiozero's ``source_delay`` at ``speed`` 1).
        speed: how many times faster than real time patterns play (tests use a large value).

    Raises ``DisplayError`` from ``open`` when a pin cannot be used (in use, no such pin).
    """

    def __init__(
        self,
        pin_factory: Any = None,
        *,
        green: int = DEFAULT_GREEN_PIN,
        red: int = DEFAULT_RED_PIN,
        buzzer: int = DEFAULT_BUZZER_PIN,
        resolution: float = 0.05,
        speed: float = 1.0,
    ) -> None:
        self.pin_factory = pin_factory
        self.pins = {"green": green, "red": red, "buzzer": buzzer}
        self.resolution = resolution
        self.speed = speed
        self._channels: list[_Channel] = []
        self._lock = threading.Lock()

    def open(self) -> None:
        """Claim the three pins. Idempotent."""
        with self._lock:
            if self._channels:
                return
            devices: list[DigitalOutputDevice] = []
            try:
                for role, kind in (("green", LED), ("red", LED), ("buzzer", Buzzer)):
                    device = kind(self.pins[role], pin_factory=self.pin_factory)
                    device.source_delay = self.resolution / self.speed
                    devices.append(device)
            except GPIOZeroError as exc:
                for device in devices:
                    device.close()
                message = f"cannot use GPIO pins {self.pins} for the LEDs and buzzer: {exc}"
                raise DisplayError(message) from exc
            self._channels = [_Channel(device) for device in devices]
            log.debug("LEDs and buzzer on GPIO %s", self.pins)

    def show(self, event: ev.Event) -> None:
        """Start the patterns for ``event`` in the background and return at once."""
        self.open()
        actions = EVENT_PATTERNS.get(type(event), (KEEP, KEEP, KEEP))
        with self._lock:
            if not self._channels:
                return  # closed by another thread meanwhile
            for channel, action in zip(self._channels, actions, strict=True):
                if isinstance(action, Pattern):
                    channel.play(action, self.resolution)
                elif action == OFF:
                    channel.stop()
                else:
                    channel.keep()

    def tick(self, now: datetime) -> None:
        """Nothing to refresh: patterns run on their own threads."""

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every finite pattern has finished; False if ``timeout`` passed first."""
        with self._lock:
            events = [channel.done for channel in self._channels if not channel.endless]
        return all(done.wait(timeout) for done in events)

    @property
    def devices(self) -> dict[str, DigitalOutputDevice]:
        """The gpiozero devices by role ("green", "red", "buzzer"); empty before ``open``."""
        return dict(zip(self.pins, (c.device for c in self._channels), strict=False))

    def close(self) -> None:
        """Stop every pattern, turn everything off and release the pins. Idempotent."""
        with self._lock:
            channels, self._channels = self._channels, []
        for channel in channels:
            channel.stop()
            channel.device.close()
