"""Fixtures of the kiosk app tests: the real R307 driver on the emulator, a real outbox, a roster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.app.machine import KioskApp
from kiosk.roster import Roster
from kiosk.sensor.r307 import R307Sensor, SensorSettings
from kiosk.sync.outbox import Outbox
from simulator.r307 import R307Emulator
from tests.kiosk.helpers import AppClock, Facts, FullDisk, Screens, SensorClock

ROSTER = {
    "roster_version": "3",
    "office": "Kantor Camat Plaju",
    "timezone": "Asia/Jakarta",
    "schedule": {day: ["07:30", "16:00"] for day in ("mon", "tue", "wed", "thu")}
    | {"fri": ["07:30", "16:30"]},
    "roster": [
        {"employee": "E1", "name": "Siti Aminah"},
        {"employee": "E2", "name": "Budi Santoso"},
    ],
}


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[R307Emulator]:
    with R307Emulator(link=tmp_path / "ttyR307") as emu:
        yield emu


@pytest.fixture
def sensor(emulator: R307Emulator) -> Iterator[R307Sensor]:
    settings = SensorSettings(port=emulator.port, timeout=0.25, retry_initial=1.0, retry_max=4.0)
    with R307Sensor(settings, clock=SensorClock()) as opened:
        yield opened


@pytest.fixture
def disk() -> FullDisk:
    return FullDisk()


@pytest.fixture
def outbox(tmp_path: Path, disk: FullDisk) -> Iterator[Outbox]:
    with Outbox(tmp_path / "outbox", disk=disk) as box:
        yield box


@pytest.fixture
def roster(tmp_path: Path) -> Roster:
    roster = Roster(tmp_path / "state")
    roster.load()
    roster.update(ROSTER)
    return roster


@pytest.fixture
def clock() -> AppClock:
    return AppClock()


@pytest.fixture
def facts() -> Facts:
    return Facts()


@pytest.fixture
def screens(emulator: R307Emulator) -> Screens:
    return Screens(emulator)


@pytest.fixture
def app(sensor, screens, outbox, roster, clock, facts) -> KioskApp:
    return KioskApp(
        sensor=sensor,
        indicator=screens,
        outbox=outbox,
        roster=roster,
        clock=clock,
        facts=facts,
        office="fallback office",
        identify_poll_s=0.3,
    )
