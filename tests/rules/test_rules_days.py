"""Day records: lateness and early-leave bands, grace, missing punches, time zones, excuses, hours."""

from __future__ import annotations

import dataclasses
from datetime import date, time

import pytest

from server.rules import AdjustedHours, Excuse, render_all
from server.rules.model import (
    ABSENT,
    EARLY,
    EXCUSED,
    HOLIDAY,
    LATE,
    LATE_EARLY,
    MISSING_IN,
    MISSING_OUT,
    PRESENT,
    WEEKEND,
)
from tests.rules.helpers import EMP, PACK, WIB, WIT, WITA, day_of, evaluate, punch

MON = date(2026, 7, 6)
FRI = date(2026, 7, 10)


def one_day(*punches, day: date = MON, pack=PACK, tz: str = WIB, **kw):  # noqa: ANN002, ANN003, ANN201
    return day_of(evaluate(punches, as_of=day, pack=pack, tz=tz, **kw), day)


def test_on_time_day() -> None:
    r = one_day(punch(MON, "07:30"), punch(MON, "16:00"))
    assert (r.status, r.late_minutes, r.early_minutes, r.unexcused) == (PRESENT, 0, 0, 0)
    assert "Present on time (in 07:30, out 16:00)" in render_all(r.reasons, "en")
    assert "Hadir tepat waktu (masuk 07:30, pulang 16:00)" in render_all(r.reasons)


@pytest.mark.parametrize(
    ("arrival", "second", "minutes", "band"),
    [
        ("07:30", 59, 0, None),
        ("07:31", 0, 1, "TL1"),
        ("08:00", 0, 30, "TL1"),
        ("08:01", 0, 31, "TL2"),
        ("08:30", 0, 60, "TL2"),
        ("08:31", 0, 61, "TL3"),
        ("09:00", 0, 90, "TL3"),
        ("09:01", 0, 91, "TL4"),
    ],
)
def test_late_band_edges(arrival: str, second: int, minutes: int, band: str | None) -> None:
    r = one_day(punch(MON, arrival, second=second), punch(MON, "16:00"))
    assert (r.late_minutes, r.late_band) == (minutes, band)
    assert r.status == (LATE if band else PRESENT)


@pytest.mark.parametrize(
    ("departure", "second", "minutes", "band"),
    [
        ("15:59", 30, 0, None),
        ("15:59", 0, 1, "PSW1"),
        ("15:30", 0, 30, "PSW1"),
        ("15:29", 0, 31, "PSW2"),
        ("15:00", 0, 60, "PSW2"),
        ("14:59", 0, 61, "PSW3"),
        ("14:30", 0, 90, "PSW3"),
        ("14:29", 0, 91, "PSW4"),
    ],
)
def test_early_band_edges(departure: str, second: int, minutes: int, band: str | None) -> None:
    r = one_day(punch(MON, "07:00"), punch(MON, departure, second=second))
    assert (r.early_minutes, r.early_band) == (minutes, band)
    assert r.status == (EARLY if band else PRESENT)


def test_friday_ends_at_16_30_and_late_plus_early() -> None:
    r = one_day(punch(FRI, "07:45"), punch(FRI, "16:15"), day=FRI)
    assert (r.status, r.late_minutes, r.early_minutes) == (LATE_EARLY, 15, 15)
    assert r.cut_percent == 1.0


@pytest.mark.parametrize(
    ("grace", "deducted", "arrival", "expected"),
    [(10, False, "07:40", 0), (10, False, "07:41", 11), (10, True, "07:41", 1), (10, True, "07:40", 0)],
)
def test_grace_edges(grace: int, deducted: bool, arrival: str, expected: int) -> None:
    pack = dataclasses.replace(PACK, grace_minutes=grace, grace_deducted=deducted)
    r = one_day(punch(MON, arrival), punch(MON, "16:00"), pack=pack)
    assert r.late_minutes == expected
    if expected == 0:
        assert any("grace" in text for text in render_all(r.reasons, "en"))


def test_missing_punches_follow_the_pack() -> None:
    morning = one_day(punch(MON, "07:10"))
    assert (morning.status, morning.early_band, morning.unexcused) == (MISSING_OUT, "PSW4", 0)
    assert morning.cut_percent == 1.5
    evening = one_day(punch(MON, "16:05"))
    assert (evening.status, evening.late_band) == (MISSING_IN, "TL4")
    absent_pack = dataclasses.replace(PACK, missing_out="absent", missing_in="ignore")
    assert one_day(punch(MON, "07:10"), pack=absent_pack).unexcused == 1
    ignored = one_day(punch(MON, "16:05"), pack=absent_pack)
    assert (ignored.status, ignored.late_band, ignored.unexcused, ignored.cut_percent) == (
        MISSING_IN,
        None,
        0,
        0,
    )
    counted = dataclasses.replace(PACK, missing_punch_minutes=90)
    assert one_day(punch(MON, "07:10"), pack=counted).early_minutes == 90


def test_duplicates_and_several_kiosks() -> None:
    r = one_day(
        punch(MON, "07:25", kiosk="k1"),
        punch(MON, "07:25", kiosk="k1"),
        punch(MON, "07:27", kiosk="k2"),
        punch(MON, "12:00", kiosk="k2"),
        punch(MON, "16:02", kiosk="k1"),
    )
    assert (r.status, r.punch_count) == (PRESENT, 5)
    assert r.first_punch == punch(MON, "07:25").at and r.last_punch == punch(MON, "16:02").at
    # Two punches a minute apart are one punch: an arrival, so the out-punch is missing.
    r = one_day(punch(MON, "07:25", kiosk="k1"), punch(MON, "07:26", kiosk="k2"))
    assert r.status == MISSING_OUT


