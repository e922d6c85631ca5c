"""Training and socialisation sessions: who was invited, who attended (from kiosk punches), who missed.

A punch at one of the session's kiosks inside its time window counts as attendance. The punch stays
an ordinary punch too, so it still counts for the workday. Missed *mandatory* sessions in a calendar
year reaching the rule pack's ``training.missed_mandatory_flag`` raise a :class:`TrainingFlag`.

Example::

    ts = create_session(session, SessionInput("Sosialisasi PP 94", start, end, "Aula", True,
                                              ["plaju-1"], [], ["Umum"]), "admin", now)
    for row in attendance(session, ts):
        print(row.employee_id, row.attended_at)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import Employee, Kiosk, Punch
from server.db.models_selfservice import TrainingFlag, TrainingSession
from server.rules import RulePack
from server.selfservice.errors import SelfServiceError

logger = logging.getLogger(__name__)

MAX_HOURS = 24


@dataclass(frozen=True)
class SessionInput:
    """A session as an admin schedules it (aware datetimes)."""

    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    mandatory: bool
    kiosks: list[str]
    employees: list[str]
    units: list[str]


@dataclass(frozen=True)
class AttendanceRow:
    """One person of a session: invited or not, and the first punch in the window (or None)."""

    employee_id: str
    name: str
    unit: str
    invited: bool
    attended_at: datetime | None

    @property
    def attended(self) -> bool:
        return self.attended_at is not None


def create_session(session: Session, data: SessionInput, created_by: str, now: datetime) -> TrainingSession:
    """Validate and store a session; :class:`SelfServiceError` names the field at fault."""
    title = data.title.strip()
    if not title:
        raise SelfServiceError("training.title_required", "title")
    if data.ends_at <= data.starts_at:
        raise SelfServiceError("training.end_before_start", "ends_at")
    if (data.ends_at - data.starts_at).total_seconds() > MAX_HOURS * 3600:
        raise SelfServiceError("training.too_long", "ends_at", hours=MAX_HOURS)
    kiosks = sorted(set(k.strip() for k in data.kiosks if k.strip()))
    if not kiosks:
        raise SelfServiceError("training.kiosk_required", "kiosks")
    known = set(session.scalars(select(Kiosk.id).where(Kiosk.id.in_(kiosks))))
    unknown = [k for k in kiosks if k not in known]
    if unknown:
        raise SelfServiceError("training.unknown_kiosk", "kiosks", kiosk=unknown[0])
    employees = sorted(set(e.strip() for e in data.employees if e.strip()))
    found = set(session.scalars(select(Employee.id).where(Employee.id.in_(employees))))
    missing = [e for e in employees if e not in found]
    if missing:
        raise SelfServiceError("training.unknown_employee", "employees", employee=missing[0])
    units = sorted(set(u.strip() for u in data.units if u.strip()))
    if not employees and not units:
        raise SelfServiceError("training.invite_required", "employees")
    row = TrainingSession(
        title=title[:200],
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        place=data.place.strip()[:200],
        mandatory=data.mandatory,
        kiosks=kiosks,
        invited_employees=employees,
        invited_units=units,
        created_by=created_by,
        created_at=now,
    )
    session.add(row)
    session.flush()
    logger.info("training session #%d %r scheduled by %s", row.id, row.title, created_by)
    return row


def invited(session: Session, ts: TrainingSession) -> dict[str, Employee]:
    """Employees invited by name, plus the active employees of the invited units."""
    people: dict[str, Employee] = {}
    if ts.invited_employees:
        for e in session.scalars(select(Employee).where(Employee.id.in_(ts.invited_employees))):
            people[e.id] = e
    if ts.invited_units:
        query = select(Employee).where(Employee.unit.in_(ts.invited_units), Employee.active.is_(True))
        for e in session.scalars(query):
            people.setdefault(e.id, e)
    return people


def first_punches(session: Session, ts: TrainingSession) -> dict[str, datetime]:
    """Employee id → their first punch at the session's kiosks inside its window."""
    found: dict[str, datetime] = {}
    rows = session.execute(
        select(Punch.employee_id, Punch.at)
        .where(Punch.kiosk_id.in_(ts.kiosks), Punch.at >= ts.starts_at, Punch.at <= ts.ends_at)
        .order_by(Punch.at)
    )
    for eid, at in rows:
        found.setdefault(eid, at)
    return found


