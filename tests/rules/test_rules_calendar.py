"""Working calendars: Perpres hours per weekday, Ramadan, national holidays and local overrides."""

from __future__ import annotations

from datetime import date

import pytest

from server.rules import CalendarOverride, RuleInputError, build_calendar
from server.rules.calendar import HOLIDAY, WEEKEND, WORKING
from tests.rules.helpers import PACK, WIB, WIT, WITA


def test_weekly_schedule_in_office_time() -> None:
    cal = build_calendar(PACK, 2026, WIB)
    assert cal.day(date(2026, 7, 6)).hours == (450, 960)  # Monday 07:30-16:00
    assert cal.day(date(2026, 7, 10)).hours == (450, 990)  # Friday 07:30-16:30
    assert cal.day(date(2026, 7, 11)).kind == WEEKEND
    assert cal.day(date(2026, 7, 12)).kind == WEEKEND
    assert len(cal.days) == 365 and cal.fixed_offset == 7 * 3600


@pytest.mark.parametrize(("tz", "hours"), [(WIB, 7), (WITA, 8), (WIT, 9)])
def test_local_midnight_per_zone(tz: str, hours: int) -> None:
    cal = build_calendar(PACK, 2026, tz)
    midnight = cal.day(date(2026, 7, 6)).midnight
    assert midnight == (date(2026, 7, 6) - date(1970, 1, 1)).days * 86400 - hours * 3600
    assert cal.local_ordinal(midnight) == date(2026, 7, 6).toordinal()
    assert cal.local_ordinal(midnight - 1) == date(2026, 7, 5).toordinal()


def test_national_holidays_and_cuti_bersama() -> None:
    cal = build_calendar(PACK, 2026, WIB)
    assert cal.day(date(2026, 1, 1)).kind == HOLIDAY  # Tahun Baru (public)
    assert cal.day(date(2026, 8, 17)).kind == HOLIDAY  # Hari Kemerdekaan (public)
    assert cal.day(date(2026, 2, 16)).kind == HOLIDAY  # cuti bersama Imlek (government)
    assert cal.day(date(2026, 12, 24)).kind == HOLIDAY  # cuti bersama Natal (government)
    assert cal.day(date(2026, 4, 5)).kind == WEEKEND  # Easter Sunday stays a weekend day


def test_ramadan_schedule_for_configured_dates() -> None:
    cal = build_calendar(PACK, 2026, WIB)
    assert cal.day(date(2026, 2, 17)).kind == HOLIDAY
    assert cal.day(date(2026, 2, 18)).hours == (480, 900) and cal.day(date(2026, 2, 18)).source == "ramadan"
    assert cal.day(date(2026, 2, 20)).hours == (480, 930)  # Friday in Ramadan
    assert cal.day(date(2026, 3, 25)).hours == (450, 960) and cal.day(date(2026, 3, 25)).source == "default"


def test_local_overrides_win_and_only_for_their_office() -> None:
    overrides = [
        CalendarOverride(date(2026, 7, 7), "day_off", "HUT Kota", office_id="o1"),
        CalendarOverride(date(2026, 7, 8), "day_off", "Elsewhere", office_id="o2"),
        CalendarOverride(date(2026, 12, 24), "working", "cuti bersama dibatalkan"),
        CalendarOverride(date(2026, 7, 11), "working", "Saturday make-up day", office_id="o1"),
    ]
    cal = build_calendar(PACK, 2026, WIB, overrides, office_id="o1")
    assert cal.day(date(2026, 7, 7)).kind == HOLIDAY and cal.day(date(2026, 7, 7)).name == "HUT Kota"
    assert cal.day(date(2026, 7, 8)).kind == WORKING
    assert cal.day(date(2026, 12, 24)).kind == WORKING
    assert cal.day(date(2026, 7, 11)).kind == WORKING and cal.day(date(2026, 7, 11)).hours == (450, 960)


def test_bad_inputs() -> None:
    with pytest.raises(RuleInputError, match="time zone"):
        build_calendar(PACK, 2026, "Asia/Nowhere")
    with pytest.raises(RuleInputError, match="unknown kind"):
        build_calendar(PACK, 2026, WIB, [CalendarOverride(date(2026, 1, 5), "party", "x")])
