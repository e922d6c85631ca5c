"""Builders for rule-engine tests: punches in local time, working days of a month, one-call evaluation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.rules import (
    AdjustedHours,
    CalendarOverride,
    Employee,
    Excuse,
    Punch,
    RulePack,
    YearResult,
    build_calendar,
    evaluate_employee,
    load_pack,
)

WIB = "Asia/Jakarta"
WITA = "Asia/Makassar"
WIT = "Asia/Jayapura"
EMP = "199001012020011001"
PACK = load_pack()


def at(day: date, hhmm: str, tz: str = WIB, second: int = 0) -> datetime:
    hh, mm = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hh, mm, second), ZoneInfo(tz))


def punch(
    day: date, hhmm: str, tz: str = WIB, second: int = 0, kiosk: str = "k1", trusted: bool = True
) -> Punch:
    return Punch(EMP, at(day, hhmm, tz, second), kiosk, trusted)


def working_days(start: date, end: date, pack: RulePack = PACK, tz: str = WIB) -> list[date]:
    cal = build_calendar(pack, start.year, tz)
    out = []
    day = start
    while day <= end:
        if not cal.is_off(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def on_time(days: Iterable[date], tz: str = WIB) -> list[Punch]:
    """An arrival at 07:20 and a departure at 16:40 on each day (on time every weekday)."""
    return [p for d in days for p in (punch(d, "07:20", tz), punch(d, "16:40", tz))]


def evaluate(
    punches: Iterable[Punch],
    *,
    as_of: date,
    pack: RulePack = PACK,
    tz: str = WIB,
    excuses: Iterable[Excuse] = (),
    adjusted: Iterable[AdjustedHours] = (),
    overrides: Iterable[CalendarOverride] = (),
    ladder: str = "asn",
    employed_from: date | None = None,
    employed_until: date | None = None,
) -> YearResult:
    cal = build_calendar(pack, as_of.year, tz, overrides, office_id="o1")
    employee = Employee(EMP, "o1", ladder, employed_from=employed_from, employed_until=employed_until)
    return evaluate_employee(employee, cal, pack, punches, excuses=excuses, adjusted=adjusted, as_of=as_of)


def day_of(result: YearResult, day: date):  # noqa: ANN201 - a DayRecord
    return next(r for r in result.days if r.day == day)