def attendance(session: Session, ts: TrainingSession) -> list[AttendanceRow]:
    """Everyone invited (attended or missed), then anybody else who punched there in the window."""
    people = invited(session, ts)
    punched = first_punches(session, ts)
    walk_ins = [eid for eid in punched if eid not in people]
    if walk_ins:
        for e in session.scalars(select(Employee).where(Employee.id.in_(walk_ins))):
            people[e.id] = e
    rows = [
        AttendanceRow(
            eid,
            people[eid].name if eid in people else eid,
            (people[eid].unit or "") if eid in people else "",
            eid not in walk_ins,
            punched.get(eid),
        )
        for eid in set(people) | set(punched)
    ]
    return sorted(rows, key=lambda r: (not r.invited, r.name, r.employee_id))


def employee_sessions(
    session: Session, employee_id: str, year: int
) -> list[tuple[TrainingSession, datetime | None]]:
    """Sessions of ``year`` the employee was invited to, each with their attendance time (or None)."""
    employee = session.get(Employee, employee_id)
    if employee is None:
        return []
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    out = []
    for ts in session.scalars(
        select(TrainingSession)
        .where(TrainingSession.starts_at >= start, TrainingSession.starts_at < end)
        .order_by(TrainingSession.starts_at)
    ):
        if employee_id in ts.invited_employees or (employee.unit or "") in ts.invited_units:
            out.append((ts, first_punches_of(session, ts, employee_id)))
    return out


def first_punches_of(session: Session, ts: TrainingSession, employee_id: str) -> datetime | None:
    """The employee's first punch at the session's kiosks inside its window, or None."""
    return session.scalar(
        select(Punch.at)
        .where(
            Punch.employee_id == employee_id,
            Punch.kiosk_id.in_(ts.kiosks),
            Punch.at >= ts.starts_at,
            Punch.at <= ts.ends_at,
        )
        .order_by(Punch.at)
        .limit(1)
    )


def missed_mandatory(session: Session, year: int, now: datetime) -> dict[str, list[int]]:
    """Employee id → ids of the mandatory sessions of ``year`` (already over) they missed."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    missed: dict[str, list[int]] = {}
    for ts in session.scalars(
        select(TrainingSession)
        .where(
            TrainingSession.mandatory.is_(True),
            TrainingSession.starts_at >= start,
            TrainingSession.starts_at < end,
            TrainingSession.ends_at < now,
        )
        .order_by(TrainingSession.starts_at)
    ):
        punched = first_punches(session, ts)
        for eid in invited(session, ts):
            if eid not in punched:
                missed.setdefault(eid, []).append(ts.id)
    return missed


def refresh_flags(session: Session, pack: RulePack, year: int, now: datetime) -> list[TrainingFlag]:
    """Raise, update or retire the missed-training flags of ``year`` as the rule pack says."""
    limit = pack.training.missed_mandatory_flag
    missed = missed_mandatory(session, year, now) if limit else {}
    existing = {
        f.employee_id: f for f in session.scalars(select(TrainingFlag).where(TrainingFlag.year == year))
    }
    active = []
    for eid, sessions in sorted(missed.items()):
        if len(sessions) < limit:
            continue
        flag = existing.pop(eid, None)
        detail = {"missed": len(sessions), "minimum": limit}
        if flag is None:
            flag = TrainingFlag(employee_id=eid, year=year, sessions=sessions, detail=detail, raised_at=now)
            session.add(flag)
            logger.info("training flag raised for %s: %d mandatory sessions missed", eid, len(sessions))
        else:
            flag.sessions, flag.detail, flag.active = sessions, detail, True
        active.append(flag)
    for flag in existing.values():
        flag.active = False
    session.flush()
    return active
