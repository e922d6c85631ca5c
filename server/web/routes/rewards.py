"""Rewards: who the engine finds eligible for the discipline award, with evidence; a person confirms;
each confirmed award has a printable certificate (piagam penghargaan, PDF)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Form
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.db import models_rules as tables
from server.db.models import Employee
from server.db.models_web import RewardConfirmation, User
from server.web import audit, records
from server.web.auth import CurrentUser, db_session, require_user, require_writer
from server.web.certificate import Award, certificate_pdf
from server.web.errors import NotFound, WebError
from server.web.scope import in_scope
from server.web.templating import render, request_lang, translator

router = APIRouter()
KIND = "piagam_disiplin"
PAGE = 100


def _year(request: Request, value: str) -> int:
    this_year = request.app.state.settings.clock().astimezone(request.app.state.settings.tz).year
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else this_year


@router.get("/rewards")
def rewards_page(
    request: Request,
    year: str = "",
    unit: str = "",
    page: str = "1",
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    year_n = _year(request, year)
    y = tables.YearSummary
    query = in_scope(
        select(y, Employee)
        .join(Employee, Employee.id == y.employee_id)
        .where(y.year == year_n, y.reward_eligible.is_(True)),
        user,
    )
    if unit:
        query = query.where(Employee.unit == unit)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE))
    number = min(max(int(page) if page.isdigit() else 1, 1), pages)
    rows = session.execute(
        query.order_by(Employee.unit, Employee.name, Employee.id).limit(PAGE).offset((number - 1) * PAGE)
    ).all()
    units = [
        u
        for u in session.scalars(in_scope(select(Employee.unit).distinct(), user).order_by(Employee.unit))
        if u
    ]
    confirmed = {
        c.employee_id: c
        for c in session.scalars(
            select(RewardConfirmation).where(
                RewardConfirmation.year == year_n,
                RewardConfirmation.kind == KIND,
                RewardConfirmation.employee_id.in_([e.id for _, e in rows]),
            )
        )
    }
    lang = request_lang(request)
    evidence = {e.id: records.explain_json(s.detail.get("reward_reasons"), lang) for s, e in rows}
    context = {
        "nav": "rewards",
        "rows": rows,
        "year": year_n,
        "confirmed": confirmed,
        "evidence": evidence,
        "unit": unit,
        "units": units,
        "page": number,
        "pages": pages,
        "total": total,
        "year_over": all(s.as_of.month == 12 and s.as_of.day == 31 for s, _ in rows),
    }
    return render(request, "rewards.html", context)


@router.post("/rewards/confirm")
def confirm(
    request: Request,
    employee_id: str = Form(""),
    year: str = Form(""),
    user: CurrentUser = Depends(require_writer),
    session: Session = Depends(db_session),
) -> Response:
    employee = session.get(Employee, employee_id)
    if employee is None or not year.isdigit():
        raise NotFound()
    user.ensure_may_act(employee.unit)
    summary = session.get(tables.YearSummary, (employee.id, int(year)))
    if summary is None or not summary.reward_eligible:
        raise WebError("reward.not_eligible")
    existing = session.scalar(
        select(RewardConfirmation).where(
            RewardConfirmation.employee_id == employee.id,
            RewardConfirmation.year == int(year),
            RewardConfirmation.kind == KIND,
        )
    )
    if existing is None:
        number = (
            session.scalar(
                select(func.count())
                .select_from(RewardConfirmation)
                .where(RewardConfirmation.year == int(year))
            )
            or 0
        ) + 1
        confirmation = RewardConfirmation(
            employee_id=employee.id,
            year=int(year),
            kind=KIND,
            evidence=json.dumps(summary.detail.get("reward_reasons", []), ensure_ascii=False),
            confirmed_at=request.app.state.settings.clock(),
            confirmed_by=user.id,
            certificate_no=f"HDR/{year}/{number:05d}",
        )
        session.add(confirmation)
        session.flush()
        audit.record(
            session,
            request,
            "reward.confirm",
            "employee",
            employee.id,
            year=int(year),
            certificate=confirmation.certificate_no,
        )
        session.commit()
    return RedirectResponse(f"/rewards?year={year}", status_code=303)


@router.get("/rewards/{confirmation_id}/certificate.pdf")
def certificate(
    request: Request,
    confirmation_id: int,
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    confirmation = session.get(RewardConfirmation, confirmation_id)
    employee = session.get(Employee, confirmation.employee_id) if confirmation else None
    if confirmation is None or employee is None:
        raise NotFound()
    user.ensure_covers(employee.unit)
    signer = session.get(User, confirmation.confirmed_by)
    t = translator(request)
    award = Award(
        certificate_no=confirmation.certificate_no,
        org_name=request.app.state.settings.org_name,
        employee_name=employee.name,
        employee_id=employee.id,
        unit=employee.unit or "",
        year=confirmation.year,
        confirmed_by=signer.name if signer else "",
        confirmed_on=t.date(t.local(confirmation.confirmed_at).date()),
    )
    audit.record(
        session,
        request,
        "certificate.download",
        "employee",
        employee.id,
        certificate=confirmation.certificate_no,
    )
    session.commit()
    filename = f"piagam-{confirmation.year}-{employee.id}.pdf"
    return Response(
        certificate_pdf(award, t),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
