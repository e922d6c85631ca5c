"""Changing the engine's inputs, and reviewing its outputs, with the affected days queued for recompute.

Punches need nothing from here: database triggers queue their days (see ``models_rules.DirtyDay``).
Everything else that changes a verdict goes through these functions, inside the caller's
transaction (a :class:`~sqlalchemy.orm.Session` or a Core connection), so the change and its
queue entry commit together. :meth:`server.evaluation.Evaluator.process_dirty` then recomputes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.db import models as core
from server.db import models_rules as tables
from server.errors import RulesError
from server.evaluation.loading import DEFAULT_TZ, last_employed_day
from server.rules.model import PORTIONS

Executor = Session | Connection


def mark_dirty(db: Executor, pairs: Iterable[tuple[str, date]]) -> int:
    """Queue (employee id, local date) pairs for re-evaluation; returns how many were given."""
    rows = [{"employee_id": e, "day": d} for e, d in set(pairs)]
    if not rows:
        return 0
    bind = db.get_bind() if isinstance(db, Session) else db
    dialect = bind.dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(tables.DirtyDay)
    stmt = stmt.on_conflict_do_update(
        index_elements=["employee_id", "day"],
        set_={"version": tables.DirtyDay.version + 1, "marked_at": func.current_timestamp()},
    )
    for start in range(0, len(rows), 5000):
        db.execute(stmt, rows[start : start + 5000])
    return len(rows)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _check_employee(db: Executor, employee_id: str) -> None:
    if db.execute(select(core.Employee.id).where(core.Employee.id == employee_id)).first() is None:
        raise RulesError(f"employee {employee_id!r} is unknown")


def record_excuse(
    db: Executor,
    employee_id: str,
    start: date,
    end: date,
    kind: str,
    portion: str = "full",
    *,
    note: str | None = None,
    created_by: str | None = None,
) -> int:
    """Store a leave/permit/travel/sickness/device-failure excuse; returns its id."""
    if end < start:
        raise RulesError(f"excuse for {employee_id}: end {end} is before start {start}")
    if portion not in PORTIONS:
        raise RulesError(f"excuse for {employee_id}: portion must be one of {', '.join(PORTIONS)}")
    if portion != "full" and end != start:
        raise RulesError(f"excuse for {employee_id}: a half-day excuse covers one day")
    if not kind.strip():
        raise RulesError(
            f"excuse for {employee_id}: the kind (e.g. cuti_tahunan, sakit, dinas_luar) is required"
        )
    _check_employee(db, employee_id)
    result = db.execute(
        insert(tables.Excuse)
        .values(
            employee_id=employee_id,
            start_date=start,
            end_date=end,
            kind=kind,
            portion=portion,
            note=note,
            created_by=created_by,
        )
        .returning(tables.Excuse.id)
    )
    mark_dirty(db, ((employee_id, d) for d in _days(start, end)))
    return int(result.scalar_one())


def delete_excuse(db: Executor, excuse_id: int) -> None:
    row = db.execute(
        select(tables.Excuse.employee_id, tables.Excuse.start_date, tables.Excuse.end_date).where(
            tables.Excuse.id == excuse_id
        )
    ).first()
    if row is None:
        raise RulesError(f"excuse #{excuse_id} does not exist")
    db.execute(delete(tables.Excuse).where(tables.Excuse.id == excuse_id))
    mark_dirty(db, ((row[0], d) for d in _days(row[1], row[2])))


def set_adjusted_hours(
    db: Executor,
    employee_id: str,
    start: date,
    end: date | None,
    hours: dict[int, tuple[time, time] | None],
    *,
    note: str | None = None,
    created_by: str | None = None,
) -> int:
    """Record individual working hours from ``start`` (to ``end``, or open-ended); returns its id.

    Days are queued up to ``end`` or, when open-ended, to the end of ``start``'s year.
    """
    if end is not None and end < start:
        raise RulesError(f"adjusted hours for {employee_id}: end {end} is before start {start}")
    data: dict[str, Any] = {}
    for weekday, span in hours.items():
        if not 0 <= weekday <= 6:
            raise RulesError(f"adjusted hours for {employee_id}: weekday {weekday} must be 0 (Monday) to 6")
        if span is not None and span[1] <= span[0]:
            raise RulesError(
                f"adjusted hours for {employee_id}: on weekday {weekday} the end is not after the start"
            )
        data[str(weekday)] = None if span is None else [span[0].strftime("%H:%M"), span[1].strftime("%H:%M")]
    _check_employee(db, employee_id)
    result = db.execute(
        insert(tables.AdjustedHours)
        .values(
            employee_id=employee_id,
            start_date=start,
            end_date=end,
            hours=data,
            note=note,
            created_by=created_by,
        )
        .returning(tables.AdjustedHours.id)
    )
    mark_dirty(db, ((employee_id, d) for d in _days(start, end or date(start.year, 12, 31))))
    return int(result.scalar_one())


def set_calendar_override(
    db: Executor, day: date, kind: str, name: str, office_id: str | None = None
) -> None:
    """Add or replace a local day off / working day / corrected holiday; queues every employee concerned."""
    if kind not in ("day_off", "working", "holiday"):
        raise RulesError(
            f"calendar override on {day}: kind must be day_off, working or holiday, not {kind!r}"
        )
    db.execute(
        delete(tables.CalendarOverride).where(
            tables.CalendarOverride.day == day,
            tables.CalendarOverride.office_id.is_(None)
            if office_id is None
            else tables.CalendarOverride.office_id == office_id,
        )
    )
    db.execute(insert(tables.CalendarOverride).values(office_id=office_id, day=day, kind=kind, name=name))
    query = select(core.Employee.id)
    if office_id is not None:
        query = query.where(core.Employee.office_id == office_id)
    mark_dirty(db, ((eid, day) for eid in db.execute(query).scalars()))


def set_rule_settings(
    db: Executor, employee_id: str, *, ladder: str = "asn", employed_from: date | None = None, year: int
) -> None:
    """Set an employee's sanction ladder and first day of employment; ``year`` is re-evaluated whole."""
    _check_employee(db, employee_id)
    db.execute(delete(tables.RuleSettings).where(tables.RuleSettings.employee_id == employee_id))
    db.execute(
        insert(tables.RuleSettings).values(
            employee_id=employee_id, ladder=ladder, employed_from=employed_from
        )
    )
    # Without a stored summary the next incremental run evaluates the whole year for this employee.
    db.execute(
        delete(tables.YearSummary).where(
            tables.YearSummary.employee_id == employee_id, tables.YearSummary.year == year
        )
    )
    mark_dirty(db, [(employee_id, date(year, 1, 1))])


