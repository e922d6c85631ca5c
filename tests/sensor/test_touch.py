"""The touch (wake-up) pin: identification waits on the falling edge instead of polling GenImg."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from gpiozero.pins.mock import MockFactory

from kiosk.sensor import Enrolled, EnrollStep, Match, NoFinger, PoorImage
from kiosk.sensor.r307 import R307Sensor
from simulator.r307 import R307Emulator
from tests.sensor.conftest import FakeClock, settings_for

TOUCH = 17


@pytest.fixture
def factory() -> Iterator[MockFactory]:
    pins = MockFactory()
    yield pins
    pins.close()


@pytest.fixture
def touch_emulator(factory: MockFactory) -> Iterator[R307Emulator]:
    with R307Emulator(touch_pin=factory.pin(TOUCH)) as emulator:
        yield emulator


@pytest.fixture
def touch_sensor(
    touch_emulator: R307Emulator, factory: MockFactory, clock: FakeClock
) -> Iterator[R307Sensor]:
    settings = settings_for(touch_emulator.port, touch_pin=TOUCH)
    with R307Sensor(settings, pin_factory=factory, clock=clock) as sensor:
        yield sensor


def test_waiting_with_the_pin_sends_nothing_to_the_sensor(
    touch_sensor: R307Sensor, touch_emulator: R307Emulator
) -> None:
    before = touch_emulator.commands
    assert touch_sensor.identify(timeout=0.05) == NoFinger()
    assert touch_sensor.identify() == NoFinger()
    assert touch_emulator.commands == before


def test_the_falling_edge_wakes_a_waiting_identify(
    touch_sensor: R307Sensor, touch_emulator: R307Emulator
) -> None:
    touch_emulator.preload(8, "alice")
    results: list[object] = []
    waiting = threading.Thread(target=lambda: results.append(touch_sensor.identify(timeout=30)))
    waiting.start()
    touch_emulator.place("alice")
    waiting.join(timeout=10)
    assert not waiting.is_alive()
    assert results == [Match(8, 300)]


def test_a_finger_already_on_the_glass_is_read_at_once(
    touch_sensor: R307Sensor, touch_emulator: R307Emulator
) -> None:
    touch_emulator.place("bob", quality="smudged")
    assert touch_sensor.identify() == PoorImage("image too disordered")


def test_enroll_waits_for_the_lift_on_the_pin(touch_sensor: R307Sensor, touch_emulator: R307Emulator) -> None:
    pin_states: list[str] = []

    def on_step(step: EnrollStep) -> None:
        if step is EnrollStep.LIFT:
            touch_emulator.lift()
        else:
            touch_emulator.place("carol")
        pin_states.append(step.value)

    assert touch_sensor.enroll(on_step=on_step) == Enrolled(0)
    assert pin_states == ["place", "lift", "place_again"]


def test_without_the_pin_genimg_is_polled_at_a_bounded_rate(
    sensor: R307Sensor, emulator: R307Emulator, clock: FakeClock
) -> None:
    before = emulator.commands
    assert sensor.identify(timeout=2.0) == NoFinger()
    polls = emulator.commands - before
    # one GenImg per poll_interval (0.1 s) of the 2 s window, plus the first one
    assert 20 <= polls <= 22
    assert clock.slept == pytest.approx(2.0)
    # the bound holds across calls too: a loop of short identifies cannot poll faster
    before, started = emulator.commands, clock.monotonic()
    while clock.monotonic() - started < 1.0:
        assert sensor.identify(timeout=0.25) == NoFinger()
    assert emulator.commands - before <= 11
    assert sensor.identify() == NoFinger()  # a single attempt also waits for its slot


def test_poor_images_are_values(sensor: R307Sensor, emulator: R307Emulator) -> None:
    for quality, reason in (
        ("smudged", "image too disordered"),
        ("partial", "too few feature points"),
        ("fail", "image capture failed"),
    ):
        emulator.place("dave", quality)
        assert sensor.identify() == PoorImage(reason)