def test_absent_excused_holiday_weekend() -> None:
    assert one_day().status == ABSENT and one_day().unexcused == 1
    leave = Excuse(EMP, MON, MON, "cuti_tahunan")
    r = one_day(excuses=[leave])
    assert (r.status, r.excuse, r.unexcused) == (EXCUSED, "cuti_tahunan", 0)
    assert "Excused: cuti_tahunan" in render_all(r.reasons, "en")
    aug17 = date(2026, 8, 17)
    assert one_day(day=aug17).status == HOLIDAY
    sat = date(2026, 7, 11)
    result = evaluate([punch(sat, "09:00")], as_of=sat)
    assert day_of(result, sat).status == WEEKEND
    assert all(r.day != date(2026, 7, 12) for r in result.days)  # quiet weekend days get no record


@pytest.mark.parametrize("tz", [WIB, WITA, WIT])
def test_punches_near_local_midnight_go_to_the_local_day(tz: str) -> None:
    # 23:59 local on Monday and 00:01 local on Tuesday: the UTC date is the previous day for both.
    tue = date(2026, 7, 7)
    result = evaluate(
        [punch(MON, "07:30", tz), punch(MON, "23:59", tz), punch(tue, "00:01", tz)], as_of=tue, tz=tz
    )
    assert day_of(result, MON).status == PRESENT
    assert day_of(result, MON).last_punch == punch(MON, "23:59", tz).at
    assert day_of(result, tue).status == MISSING_OUT  # a lone 00:01 punch is an early "arrival"
    assert punch(tue, "00:01", tz).at.astimezone(tz=None).utcoffset() is not None


@pytest.mark.parametrize(("tz", "utc_hour"), [(WIB, 0), (WITA, 23), (WIT, 22)])
def test_utc_date_line_in_each_zone(tz: str, utc_hour: int) -> None:
    # 07:30 local is 00:30 UTC in WIB (same date) but 23:30 / 22:30 UTC of the previous date in WITA / WIT.
    p = punch(MON, "07:30", tz)
    from datetime import UTC

    assert p.at.astimezone(UTC).hour == utc_hour
    r = day_of(evaluate([p, punch(MON, "16:00", tz)], as_of=MON, tz=tz), MON)
    assert (r.status, r.late_minutes) == (PRESENT, 0)


def test_adjusted_hours_take_effect_mid_month() -> None:
    flexible = AdjustedHours(EMP, date(2026, 7, 15), None, {d: (time(9, 0), time(17, 30)) for d in range(5)})
    before, after = date(2026, 7, 14), date(2026, 7, 15)
    punches = [punch(before, "09:00"), punch(before, "17:30"), punch(after, "09:00"), punch(after, "17:30")]
    result = evaluate(punches, as_of=after, adjusted=[flexible])
    assert (day_of(result, before).status, day_of(result, before).late_minutes) == (LATE, 90)
    r = day_of(result, after)
    assert (r.status, r.late_minutes, r.schedule_source) == (PRESENT, 0, "adjusted")
    assert "Schedule 09:00–17:30 (individual hours)" in render_all(r.reasons, "en")


def test_adjusted_day_off_and_end_date() -> None:
    four_days = AdjustedHours(EMP, date(2026, 7, 1), date(2026, 7, 31), {4: None})
    result = evaluate([], as_of=date(2026, 8, 7), adjusted=[four_days])
    assert all(r.day != FRI for r in result.days)
    assert day_of(result, date(2026, 8, 7)).status == ABSENT


def test_half_day_leave() -> None:
    morning_off = Excuse(EMP, MON, MON, "izin", "am")
    r = one_day(punch(MON, "11:40"), punch(MON, "16:00"), excuses=[morning_off])
    assert (r.status, r.late_minutes, r.excuse_portion) == (PRESENT, 0, "am")
    r = one_day(punch(MON, "12:00"), punch(MON, "16:00"), excuses=[morning_off])
    assert (r.status, r.late_minutes) == (LATE, 15)  # due at 11:45, the middle of 07:30-16:00
    afternoon_off = Excuse(EMP, MON, MON, "izin", "pm")
    r = one_day(punch(MON, "07:30"), punch(MON, "11:45"), excuses=[afternoon_off])
    assert (r.status, r.early_minutes) == (PRESENT, 0)
    r = one_day(excuses=[afternoon_off])
    assert (r.status, r.unexcused) == (ABSENT, 0.5)
    assert r.reasons[-1].code == "day.half_absent"
    both = one_day(excuses=[afternoon_off, morning_off])
    assert (both.status, both.unexcused) == (EXCUSED, 0)


def test_untrusted_clock_punches_are_ignored_but_reported() -> None:
    r = one_day(punch(MON, "07:00", trusted=False), punch(MON, "16:00"))
    assert (r.status, r.untrusted_punches) == (MISSING_IN, 1)
    assert any("untrusted" in text for text in render_all(r.reasons, "en"))
    trusting = dataclasses.replace(PACK, ignore_untrusted_clock=False)
    assert one_day(punch(MON, "07:00", trusted=False), punch(MON, "16:00"), pack=trusting).status == PRESENT


def test_days_outside_employment_get_no_record() -> None:
    result = evaluate([], as_of=date(2026, 7, 10), employed_from=date(2026, 7, 8))
    assert [r.day for r in result.days] == [date(2026, 7, 8), date(2026, 7, 9), date(2026, 7, 10)]
