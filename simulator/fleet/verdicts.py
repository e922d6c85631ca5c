"""The engine's verdicts on a simulated period, for :func:`simulator.fleet.check.compare`.

:func:`stored_verdicts` reads what the server's evaluation stored (day records, active flags and
proposals: what the admin UI shows). :func:`engine_verdicts` runs the pure rule engine
(:mod:`server.rules`) directly over punches (for instance the ``punches`` table), with the plan's
excuses and adjusted hours; the unit tests use it without a server.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from server.db import Database
from server.db import models_rules as tables
from server.db.models import Punch as PunchRow
from server.rules import AdjustedHours, Employee, Excuse, Punch, RulePack, evaluate_employee
from simulator.fleet.check import Verdicts, day_class
from simulator.fleet.org import Organisation
from simulator.fleet.plan import Plan


def stored_punches(db: Database, start: date, end: date) -> list[Punch]:
    """The server's punches filed on local days ``start..end``, as engine inputs."""
    with db.session() as session:
        rows = session.execute(
            select(PunchRow.employee_id, PunchRow.at, PunchRow.kiosk_id, PunchRow.clock_trusted).where(
                PunchRow.local_date >= start, PunchRow.local_date <= end
            )
        ).all()
    return [Punch(eid, at, kiosk, bool(trusted)) for eid, at, kiosk, trusted in rows]


def engine_verdicts(
    org: Organisation,
    plan: Plan,
    pack: RulePack,
    punches: Iterable[Punch],
    as_of: date,
    *,
    excuses: Iterable[Excuse] | None = None,
    adjusted: Iterable[AdjustedHours] | None = None,
) -> Verdicts:
    """Evaluate everyone from the plan's start (their first day under Hadir) up to ``as_of``."""
    mine: dict[str, list[Punch]] = {}
    for p in punches:
        mine.setdefault(p.employee_id, []).append(p)
    excuse_list = list(plan.excuses if excuses is None else excuses)
    adjusted_list = list(plan.adjusted if adjusted is None else adjusted)
    verdicts = Verdicts(flags={})
    for year in range(plan.start.year, as_of.year + 1):
        for person in org.people:
            office = org.office(person.office_id)
            calendar = plan.calendars.get((office.id, year))
            if calendar is None:
                from server.rules import build_calendar

                calendar = plan.calendars[(office.id, year)] = build_calendar(
                    pack, year, office.tz, office_id=office.id
                )
            employee = Employee(person.id, office.id, employed_from=plan.start)
            result = evaluate_employee(
                employee,
                calendar,
                pack,
                mine.get(person.id, []),
                excuses=[e for e in excuse_list if e.employee_id == person.id],
                adjusted=[a for a in adjusted_list if a.employee_id == person.id],
                as_of=as_of,
            )
            for record in result.days:
                if record.working and record.day >= plan.start:
                    verdicts.days[(person.id, record.day)] = day_class(record.status, record.late_band)
            for flag in result.summary.flags:
                verdicts.flags.setdefault(flag.kind, set()).add(person.id)
            for proposal in result.summary.proposals:
                verdicts.proposals.add(person.id)
                if proposal.consecutive:
                    verdicts.consecutive_proposals.add(person.id)
    return verdicts


def stored_verdicts(db: Database, start: date, as_of: date) -> Verdicts:
    """The verdicts the server stored (``server.evaluation``): what the admin UI shows.

    Day records from ``start`` to ``as_of``; only active flags and proposals count.
    """
    verdicts = Verdicts(flags={})
    with db.session() as session:
        rows = session.execute(
            select(
                tables.DayRecord.employee_id,
                tables.DayRecord.day,
                tables.DayRecord.status,
                tables.DayRecord.late_band,
            ).where(
                tables.DayRecord.working.is_(True),
                tables.DayRecord.day >= start,
                tables.DayRecord.day <= as_of,
            )
        ).all()
        for eid, day, status, band in rows:
            verdicts.days[(eid, day)] = day_class(status, band)
        for eid, kind in session.execute(
            select(tables.Flag.employee_id, tables.Flag.kind).where(tables.Flag.active.is_(True))
        ):
            verdicts.flags.setdefault(kind, set()).add(eid)
        for eid, consecutive in session.execute(
            select(tables.Proposal.employee_id, tables.Proposal.consecutive).where(
                tables.Proposal.active.is_(True)
            )
        ):
            verdicts.proposals.add(eid)
            if consecutive:
                verdicts.consecutive_proposals.add(eid)
    return verdicts
