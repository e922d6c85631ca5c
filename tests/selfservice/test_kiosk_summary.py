"""The kiosk's monthly summary: from the server's roster to the 16x2 LCD (through the emulator)."""

from __future__ import annotations

import pytest

from kiosk.display import events as ev
from kiosk.display.lcd import LcdIndicator
from server.roster import RosterConfig
from simulator.lcd import PCF8574LCD
from tests.selfservice.scenario import BUDI, NOW


def on_the_glass(event: ev.Event, lang: str) -> tuple[str, str]:
    bus = PCF8574LCD(1)
    with LcdIndicator(port=1, lang=lang, bus_factory=bus.bus_factory) as indicator:
        indicator.show(event)
        return tuple(bus.lines)  # type: ignore[return-value]


def test_the_roster_summary_reaches_the_lcd(db) -> None:
    entry = next(
        e
        for e in RosterConfig(db, clock=lambda: NOW)("plaju-1")["settings"]["roster"]
        if e["employee"] == BUDI
    )
    s = entry["summary"]
    event = ev.Summary(s["month"], s["late"], s["early"], s["absent"])
    assert on_the_glass(event, "id") == ("Des: 0x telat   ", "Awal 0x Alpa 1x ")
    assert on_the_glass(event, "en") == ("Dec: 0x late    ", "Early 0x Abs 1x ")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_large_numbers_still_fit_sixteen_columns(lang: str) -> None:
    lines = on_the_glass(ev.Summary(month=8, late_days=23, early_days=21, absent_days=22), lang)
    assert all(len(line) == 16 for line in lines)
    assert "23x" in lines[0] and "21" in lines[1] and "22" in lines[1]
