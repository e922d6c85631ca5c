"""The monthly summary after a punch: from the roster's ``summary`` through the real door loop, the
emulated R307 and the emulated 16x2 LCD, timed by the injected clock."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.app.machine import KioskApp, PunchRecorded, RepeatScan
from kiosk.app.runner import Devices, KioskRunner
from kiosk.display import events as ev
from kiosk.display.indicator import CompositeIndicator
from kiosk.display.lcd import LcdIndicator
from kiosk.errors import ConfigError
from kiosk.roster import MonthSummary, Roster, parse_directory
from kiosk.sensor.r307 import R307Sensor, SensorSettings
from kiosk.settings import parse_settings
from simulator.lcd import PCF8574LCD
from tests.kiosk.conftest import ROSTER
from tests.kiosk.helpers import AppClock, Facts, Screens, enroll_on, touch

# The fixtures' clock starts on Monday 7 December 2026, 07:42:30 WIB.
DECEMBER = {"month": 12, "late": 2, "early": 0, "absent": 1}
ID_LINES = ("Des: 2x telat   ", "Awal 0x Alpa 1x ")
EN_LINES = ("Dec: 2x late    ", "Early 0x Abs 1x ")
HOLD = 3.0  # the "recorded" screen (feedback_hold_s)
SUMMARY = 2.5  # the summary after it


def roster_with(tmp_path: Path, siti: Any = None, budi: Any = None) -> Roster:
    entries: list[dict[str, Any]] = [dict(e) for e in ROSTER["roster"]]  # type: ignore[attr-defined]
    for entry, summary in zip(entries, (siti, budi), strict=True):
        if summary is not None:
            entry["summary"] = summary
    roster = Roster(tmp_path / "state")
    roster.load()
    roster.update({**ROSTER, "roster": entries})
    return roster


class Rig:
    """The app on the emulated sensor, showing on an emulated LCD and on a recorder."""

    def __init__(self, sensor, emulator, outbox, roster: Roster, clock: AppClock, facts, **app: Any) -> None:
        self.lcd_bus = PCF8574LCD(1)
        self.lcd = LcdIndicator(port=1, lang=app.pop("lang", "id"), bus_factory=self.lcd_bus.bus_factory)
        self.screens = Screens()
        self.emulator, self.sensor, self.roster = emulator, sensor, roster
        self.clock, self.outbox = clock, outbox
        self.app = KioskApp(
            sensor=sensor,
            indicator=CompositeIndicator([self.screens, self.lcd]),
            outbox=outbox,
            roster=roster,
            clock=clock,
            facts=facts,
            identify_poll_s=0.3,
            feedback_hold_s=HOLD,
            **app,
        )

    @property
    def lines(self) -> tuple[str, str]:
        return self.lcd_bus.lines

    def wait(self, seconds: float) -> None:
        """Let ``seconds`` pass with an empty glass (the loop keeps polling the sensor)."""
        self.emulator.lift()
        self.clock.advance(seconds)
        self.app.step()

    def close(self) -> None:
        self.lcd.close()


@pytest.fixture
def rig_for(sensor, emulator, outbox, clock, facts, tmp_path: Path) -> Iterator[Any]:
    made: list[Rig] = []

    def make(siti: Any = DECEMBER, budi: Any = None, **app: Any) -> Rig:
        rig = Rig(sensor, emulator, outbox, roster_with(tmp_path, siti, budi), clock, facts, **app)
        made.append(rig)
        return rig

    yield make
    for rig in made:
        rig.close()


@pytest.mark.parametrize(("lang", "expected"), [("id", ID_LINES), ("en", EN_LINES)])
def test_the_summary_follows_the_recorded_screen_for_its_time(rig_for, lang: str, expected) -> None:
    rig = rig_for(lang=lang, summary_hold_s=SUMMARY)
    enroll_on(rig.emulator, rig.sensor, rig.roster, "siti", "E1")
    rig.emulator.place("siti")
    outcome = rig.app.step()
    assert isinstance(outcome, PunchRecorded) and rig.outbox.stats().pending == 1
    recorded = rig.lines
    assert isinstance(rig.screens.last, ev.Recorded)
    rig.wait(HOLD - 0.1)
    assert rig.lines == recorded  # "recorded" keeps its full time
    rig.wait(0.1)
    assert rig.lines == expected
    assert rig.screens.last == ev.Summary(month=12, late_days=2, early_days=0, absent_days=1)
    rig.wait(SUMMARY - 0.1)
    assert rig.lines == expected
    rig.wait(0.1)
    assert isinstance(rig.screens.last, ev.Idle)
    assert rig.lines != expected
    assert len(rig.screens.of(ev.Summary)) == 1


def test_disabled_by_default(rig_for) -> None:
    rig = rig_for()
    enroll_on(rig.emulator, rig.sensor, rig.roster, "siti", "E1")
    rig.emulator.place("siti")
    assert isinstance(rig.app.step(), PunchRecorded)
    for _ in range(4):
        rig.wait(1.5)
    assert isinstance(rig.screens.last, ev.Idle)
    assert rig.screens.of(ev.Summary) == []
    assert parse_settings({"kiosk": {"id": "k1"}, "mqtt": {"key": "00" * 16}}).display.show_summary is False


def test_a_stale_month_is_not_shown(rig_for) -> None:
    rig = rig_for(siti={**DECEMBER, "month": 11}, summary_hold_s=SUMMARY)
    enroll_on(rig.emulator, rig.sensor, rig.roster, "siti", "E1")
    rig.emulator.place("siti")
    assert isinstance(rig.app.step(), PunchRecorded)
    rig.wait(HOLD)
    assert isinstance(rig.screens.last, ev.Idle)  # straight back to idle
    assert rig.screens.of(ev.Summary) == []


def test_a_summary_of_last_year_is_not_shown(rig_for) -> None:
    rig = rig_for(siti={**DECEMBER, "year": 2025}, summary_hold_s=SUMMARY)
    enroll_on(rig.emulator, rig.sensor, rig.roster, "siti", "E1")
    rig.emulator.place("siti")
    assert isinstance(rig.app.step(), PunchRecorded)
    rig.wait(HOLD + SUMMARY)
    assert rig.screens.of(ev.Summary) == []


def test_a_repeat_scan_shows_no_summary(rig_for) -> None:
    rig = rig_for(summary_hold_s=SUMMARY)
    enroll_on(rig.emulator, rig.sensor, rig.roster, "siti", "E1")
    rig.emulator.place("siti")
    assert isinstance(rig.app.step(), PunchRecorded)
    rig.wait(HOLD + SUMMARY)
    assert len(rig.screens.of(ev.Summary)) == 1
    rig.clock.advance(10)  # well inside the 60 s repeat window
    assert isinstance(touch(rig.emulator, rig.app, "siti"), RepeatScan)
    assert isinstance(rig.screens.last, ev.AlreadyRecorded)
    for _ in range(4):
        rig.wait(1.5)
    assert len(rig.screens.of(ev.Summary)) == 1
    assert isinstance(rig.screens.last, ev.Idle)


def test_the_next_finger_is_not_delayed_and_cancels_a_pending_summary(rig_for) -> None:
    rig = rig_for(summary_hold_s=SUMMARY)
    enroll_on(rig.emulator, rig.sensor, rig.roster, "siti", "E1")
    enroll_on(rig.emulator, rig.sensor, rig.roster, "budi", "E2")
    rig.emulator.place("siti")
    assert isinstance(rig.app.step(), PunchRecorded)
    rig.clock.advance(1)
    # Budi right behind Siti: recorded at once, and Siti's summary is never shown to him.
    budi = touch(rig.emulator, rig.app, "budi")
    assert isinstance(budi, PunchRecorded) and budi.employee == "E2"
    assert rig.screens.last.name == "Budi Santoso"
    for _ in range(4):
        rig.wait(1.5)
    assert rig.screens.of(ev.Summary) == []  # Budi has no summary; Siti's was dropped
    assert isinstance(rig.screens.last, ev.Idle)


def test_a_finger_during_the_summary_replaces_it(rig_for) -> None:
    rig = rig_for(budi={"month": 12, "late": 0, "early": 3, "absent": 0}, summary_hold_s=SUMMARY)
    enroll_on(rig.emulator, rig.sensor, rig.roster, "siti", "E1")
    enroll_on(rig.emulator, rig.sensor, rig.roster, "budi", "E2")
    rig.emulator.place("siti")
    assert isinstance(rig.app.step(), PunchRecorded)
    rig.wait(HOLD)
    assert rig.lines == ID_LINES
    budi = touch(rig.emulator, rig.app, "budi")
    assert isinstance(budi, PunchRecorded) and budi.employee == "E2"
    assert isinstance(rig.screens.last, ev.Recorded) and rig.screens.last.name == "Budi Santoso"
    rig.wait(HOLD)
    assert rig.lines == ("Des: 0x telat   ", "Awal 3x Alpa 0x ")
    rig.wait(SUMMARY)
    assert isinstance(rig.screens.last, ev.Idle)


@pytest.mark.parametrize(
    "bad",
    [
        "two late",
        {"late": 2},
        {"month": 13, "late": 2},
        {"month": 12, "late": -1},
        {"month": 12, "late": "2"},
        {"month": 12, "absent": True},
        {"month": 12, "year": "2026"},
    ],
)
def test_bad_summary_data_is_ignored_and_the_roster_still_works(
    rig_for, bad: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="kiosk.roster"):
        rig = rig_for(siti=bad, budi=DECEMBER, summary_hold_s=SUMMARY)
    assert any("roster[0].summary ignored" in r.getMessage() for r in caplog.records)
    siti = rig.roster.employee("E1")
    assert siti is not None and siti.name == "Siti Aminah" and siti.summary is None
    enroll_on(rig.emulator, rig.sensor, rig.roster, "siti", "E1")
    rig.emulator.place("siti")
    assert isinstance(rig.app.step(), PunchRecorded)
    rig.wait(HOLD + SUMMARY)
    assert rig.screens.of(ev.Summary) == []
    assert isinstance(rig.screens.last, ev.Idle)


def test_the_summary_survives_a_restart_of_the_roster(tmp_path: Path) -> None:
    roster = roster_with(tmp_path, siti=DECEMBER)
    again = Roster(tmp_path / "state")
    again.load()
    siti = again.employee("E1")
    assert siti is not None and siti.summary == MonthSummary(month=12, late=2, early=0, absent=1)
    budi = again.employee("E2")
    assert budi is not None and budi.summary is None
    assert roster.employee("E1") == siti


def test_the_server_roster_shape_is_read_from_settings() -> None:
    directory = parse_directory(
        {"settings": {"roster": [{"employee": "E9", "name": "X", "summary": {**DECEMBER, "year": 2026}}]}}
    )
    assert directory.employees["E9"].summary == MonthSummary(12, 2, 0, 1, 2026)


def settings_with(tmp_path: Path, display: dict[str, Any]) -> Any:
    data = {"kiosk": {"id": "k1", "data_dir": str(tmp_path / "data")}, "mqtt": {"key": "cd" * 32}}
    return parse_settings({**data, "display": display})


def test_the_runner_passes_the_setting_to_the_door_loop(tmp_path: Path, emulator) -> None:
    sensor = R307Sensor(SensorSettings(port=emulator.port, timeout=0.5))
    devices = Devices(sensor, Screens(), Facts())
    on = KioskRunner(settings_with(tmp_path, {"show_summary": True, "summary_s": 2}), devices)
    assert on.app.summary_hold_s == 2
    off = KioskRunner(settings_with(tmp_path, {"summary_s": 2}), devices)
    assert off.app.summary_hold_s is None


@pytest.mark.parametrize("seconds", [0, 0.5, 11])
def test_the_summary_time_is_bounded(tmp_path: Path, seconds: float) -> None:
    with pytest.raises(ConfigError, match="display.summary_s"):
        settings_with(tmp_path, {"show_summary": True, "summary_s": seconds})
