"""Reading the engine's inputs from the database with Core selects (no ORM objects on the hot path)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, literal_column, or_, select
from sqlalchemy.sql.elements import ColumnElement

from server.db import models as core
from server.db import models_rules as tables
from server.errors import RulesError
from server.rules import AdjustedHours, CalendarOverride, Employee, Excuse

DEFAULT_TZ = "Asia/Jakarta"  # an employee whose office has vanished
CHUNK = 900  # ids per IN (...) list: below SQLite's default limit of 999 bound parameters


@dataclass
class Inputs:
    """Everything but punches the engine needs for a set of employees and one year."""

    year: int
    offices: dict[str, str] = field(default_factory=dict)  # office id -> time zone
    employees: dict[str, Employee] = field(default_factory=dict)
    excuses: dict[str, list[Excuse]] = field(default_factory=dict)
    adjusted: dict[str, list[AdjustedHours]] = field(default_factory=dict)
    overrides: list[CalendarOverride] = field(default_factory=list)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _in(column: Any, ids: Collection[str] | None) -> list[ColumnElement[bool]]:
    return [] if ids is None else [column.in_(list(ids))]


def _hhmm(value: Any, where: str) -> time:
    try:
        hh, mm = str(value).split(":")
        return time(int(hh), int(mm))
    except ValueError as exc:
        raise RulesError(f"{where}: {value!r} is not a time like 09:00") from exc


def hours_from_json(data: dict[str, Any], where: str) -> dict[int, tuple[time, time] | None]:
    """``{"0": ["09:00", "17:30"], "4": null}`` -> weekday -> (start, end) or None."""
    hours: dict[int, tuple[time, time] | None] = {}
    for key, span in data.items():
        weekday = int(key)
        if not 0 <= weekday <= 6:
            raise RulesError(f"{where}: weekday {key!r} must be 0 (Monday) to 6 (Sunday)")
        if span is None:
            hours[weekday] = None
        else:
            start, end = span
            hours[weekday] = (_hhmm(start, where), _hhmm(end, where))
    return hours


def last_employed_day(left_at: datetime, tz: str) -> date:
    """The last day of employment of someone who left at ``left_at``: the day before its local date.

    ``left_at`` is when employment ended; the local day it falls on (in the office's time zone
    ``tz``) is no longer a working day of theirs, whatever the hour.
    """
    return left_at.astimezone(ZoneInfo(tz)).date() - timedelta(days=1)


def load_inputs(conn: Connection, year: int, employee_ids: Collection[str] | None = None) -> Inputs:
    """Offices, employees (with ladder and employment dates), excuses, adjusted hours and overrides."""
    inputs = Inputs(year)
    start, end = date(year, 1, 1), date(year, 12, 31)
    inputs.offices = {o: tz for o, tz in conn.execute(select(core.Office.id, core.Office.tz))}
    ids = None if employee_ids is None else sorted(set(employee_ids))
    groups: list[Sequence[str] | None] = [None] if ids is None else list(chunks(ids))
    for group in groups:
        rows = conn.execute(
            select(
                core.Employee.id,
                core.Employee.office_id,
                core.Employee.left_at,
                tables.RuleSettings.ladder,
                tables.RuleSettings.employed_from,
            )
            .outerjoin(tables.RuleSettings, tables.RuleSettings.employee_id == core.Employee.id)
            .where(*_in(core.Employee.id, group))
        )
        for eid, office, left_at, ladder, employed_from in rows:
            until = None
            if left_at is not None:
                until = last_employed_day(left_at, inputs.offices.get(office, DEFAULT_TZ))
            inputs.employees[eid] = Employee(eid, office, ladder or "asn", employed_from, until)
        for eid, first, last, kind, portion in conn.execute(
            select(
                tables.Excuse.employee_id,
                tables.Excuse.start_date,
                tables.Excuse.end_date,
                tables.Excuse.kind,
                tables.Excuse.portion,
            ).where(
                tables.Excuse.start_date <= end,
                tables.Excuse.end_date >= start,
                *_in(tables.Excuse.employee_id, group),
            )
        ):
            inputs.excuses.setdefault(eid, []).append(Excuse(eid, first, last, kind, portion))
        for row_id, eid, first, last, hours in conn.execute(
            select(
                tables.AdjustedHours.id,
                tables.AdjustedHours.employee_id,
                tables.AdjustedHours.start_date,
                tables.AdjustedHours.end_date,
                tables.AdjustedHours.hours,
            ).where(
                tables.AdjustedHours.start_date <= end,
                or_(tables.AdjustedHours.end_date.is_(None), tables.AdjustedHours.end_date >= start),
                *_in(tables.AdjustedHours.employee_id, group),
            )
        ):
            parsed = hours_from_json(hours, f"adjusted hours #{row_id}")
            inputs.adjusted.setdefault(eid, []).append(AdjustedHours(eid, first, last, parsed))
    inputs.overrides = [
        CalendarOverride(day, kind, name, office)
        for office, day, kind, name in conn.execute(
            select(
                tables.CalendarOverride.office_id,
                tables.CalendarOverride.day,
                tables.CalendarOverride.kind,
                tables.CalendarOverride.name,
            ).where(tables.CalendarOverride.day.between(start, end))
        )
    ]
    return inputs


def epoch_seconds(conn: Connection) -> ColumnElement[Any]:
    """``punches.at`` as POSIX seconds, computed by the database (no datetime objects in Python)."""
    if conn.dialect.name == "sqlite":
        # UTCDateTime stores naive UTC text on SQLite; julianday is exact to well under a millisecond.
        return func.round((func.julianday(core.Punch.at) - literal_column("2440587.5")) * 86400.0, 3)
    return func.extract("epoch", core.Punch.at)


def select_punches(
    conn: Connection,
    first: date,
    last: date,
    employee_ids: Collection[str] | None = None,
    days: Collection[date] | None = None,
) -> Any:
    """Rows (employee_id, POSIX seconds, clock_trusted) of punches filed on local days first..last
    (and, when ``days`` is given, only on those)."""
    where = [
        core.Punch.local_date >= first,
        core.Punch.local_date <= last,
        *_in(core.Punch.employee_id, employee_ids),
    ]
    if days is not None:
        where.append(core.Punch.local_date.in_(sorted(days)))
    return select(core.Punch.employee_id, epoch_seconds(conn), core.Punch.clock_trusted).where(*where)


def load_punches(
    conn: Connection,
    first: date,
    last: date,
    employee_ids: Collection[str] | None = None,
    days: Collection[date] | None = None,
) -> dict[str, tuple[list[float], list[float]]]:
    """Employee id -> (trusted, untrusted) POSIX seconds of their punches on local days first..last.

    A day either side is read too (the engine attributes each punch to its local day itself);
    ``days`` narrows the read to those days (and their neighbours).
    """
    found: dict[str, tuple[list[float], list[float]]] = {}
    one = timedelta(days=1)
    lo, hi = first - one, last + one
    around = None if days is None else {d + k * one for d in days for k in (-1, 0, 1)}
    groups: list[Sequence[str] | None] = (
        [None] if employee_ids is None else list(chunks(sorted(employee_ids)))
    )
    for group in groups:
        # Plain driver rows (no result processing): this reads millions of punches on a full run.
        query = select_punches(conn, lo, hi, group, around)
        sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        result = conn.exec_driver_sql(sql)
        while batch := result.fetchmany(50_000):
            for eid, ts, trusted in batch:
                entry = found.get(eid)
                if entry is None:
                    entry = found[eid] = ([], [])
                entry[0 if trusted else 1].append(float(ts))
    return found


def read_floor(conn: Connection, first: date, last: date) -> int:
    """Read every punch of the period through the ORM column types (datetimes), as plainly as possible.

    The benchmark's floor: what merely reading the punches costs, whatever is done with them.
    """
    count = 0
    result = conn.execute(
        select(core.Punch.employee_id, core.Punch.at, core.Punch.clock_trusted).where(
            core.Punch.local_date >= first, core.Punch.local_date <= last
        )
    )
    while batch := result.fetchmany(50_000):
        count += len(batch)
    return count
