"""Enrollment edge cases: each way it can fail is a value, and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.sensor import AlreadyEnrolled, Enrolled, EnrollFailed, EnrollStep
from kiosk.sensor.r307 import R307Sensor
from simulator.r307 import R307Emulator
from tests.sensor.conftest import FakeClock


def script(emulator: R307Emulator, first: str | None, second: str | None, lift: bool = True,
           quality: str = "good") -> Callable[[EnrollStep], None]:  # fmt: skip
    def on_step(step: EnrollStep) -> None:
        if step is EnrollStep.PLACE and first:
            emulator.place(first, quality)
        elif step is EnrollStep.LIFT and lift:
            emulator.lift()
        elif step is EnrollStep.PLACE_AGAIN and second:
            emulator.place(second)

    return on_step


def test_two_different_fingers_do_not_combine(sensor: R307Sensor, emulator: R307Emulator) -> None:
    assert sensor.enroll(4, on_step=script(emulator, "alice", "bob")) == EnrollFailed("captures do not match")
    assert sensor.pages() == []


def test_no_finger_within_the_enroll_timeout(
    sensor: R307Sensor, emulator: R307Emulator, clock: FakeClock
) -> None:
    assert sensor.enroll(on_step=script(emulator, None, None)) == EnrollFailed("no finger")
    assert clock.slept == pytest.approx(sensor.settings.enroll_timeout)


def test_finger_never_lifted(sensor: R307Sensor, emulator: R307Emulator) -> None:
    assert sensor.enroll(on_step=script(emulator, "alice", "alice", lift=False)) == EnrollFailed(
        "finger not lifted"
    )
    assert sensor.count() == 0


def test_poor_first_image(sensor: R307Sensor, emulator: R307Emulator) -> None:
    result = sensor.enroll(on_step=script(emulator, "alice", "alice", quality="partial"))
    assert result == EnrollFailed("poor image: too few feature points")


def test_library_full(sensor: R307Sensor, emulator: R307Emulator) -> None:
    for page in range(1000):
        emulator.preload(page, f"p{page}")
    assert sensor.enroll(on_step=script(emulator, "new", "new")) == EnrollFailed("library full")


def test_next_free_page_and_duplicate(sensor: R307Sensor, emulator: R307Emulator) -> None:
    emulator.preload(0, "a")
    emulator.preload(1, "b")
    emulator.preload(3, "c")
    assert sensor.enroll(on_step=script(emulator, "d", "d")) == Enrolled(2)
    emulator.lift()
    assert sensor.enroll(on_step=script(emulator, "c", "c")) == AlreadyEnrolled(3)
    assert sensor.pages() == [0, 1, 2, 3]
