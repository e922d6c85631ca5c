"""The Sensor contract, run against the emulator and, with HADIR_TEST_SENSOR_PORT set, a real R307.

On hardware the library is EMPTIED. Tests that need fingers also need a person at the sensor
(HADIR_TEST_SENSOR_INTERACTIVE=1): they print which finger to place ("alice" and "bob" are two
different fingers, "stranger" a third one) on the terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pytest

from kiosk.sensor import (
    AlreadyEnrolled,
    Enrolled,
    EnrollStep,
    Match,
    NoFinger,
    NoMatch,
    TemplateNotFound,
    WrongPassword,
)
from kiosk.sensor.clock import SystemClock
from kiosk.sensor.r307 import R307Sensor, SensorSettings
from simulator.r307 import R307Emulator
from tests.sensor.conftest import FakeClock, settings_for

HARDWARE_PORT = os.environ.get("HADIR_TEST_SENSOR_PORT")
INTERACTIVE = bool(os.environ.get("HADIR_TEST_SENSOR_INTERACTIVE"))


class Hand(Protocol):
    """Whoever puts fingers on the glass: the emulator's virtual hand or a person."""

    needs_person: bool

    def place(self, name: str) -> None: ...

    def lift(self) -> None: ...


class EmulatedHand:
    needs_person = False

    def __init__(self, emulator: R307Emulator) -> None:
        self.emulator = emulator

    def place(self, name: str) -> None:
        self.emulator.place(name)

    def lift(self) -> None:
        self.emulator.lift()


class PersonHand:
    needs_person = True

    def place(self, name: str) -> None:
        sys.__stdout__.write(f"\n>>> place finger {name!r} on the sensor\n")  # type: ignore[union-attr]

    def lift(self) -> None:
        sys.__stdout__.write("\n>>> lift your finger\n")  # type: ignore[union-attr]


class Backend:
    """Builds sensors for one implementation (and, for export/import, a second one)."""

    def __init__(self, name: str, tmp_path: Path) -> None:
        self.name = name
        # a person needs real seconds to move a finger; the emulator runs on the fake clock
        self.clock: FakeClock | SystemClock = FakeClock() if name == "emulator" else SystemClock()
        self._tmp = tmp_path
        self._emulators: list[R307Emulator] = []
        self._sensors: list[R307Sensor] = []

    def settings(self, **overrides: object) -> SensorSettings:
        if self.name == "hardware":
            assert HARDWARE_PORT
            values: dict[str, object] = {"port": HARDWARE_PORT, "timeout": 1.0, "enroll_timeout": 20.0}
            values.update(overrides)
            return SensorSettings(**values)  # type: ignore[arg-type]
        emulator = R307Emulator(link=self._tmp / f"tty{len(self._emulators)}").start()
        self._emulators.append(emulator)
        return settings_for(emulator.port, **overrides)

    def open(self, **overrides: object) -> tuple[R307Sensor, Hand]:
        sensor = R307Sensor(self.settings(**overrides), clock=self.clock)
        self._sensors.append(sensor)
        sensor.open()
        hand: Hand = EmulatedHand(self._emulators[-1]) if self.name == "emulator" else PersonHand()
        return sensor, hand

    def close(self) -> None:
        for sensor in self._sensors:
            sensor.close()
        for emulator in self._emulators:
            emulator.close()


