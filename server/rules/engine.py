"""The engine's front door: one employee's year from plain inputs.

>>> from datetime import date
>>> pack = load_pack()
>>> cal = build_calendar(pack, 2026, "Asia/Jakarta")
>>> result = evaluate_employee(Employee("199001012020011001", "plaju"), cal, pack, [], as_of=date(2026, 1, 9))
>>> result.summary.ledger.unexcused_days
6.0
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from server.rules.calendar import OfficeCalendar, build_calendar
from server.rules.days import evaluate_days
from server.rules.errors import RuleInputError
from server.rules.model import AdjustedHours, Employee, Excuse, Punch, YearResult
from server.rules.pack import RulePack, load_pack
from server.rules.year import summarize_year

__all__ = ["build_calendar", "evaluate_employee", "load_pack", "punch_stamps"]


def punch_stamps(employee_id: str, punches: Iterable[Punch]) -> tuple[list[float], list[float]]:
    """(trusted, untrusted) POSIX seconds of ``employee_id``'s punches; other employees' are skipped."""
    trusted: list[float] = []
    untrusted: list[float] = []
    for p in punches:
        if p.employee_id != employee_id:
            continue
        if p.at.tzinfo is None or p.at.utcoffset() is None:
            raise RuleInputError(f"punch of {p.employee_id} at {p.at}: the time has no UTC offset")
        (trusted if p.clock_trusted else untrusted).append(p.at.timestamp())
    return trusted, untrusted


def evaluate_employee(
    employee: Employee,
    calendar: OfficeCalendar,
    pack: RulePack,
    punches: Iterable[Punch],
    *,
    excuses: Iterable[Excuse] = (),
    adjusted: Iterable[AdjustedHours] = (),
    as_of: date | None = None,
    only: Collection[date] | None = None,
) -> YearResult:
    """Day records and the year summary (ledger, proposals, warnings, flags, reward) of one employee.

    ``as_of`` (default: the end of the calendar's year) is the last day evaluated; later days are
    still open. ``only`` limits the day records returned (the summary always covers the year, so
    pass ``only`` only for inspection; the DB layer keeps stored days for incremental work).
    """
    end = date(calendar.year, 12, 31)
    as_of = end if as_of is None or as_of > end else as_of
    trusted, untrusted = punch_stamps(employee.id, punches)
    mine = [e for e in excuses if e.employee_id == employee.id]
    hours = [a for a in adjusted if a.employee_id == employee.id]
    days = evaluate_days(
        employee, calendar, pack, trusted, untrusted=untrusted, excuses=mine, adjusted=hours, as_of=as_of
    )
    summary = summarize_year(employee, calendar, pack, days, as_of)
    if only is not None:
        wanted = set(only)
        days = [d for d in days if d.day in wanted]
    return YearResult(tuple(days), summary)
