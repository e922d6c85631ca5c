"""JSON API over the rule engine's results: day records, sanction proposals, the monthly recap, the ledger."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request

from server.db import models_rules as tables
from server.db.models import Employee
from server.web import audit, records, reports
from server.web.auth import CurrentUser, db_session, token_user
from server.web.routes.api import scoped_employee
from server.web.scope import in_scope

router = APIRouter(prefix="/api/v1", tags=["v1"])
Lang = Literal["id", "en"]


class DayOut(BaseModel):
    day: date
    status: str
    working: bool
    late_minutes: int
    early_minutes: int
    unexcused: float
    excuse: str | None
    reasons: list[str]


class ProposalOut(BaseModel):
    id: int
    employee_id: str
    year: int
    level: str
    sanction: str
    article: str
    threshold: int
    total_days: float
    reached_on: date
    days: list[str]
    active: bool
    status: str
    reviewer: str | None
    note: str | None
    adjusted_sanction: str | None
    reasons: list[str]


class RecapOut(BaseModel):
    nip: str
    name: str
    unit: str
    working: int
    present: int
    late: int
    late_minutes: int
    early: int
    early_minutes: int
    missing: int
    absent: float
    excused: int
    cut_percent: float


@router.get(
    "/employees/{employee_id}/days",
    response_model=list[DayOut],
    summary="An employee's day records for a month, with the engine's reasons",
)
def get_days(
    request: Request,
    employee_id: str,
    year: int = Query(..., ge=2000, le=2100),
    month: int = Query(..., ge=1, le=12),
    lang: Lang = "id",
    user: CurrentUser = Depends(token_user),
    session: Session = Depends(db_session),
) -> list[DayOut]:
    employee = scoped_employee(session, user, employee_id)
    first = date(year, month, 1)
    last = date(year + (month == 12), month % 12 + 1, 1)
    rows = [r for r in records.day_records(session, employee.id, first, last) if r.day < last]
    audit.record(session, request, "api.days.view", "employee", employee.id, year=year, month=month)
    session.commit()
    return [
        DayOut(
            day=r.day,
            status=r.status,
            working=r.working,
            late_minutes=r.late_minutes,
            early_minutes=r.early_minutes,
            unexcused=r.unexcused,
            excuse=r.excuse,
            reasons=records.explain(r.reasons, lang),
        )
        for r in rows
    ]


@router.get("/proposals", response_model=list[ProposalOut], summary="Sanction proposals in the token's units")
def list_proposals(
    year: int = Query(..., ge=2000, le=2100),
    status: Literal["proposed", "approved", "adjusted", "dismissed"] | None = None,
    lang: Lang = "id",
    user: CurrentUser = Depends(token_user),
    session: Session = Depends(db_session),
) -> list[ProposalOut]:
    query = in_scope(
        select(tables.Proposal).join(Employee, Employee.id == tables.Proposal.employee_id), user
    ).where(tables.Proposal.year == year)
    if status is not None:
        query = query.where(tables.Proposal.status == status)
    return [
        ProposalOut(
            id=p.id,
            employee_id=p.employee_id,
            year=p.year,
            level=p.level,
            sanction=p.sanction,
            article=p.article,
            threshold=p.threshold,
            total_days=p.total_days,
            reached_on=p.reached_on,
            days=list(p.days),
            active=p.active,
            status=p.status,
            reviewer=p.reviewer,
            note=p.note,
            adjusted_sanction=p.adjusted_sanction,
            reasons=records.explain_json(p.reasons, lang),
        )
        for p in session.scalars(query.order_by(tables.Proposal.employee_id, tables.Proposal.threshold))
    ]


@router.get("/reports/recap", response_model=list[RecapOut], summary="The monthly recap (rekap absensi)")
def recap(
    request: Request,
    year: int = Query(..., ge=2000, le=2100),
    month: int = Query(..., ge=1, le=12),
    unit: str | None = None,
    user: CurrentUser = Depends(token_user),
    session: Session = Depends(db_session),
) -> list[RecapOut]:
    rows = reports.recap(session, user, year, month, unit)
    audit.record(
        session, request, "api.report.export", "recap", f"{year}-{month:02d}", unit=unit, rows=len(rows)
    )
    session.commit()
    return [RecapOut.model_validate(dict(zip(reports.RECAP_COLUMNS, r.values(), strict=True))) for r in rows]
