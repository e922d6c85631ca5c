"""Fixtures of the sensor tests: the emulator on a pty, a fake clock, an open R307Sensor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.sensor.r307 import R307Sensor, SensorSettings
from simulator.r307 import R307Emulator


class FakeClock:
    """A monotonic clock that only moves when told to; ``sleep`` moves it instantly."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[R307Emulator]:
    with R307Emulator(link=tmp_path / "ttyR307") as emu:
        yield emu


def settings_for(port: str, **overrides: object) -> SensorSettings:
    values: dict[str, object] = {"port": port, "timeout": 0.5, "retry_initial": 2.0, "retry_max": 16.0}
    values.update(overrides)
    return SensorSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def sensor(emulator: R307Emulator, clock: FakeClock) -> Iterator[R307Sensor]:
    with R307Sensor(settings_for(emulator.port), clock=clock) as opened:
        yield opened