@pytest.fixture(params=["emulator", pytest.param("hardware", marks=pytest.mark.hardware)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "hardware" and not HARDWARE_PORT:
        pytest.skip("set HADIR_TEST_SENSOR_PORT to run the contract against a real R307")
    chosen = Backend(request.param, tmp_path)
    yield chosen
    chosen.close()


@pytest.fixture
def opened(backend: Backend) -> tuple[R307Sensor, Hand]:
    sensor, hand = backend.open()
    sensor.empty()
    return sensor, hand


def needs_fingers(hand: Hand) -> None:
    if hand.needs_person and not INTERACTIVE:
        pytest.skip("needs a person at the sensor: set HADIR_TEST_SENSOR_INTERACTIVE=1")


def steps_for(hand: Hand, name: str) -> Callable[[EnrollStep], None]:
    def on_step(step: EnrollStep) -> None:
        if step is EnrollStep.LIFT:
            hand.lift()
        else:
            hand.place(name)

    return on_step


def enroll(sensor: R307Sensor, hand: Hand, name: str, page: int | None = None) -> int:
    result = sensor.enroll(page, on_step=steps_for(hand, name))
    hand.lift()
    assert isinstance(result, Enrolled), result
    return result.page


def scan(sensor: R307Sensor, hand: Hand, name: str) -> object:
    hand.place(name)
    try:
        return sensor.identify(timeout=10)
    finally:
        hand.lift()


def test_handshake_reads_the_system_parameters(opened: tuple[R307Sensor, Hand]) -> None:
    sensor, _ = opened
    assert sensor.online
    params = sensor.parameters
    assert params is not None
    assert params.library_size == sensor.capacity == 1000
    assert 1 <= params.security_level <= 5
    assert params.packet_size in (32, 64, 128, 256)


def test_enroll_two_identify_each_and_refuse_a_stranger(opened: tuple[R307Sensor, Hand]) -> None:
    sensor, hand = opened
    needs_fingers(hand)
    steps: list[EnrollStep] = []
    alice = sensor.enroll(on_step=lambda step: (steps.append(step), steps_for(hand, "alice")(step))[0])
    hand.lift()
    assert alice == Enrolled(0)
    assert steps == [EnrollStep.PLACE, EnrollStep.LIFT, EnrollStep.PLACE_AGAIN]
    assert enroll(sensor, hand, "bob", page=17) == 17
    first, second = scan(sensor, hand, "alice"), scan(sensor, hand, "bob")
    assert isinstance(first, Match) and first.page == 0 and first.score > 0
    assert isinstance(second, Match) and second.page == 17
    assert scan(sensor, hand, "stranger") == NoMatch()


def test_an_enrolled_finger_is_refused(opened: tuple[R307Sensor, Hand]) -> None:
    sensor, hand = opened
    needs_fingers(hand)
    enroll(sensor, hand, "alice", page=3)
    again = sensor.enroll(on_step=steps_for(hand, "alice"))
    hand.lift()
    assert again == AlreadyEnrolled(3)
    assert sensor.pages() == [3]


def test_no_finger(opened: tuple[R307Sensor, Hand], backend: Backend) -> None:
    sensor, _ = opened
    assert sensor.identify() == NoFinger()
    before = backend.clock.monotonic()
    assert sensor.identify(timeout=0.5) == NoFinger()
    if isinstance(backend.clock, FakeClock):
        assert backend.clock.monotonic() - before >= 0.5  # waited (on the injected clock) for the timeout


def test_delete_count_and_list(opened: tuple[R307Sensor, Hand]) -> None:
    sensor, hand = opened
    needs_fingers(hand)
    assert (sensor.count(), sensor.pages()) == (0, [])
    for page, name in ((5, "alice"), (300, "bob"), (999, "carol")):
        enroll(sensor, hand, name, page=page)
    assert (sensor.count(), sensor.pages()) == (3, [5, 300, 999])
    sensor.delete(300)
    assert (sensor.count(), sensor.pages()) == (2, [5, 999])
    assert scan(sensor, hand, "bob") == NoMatch()
    sensor.delete(300)  # deleting an empty page is not an error
    sensor.empty()
    assert (sensor.count(), sensor.pages()) == (0, [])


def test_export_from_one_sensor_import_into_another(backend: Backend) -> None:
    source, hand = backend.open()
    source.empty()
    needs_fingers(hand)
    page = enroll(source, hand, "alice", page=12)
    template = source.export_template(page)
    assert len(template) == 512
    assert source.export_template(page) == template
    if backend.name == "hardware":
        target, target_hand = source, hand
        target.empty()
    else:
        target, target_hand = backend.open()
        target.empty()
    target.import_template(400, template)
    assert target.pages() == [400]
    result = scan(target, target_hand, "alice")
    assert isinstance(result, Match) and result.page == 400
    assert scan(target, target_hand, "bob") == NoMatch()


def test_export_of_an_empty_page_is_template_not_found(opened: tuple[R307Sensor, Hand]) -> None:
    sensor, _ = opened
    with pytest.raises(TemplateNotFound):
        sensor.export_template(44)
    assert sensor.online


def test_bad_arguments_are_value_errors(opened: tuple[R307Sensor, Hand]) -> None:
    sensor, _ = opened
    with pytest.raises(ValueError):
        sensor.delete(1000)
    with pytest.raises(ValueError):
        sensor.import_template(1, bytes(100))
    with pytest.raises(ValueError):
        sensor.set_security_level(6)


def test_security_level_is_set(opened: tuple[R307Sensor, Hand]) -> None:
    sensor, _ = opened
    sensor.set_security_level(5)
    sensor.close()
    sensor.open()
    assert sensor.parameters is not None and sensor.parameters.security_level == 5
    sensor.set_security_level(3)


def test_wrong_password_is_refused(backend: Backend) -> None:
    sensor = R307Sensor(backend.settings(password=0xDEADBEEF), clock=backend.clock)
    try:
        with pytest.raises(WrongPassword):
            sensor.open()
        assert not sensor.online
    finally:
        sensor.close()
