"""Fixtures for the display tests: the emulated LCD, an indicator on it, mock pins, a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.display.lcd import LcdIndicator
from simulator.lcd import PCF8574LCD
from simulator.pins import IndicatorPins


class FakeClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def lcd_bus() -> PCF8574LCD:
    return PCF8574LCD(1)


@pytest.fixture
def lcd(lcd_bus: PCF8574LCD, clock: FakeClock) -> Iterator[LcdIndicator]:
    indicator = LcdIndicator(port=1, bus_factory=lcd_bus.bus_factory, clock=clock, retry_interval=30)
    yield indicator
    indicator.close()


@pytest.fixture
def pins() -> Iterator[IndicatorPins]:
    wiring = IndicatorPins()
    yield wiring
    wiring.close()