def employment_ended_changed(
    db: Executor, employee_id: str, before: datetime | None, after: datetime | None
) -> list[int]:
    """Queue a re-evaluation after ``employees.left_at`` changed from ``before`` to ``after``.

    Call it in the transaction that sets (or clears) ``left_at``. Every year from the earlier of the
    two leaving dates up to the latest year already evaluated for the employee loses its stored
    summary and is queued, so the next :meth:`Evaluator.process_dirty` evaluates those years whole:
    day records after the last employed day are deleted, and proposals and flags that rested on them
    disappear (or, if reviewed, stay with ``active`` false). Returns the years queued.
    """
    if before == after:
        return []
    row = db.execute(
        select(core.Office.tz)
        .select_from(core.Employee)
        .outerjoin(core.Office, core.Office.id == core.Employee.office_id)
        .where(core.Employee.id == employee_id)
    ).first()
    if row is None:
        raise RulesError(f"employee {employee_id!r} is unknown")
    tz = row[0] or DEFAULT_TZ
    changed = [last_employed_day(t, tz) + timedelta(days=1) for t in (before, after) if t is not None]
    since = min(changed).year
    latest = db.execute(
        select(func.max(tables.YearSummary.year)).where(tables.YearSummary.employee_id == employee_id)
    ).scalar()
    years = list(range(since, max(since, latest or since) + 1))
    db.execute(
        delete(tables.YearSummary).where(
            tables.YearSummary.employee_id == employee_id, tables.YearSummary.year.in_(years)
        )
    )
    mark_dirty(db, [(employee_id, max(date(y, 1, 1), min(changed))) for y in years])
    return years


def review_proposal(
    db: Executor,
    proposal_id: int,
    status: str,
    reviewer: str,
    note: str,
    now: datetime,
    *,
    adjusted_sanction: str | None = None,
) -> None:
    """Record a supervisor's decision on a sanction proposal (approved / adjusted / dismissed)."""
    if status not in (tables.APPROVED, tables.ADJUSTED, tables.DISMISSED):
        raise RulesError(f"a proposal is approved, adjusted or dismissed, not {status!r}")
    if status == tables.ADJUSTED and not adjusted_sanction:
        raise RulesError("an adjusted proposal needs the sanction it was adjusted to")
    if not note.strip() or not reviewer.strip():
        raise RulesError(
            "a decision needs the reviewer and a note (PP 94/2021: the supervisor examines first)"
        )
    result = db.execute(
        update(tables.Proposal)
        .where(tables.Proposal.id == proposal_id)
        .values(
            status=status, reviewer=reviewer, note=note, decided_at=now, adjusted_sanction=adjusted_sanction
        )
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise RulesError(f"proposal #{proposal_id} does not exist")


def review_flag(db: Executor, flag_id: int, status: str, reviewer: str, note: str, now: datetime) -> None:
    """Move a flag's counseling case to ``counseling`` or ``closed``, with who and why."""
    if status not in (tables.FLAG_COUNSELING, tables.FLAG_CLOSED):
        raise RulesError(f"a flag moves to counseling or closed, not {status!r}")
    result = db.execute(
        update(tables.Flag)
        .where(tables.Flag.id == flag_id)
        .values(status=status, reviewer=reviewer, note=note, decided_at=now)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise RulesError(f"flag #{flag_id} does not exist")
