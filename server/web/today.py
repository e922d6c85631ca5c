"""Today's attendance per unit, live from the punches (the rule engine evaluates a day once it is over).

Classification of an active employee on their office's local today:

* ``off`` — not a working day for them (weekend, holiday, or a day off in their adjusted hours);
* ``excused`` — a full-day excuse (leave, travel, sickness …) covers today;
* ``present`` / ``late`` — first punch at or before the start (plus the pack's grace), or after it;
* ``absent`` — no punch yet (shown as "not (yet) in").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.db import models_rules as tables
from server.db.models import Employee, Office, Punch
from server.evaluation.loading import hours_from_json
from server.rules import CalendarOverride, OfficeCalendar, RulePack, build_calendar
from server.web.auth import CurrentUser
from server.web.scope import in_scope

STATES = ("present", "late", "absent", "excused", "off")
MAX_NAMES = 50


@dataclass
class UnitToday:
    """Counts for one unit, and the names behind the counts that need attention."""

    unit: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    late: list[tuple[str, str, int]] = field(default_factory=list)  # (id, name, minutes late)
    absent: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _minutes(value: datetime, midnight: float) -> int:
    return int((value.timestamp() - midnight) // 60)


def board(
    session: Session, calendars: Calendars, now: datetime, user: CurrentUser
) -> tuple[list[UnitToday], date]:
    """Per-unit counts for the user's units, sorted by unit; and the (first office's) local date."""
    offices = dict(session.execute(select(Office.id, Office.tz)).all())
    overrides = [
        CalendarOverride(day=o.day, kind=o.kind, name=o.name, office_id=o.office_id)
        for o in session.scalars(select(tables.CalendarOverride))
    ]
    days: dict[str, Any] = {}
    for office_id, tz in offices.items():
        local = now.astimezone(_zone(tz)).date()
        mine = tuple(o for o in overrides if o.day.year == local.year and o.office_id in (None, office_id))
        calendar = calendars.get(local.year, tz, mine, office_id)
        days[office_id] = calendar.day(local)
    dates = sorted({d.day for d in days.values()})
    first = dict(
        session.execute(
            select(Punch.employee_id, func.min(Punch.at))
            .where(Punch.local_date.in_(dates), Punch.clock_trusted.is_(True))
            .group_by(Punch.employee_id)
        ).all()
    )
    excused = (
        {
            e
            for e, portion in session.execute(
                select(tables.Excuse.employee_id, tables.Excuse.portion).where(
                    tables.Excuse.start_date <= max(dates), tables.Excuse.end_date >= min(dates)
                )
            )
            if portion == "full"
        }
        if dates
        else set()
    )
    adjusted: dict[str, dict[int, Any]] = {}
    if dates:
        for row in session.scalars(
            select(tables.AdjustedHours)
            .where(
                tables.AdjustedHours.start_date <= max(dates),
                or_(tables.AdjustedHours.end_date.is_(None), tables.AdjustedHours.end_date >= min(dates)),
            )
            .order_by(tables.AdjustedHours.start_date)
        ):
            adjusted[row.employee_id] = hours_from_json(row.hours, f"adjusted hours #{row.id}")
    units: dict[str, UnitToday] = {}
    query = in_scope(select(Employee.id, Employee.name, Employee.unit, Employee.office_id), user)
    for eid, name, unit, office_id in session.execute(query.where(Employee.active.is_(True))):
        day = days.get(office_id)
        if day is None:
            continue
        entry = units.get(unit or "")
        if entry is None:
            entry = units[unit or ""] = UnitToday(unit or "")
        hours = day.hours if day.kind == "working" else None
        own = adjusted.get(eid)
        if own is not None and day.kind == "working" and day.day.weekday() in own:
            span = own[day.day.weekday()]
            hours = (
                None
                if span is None
                else (span[0].hour * 60 + span[0].minute, span[1].hour * 60 + span[1].minute)
            )
        if hours is None:
            state = "off"
        elif eid in excused:
            state = "excused"
        elif eid in first:
            late = _minutes(first[eid], day.midnight) - hours[0]
            state = "late" if late > calendars.pack.grace_minutes else "present"
            if state == "late" and len(entry.late) < MAX_NAMES:
                entry.late.append((eid, name, late))
        else:
            state = "absent"
            if len(entry.absent) < MAX_NAMES:
                entry.absent.append((eid, name))
        entry.counts[state] += 1
    ordered = sorted(units.values(), key=lambda u: u.unit)
    return ordered, dates[0] if dates else now.date()


class Calendars:
    """Office calendars of one rule pack, built once per (year, zone, overrides, office).

    Building a calendar computes the year's holidays, far too slow to repeat on every page view.
    """

    def __init__(self, pack: RulePack) -> None:
        self.pack = pack
        self._built: dict[tuple[object, ...], OfficeCalendar] = {}

    def get(
        self, year: int, tz: str, overrides: tuple[CalendarOverride, ...], office_id: str
    ) -> OfficeCalendar:
        key = (year, tz, overrides, office_id)
        calendar = self._built.get(key)
        if calendar is None:
            if len(self._built) > 256:
                self._built.clear()
            calendar = self._built[key] = build_calendar(self.pack, year, tz, overrides, office_id=office_id)
        return calendar


def totals(units: list[UnitToday]) -> dict[str, int]:
    result: dict[str, int] = defaultdict(int)
    for u in units:
        for state, n in u.counts.items():
            result[state] += n
    return dict(result)


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
