"""gpiozero ``MockFactory`` wiring for the kiosk's LEDs and buzzer, with each pin's state history.

``MockPin.states`` (gpiozero 2) records every change with the time since the previous one; the
helpers here turn that into what a test asserts on: the sequence of levels and the length of each
high pulse, and wait for a condition with a deadline instead of sleeping.

Example::

    pins = IndicatorPins()
    leds = LedBuzzer(pin_factory=pins.factory, **pins.numbers, speed=50)
    leds.show(NotRecognised())
    assert wait_until(lambda: pins.levels("buzzer") == [False, True, False, True, False])
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from gpiozero.pins.mock import MockFactory, MockPin

from kiosk.display.leds import DEFAULT_BUZZER_PIN, DEFAULT_GREEN_PIN, DEFAULT_RED_PIN


def levels(pin: MockPin) -> list[bool]:
    """The levels ``pin`` went through, starting with its initial one."""
    return [bool(state.state) for state in list(pin.states)]


def pulses(pin: MockPin) -> list[float]:
    """Durations in seconds of each completed high pulse on ``pin``."""
    states = list(pin.states)
    return [after.timestamp for before, after in zip(states, states[1:], strict=False) if before.state]


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0, interval: float = 0.001) -> bool:
    """Poll ``predicate`` until it is true (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() >= deadline:
            return predicate()
        pause.wait(interval)
    return True


class IndicatorPins:
    """A ``MockFactory`` with the green LED, red LED and buzzer pins of a kiosk.

    Parameters:
        green, red, buzzer: BCM pin numbers (the ``LedBuzzer`` defaults).
        factory: an existing ``MockFactory`` to share (e.g. with the sensor's touch pin).
    """

    def __init__(
        self,
        green: int = DEFAULT_GREEN_PIN,
        red: int = DEFAULT_RED_PIN,
        buzzer: int = DEFAULT_BUZZER_PIN,
        factory: MockFactory | None = None,
    ) -> None:
        self.factory = factory if factory is not None else MockFactory()
        self.numbers: dict[str, Any] = {"green": green, "red": red, "buzzer": buzzer}

    def pin(self, role: str) -> MockPin:
        """The mock pin for "green", "red" or "buzzer"."""
        return self.factory.pin(self.numbers[role])

    def levels(self, role: str) -> list[bool]:
        """Level history of ``role``'s pin (see ``levels``)."""
        return levels(self.pin(role))

    def pulses(self, role: str) -> list[float]:
        """High-pulse durations of ``role``'s pin (see ``pulses``)."""
        return pulses(self.pin(role))

    def clear(self) -> None:
        """Forget the history so far (each pin keeps its current level as the first entry)."""
        for role in self.numbers:
            self.pin(role).clear_states()

    def close(self) -> None:
        """Release every pin the factory made."""
        self.factory.close()
