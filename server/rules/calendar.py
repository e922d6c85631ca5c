"""Working calendars: which local days are working days for an office, with which hours.

Built once per office and year (:func:`build_calendar`) and then shared by every employee of the
office. Days are local to the office's time zone (WIB/WITA/WIT); a punch belongs to the local date
it happened on, never the UTC date.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

from server.rules.errors import RuleInputError
from server.rules.model import CalendarOverride
from server.rules.pack import Hours, RulePack

WORKING = "working"
WEEKEND = "weekend"
HOLIDAY = "holiday"
UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    kind: str  # working | weekend | holiday
    name: str | None
    hours: Hours  # office hours (minutes after local midnight) on a working day
    source: str | None  # default | ramadan | override
    midnight: float  # POSIX seconds of local midnight


@dataclass(frozen=True, slots=True)
class OfficeCalendar:
    """One office's calendar for one year. ``days[i]`` is the day with ordinal ``first_ordinal + i``."""

    year: int
    tz: str
    days: tuple[CalendarDay, ...]
    first_ordinal: int
    fixed_offset: int | None  # seconds east of UTC when constant all year (all of Indonesia)

    def day(self, day: date) -> CalendarDay:
        index = day.toordinal() - self.first_ordinal
        if not 0 <= index < len(self.days):
            raise RuleInputError(f"{day} is not in the {self.year} calendar")
        return self.days[index]

    def is_off(self, day: date) -> bool:
        """True for weekends and holidays (outside the year: by weekday and the same schedule)."""
        index = day.toordinal() - self.first_ordinal
        if 0 <= index < len(self.days):
            return self.days[index].kind != WORKING
        return day.weekday() >= 5

    def local_ordinal(self, ts: float) -> int:
        """The proleptic ordinal of the local date of POSIX time ``ts``."""
        if self.fixed_offset is not None:
            return int((ts + self.fixed_offset) // 86400) + UNIX_EPOCH_ORDINAL
        return datetime.fromtimestamp(ts, _zone(self.tz)).date().toordinal()


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuleInputError(
            f"unknown time zone {name!r} (use e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura)"
        ) from exc


@functools.lru_cache(maxsize=64)
def national_holidays(country: str, categories: tuple[str, ...], year: int) -> dict[date, str]:
    """Holidays from the ``holidays`` package (for ID: ``public`` and ``government`` = cuti bersama)."""
    try:
        found = holidays_lib.country_holidays(country, years=year, categories=categories)
    except NotImplementedError as exc:
        raise RuleInputError(f"holidays: unknown country or category {country} {categories}: {exc}") from exc
    return dict(found.items())


def _in_periods(day: date, periods: tuple[tuple[date, date], ...]) -> bool:
    return any(start <= day <= end for start, end in periods)


def _first_hours(schedule: tuple[Hours, ...]) -> Hours:
    return next(h for h in schedule if h)


def build_calendar(
    pack: RulePack,
    year: int,
    tz: str,
    overrides: Iterable[CalendarOverride] = (),
    office_id: str | None = None,
) -> OfficeCalendar:
    """The calendar of ``year`` for an office in time zone ``tz``.

    Order of precedence (later wins): the weekly schedule, national holidays, the pack's extra days
    off and working days, then ``overrides`` for this office (or for all offices).
    """
    zone = _zone(tz)
    national = national_holidays(pack.holiday_country, pack.holiday_categories, year)
    off: dict[date, str] = {d: n for d, n in national.items() if d.year == year}
    working_forced: set[date] = set(pack.extra_working_days)
    for d, label in pack.extra_days_off:
        off[d] = label
        working_forced.discard(d)
    for ov in sorted(overrides, key=lambda o: (o.office_id is not None, o.day)):
        if ov.office_id not in (None, office_id) or ov.day.year != year:
            continue
        if ov.kind == "working":
            off.pop(ov.day, None)
            working_forced.add(ov.day)
        elif ov.kind in ("day_off", "holiday"):
            off[ov.day] = ov.name
            working_forced.discard(ov.day)
        else:
            raise RuleInputError(
                f"calendar override on {ov.day}: unknown kind {ov.kind!r} (day_off, working, holiday)"
            )

    days = []
    offsets = set()
    day = date(year, 1, 1)
    while day.year == year:
        midnight_dt = datetime(day.year, day.month, day.day, tzinfo=zone)
        offset = midnight_dt.utcoffset()
        offsets.add(int(offset.total_seconds()) if offset is not None else 0)
        ramadan = _in_periods(day, pack.ramadan_periods)
        schedule = pack.ramadan_schedule if ramadan else pack.schedule
        hours = schedule[day.weekday()]
        source: str | None = "ramadan" if ramadan else "default"
        name: str | None
        if day in off:
            kind, name, hours = (HOLIDAY if hours else WEEKEND), off[day], None
            source = None
        elif day in working_forced:
            kind, name, hours = WORKING, None, hours or _first_hours(schedule)
            source = "override" if schedule[day.weekday()] is None else source
        elif hours is None:
            kind, name, source = WEEKEND, None, None
        else:
            kind, name = WORKING, None
        days.append(CalendarDay(day, kind, name, hours, source, midnight_dt.timestamp()))
        day += timedelta(days=1)
    fixed = offsets.pop() if len(offsets) == 1 else None
    if fixed is not None:
        # Also require the offset to hold at the end of the year (a mid-day change would be missed).
        end = datetime(year, 12, 31, 23, 59, tzinfo=zone).utcoffset()
        if end is None or int(end.total_seconds()) != fixed:
            fixed = None
    return OfficeCalendar(year, tz, tuple(days), date(year, 1, 1).toordinal(), fixed)
