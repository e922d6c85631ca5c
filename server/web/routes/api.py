"""The JSON API (``/api/v1``) for HR systems: the same data as the pages, with bearer-token auth.

Create a token on the "My account" page or with ``hadir-server users token``; send it as
``Authorization: Bearer <token>``. A token has its user's role and units. Reading an employee's
data is recorded in the audit trail like a page view.
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from starlette.requests import Request

from server.db.models import Employee, Punch
from server.web import audit
from server.web.auth import CurrentUser, db_session, token_user
from server.web.errors import NotFound, WebError
from server.web.routes.kiosks import fleet
from server.web.scope import in_scope

router = APIRouter(prefix="/api/v1", tags=["v1"])


class EmployeeOut(BaseModel):
    id: str
    name: str
    office_id: str
    unit: str | None
    active: bool
    left_at: datetime | None


class EmployeePage(BaseModel):
    total: int
    items: list[EmployeeOut]


class PunchOut(BaseModel):
    id: str
    at: datetime
    local_date: date
    kiosk_id: str | None
    clock_trusted: bool
    corrected: bool
    original_at: datetime | None
    source: str


class KioskOut(BaseModel):
    id: str
    office_id: str
    online: bool
    last_seen: datetime | None
    backlog: int | None
    highest_contiguous_seq: int
    open_gaps: list[tuple[int, int]]
    clock_offset_ms: int | None
    clock_synced: bool | None
    clock_alarm: bool
    templates: int | None
    office_templates: int
    software_version: str | None


def _employee_out(e: Employee) -> EmployeeOut:
    return EmployeeOut(
        id=e.id, name=e.name, office_id=e.office_id, unit=e.unit, active=e.active, left_at=e.left_at
    )


def scoped_employee(session: Session, user: CurrentUser, employee_id: str) -> Employee:
    """The employee if the token's user covers their unit; 404 otherwise (no existence leak)."""
    employee = session.get(Employee, employee_id)
    if employee is None or not user.covers(employee.unit):
        raise NotFound()
    return employee


@router.get("/employees", response_model=EmployeePage, summary="Employees in the token's units")
def list_employees(
    q: str = Query("", max_length=100, description="part of the name, or the start of the NIP"),
    unit: str | None = None,
    office: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    user: CurrentUser = Depends(token_user),
    session: Session = Depends(db_session),
) -> EmployeePage:
    query = in_scope(select(Employee), user)
    if q.strip():
        query = query.where(
            or_(func.lower(Employee.name).like(f"%{q.strip().lower()}%"), Employee.id.like(f"{q.strip()}%"))
        )
    if unit is not None:
        query = query.where(Employee.unit == unit)
    if office is not None:
        query = query.where(Employee.office_id == office)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Employee.id).limit(limit).offset(offset))
    return EmployeePage(total=total, items=[_employee_out(e) for e in rows])


@router.get("/employees/{employee_id}", response_model=EmployeeOut, summary="One employee")
def get_employee(
    request: Request,
    employee_id: str,
    user: CurrentUser = Depends(token_user),
    session: Session = Depends(db_session),
) -> EmployeeOut:
    employee = scoped_employee(session, user, employee_id)
    audit.record(session, request, "api.employee.view", "employee", employee.id)
    session.commit()
    return _employee_out(employee)


@router.get(
    "/employees/{employee_id}/punches",
    response_model=list[PunchOut],
    summary="An employee's punches between two local dates (inclusive)",
)
def get_punches(
    request: Request,
    employee_id: str,
    start: date = Query(..., alias="from"),
    end: date = Query(..., alias="to"),
    user: CurrentUser = Depends(token_user),
    session: Session = Depends(db_session),
) -> list[PunchOut]:
    if end < start or (end - start).days > 366:
        raise WebError("api.bad_range")
    employee = scoped_employee(session, user, employee_id)
    rows = session.scalars(
        select(Punch)
        .where(Punch.employee_id == employee.id, Punch.local_date >= start, Punch.local_date <= end)
        .order_by(Punch.at)
    ).all()
    audit.record(session, request, "api.punches.view", "employee", employee.id, start=start, end=end)
    session.commit()
    return [
        PunchOut(
            id=p.id,
            at=p.at,
            local_date=p.local_date,
            kiosk_id=p.kiosk_id,
            clock_trusted=p.clock_trusted,
            corrected=p.corrected,
            original_at=p.original_at,
            source=p.source,
        )
        for p in rows
    ]


@router.get("/kiosks", response_model=list[KioskOut], summary="Fleet health of every kiosk")
def list_kiosks(
    request: Request, _: CurrentUser = Depends(token_user), session: Session = Depends(db_session)
) -> list[KioskOut]:
    return [
        KioskOut(
            id=h.kiosk.id,
            office_id=h.kiosk.office_id,
            online=h.online,
            last_seen=h.kiosk.last_seen,
            backlog=h.kiosk.reported_backlog,
            highest_contiguous_seq=h.kiosk.highest_contiguous_seq,
            open_gaps=[(g.first_seq, g.last_seq) for g in h.open_gaps],
            clock_offset_ms=h.kiosk.clock_offset_ms,
            clock_synced=h.kiosk.clock_synced,
            clock_alarm=h.clock_alarm,
            templates=h.templates,
            office_templates=h.office_templates,
            software_version=h.kiosk.software_version,
        )
        for h in fleet(session, request.app.state.settings.clock())
    ]
