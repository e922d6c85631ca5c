"""Employees: list and search, CSV import, and the detail page (punches, and the rule engine's view)."""

from __future__ import annotations

import calendar as cal
from datetime import date, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, UploadFile
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.db.models import Employee, Office, Punch
from server.evaluation import record_excuse
from server.web import audit, records
from server.web.auth import CurrentUser, db_session, require_admin, require_user, require_writer
from server.web.errors import NotFound
from server.web.importing import import_employees
from server.web.scope import in_scope, unit_choices
from server.web.templating import render

router = APIRouter()


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value) if value not in (None, "") else default
    except ValueError:
        return default
    return min(max(number, low), high)


@router.get("/employees")
def employees_page(
    request: Request,
    q: str = "",
    unit: str = "",
    office: str = "",
    page: str = "1",
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    size = request.app.state.settings.page_size
    query = in_scope(select(Employee), user)
    q = q.strip()[:100]
    if q:
        needle = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Employee.name).like(needle), Employee.id.like(f"{q}%")))
    if unit:
        query = query.where(Employee.unit == unit)
    if office:
        query = query.where(Employee.office_id == office)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // size))
    number = _int(page, 1, 1, pages)
    rows = session.scalars(
        query.order_by(Employee.name, Employee.id).limit(size).offset((number - 1) * size)
    ).all()
    units = unit_choices(
        [u for u in session.scalars(select(Employee.unit).distinct().order_by(Employee.unit)) if u], user
    )
    offices = session.execute(select(Office.id, Office.name).order_by(Office.name)).all()
    return render(
        request,
        "employees.html",
        {
            "nav": "employees",
            "employees": rows,
            "total": total,
            "page": number,
            "pages": pages,
            "q": q,
            "unit": unit,
            "office": office,
            "units": units,
            "offices": offices,
            "office_names": dict(offices),
        },
    )


@router.post("/employees/import")
async def import_csv(
    request: Request,
    file: UploadFile = File(...),
    user: CurrentUser = Depends(require_admin),
    session: Session = Depends(db_session),
) -> Response:
    data = await file.read()
    result = import_employees(session, data, request.app.state.settings.clock())
    if result.errors:
        session.rollback()
        return render(
            request,
            "import_result.html",
            {"nav": "employees", "result": result, "filename": file.filename or ""},
            status_code=400,
        )
    audit.record(
        session,
        request,
        "employees.import",
        "file",
        (file.filename or "")[:64],
        created=result.created,
        updated=result.updated,
    )
    session.commit()
    return render(
        request, "import_result.html", {"nav": "employees", "result": result, "filename": file.filename or ""}
    )


def load_employee(session: Session, user: CurrentUser, employee_id: str) -> tuple[Employee, Office]:
    """The employee and their office; :class:`NotFound` or :class:`Forbidden` (another unit)."""
    employee = session.get(Employee, employee_id)
    if employee is None:
        raise NotFound()
    user.ensure_covers(employee.unit)
    office = session.get(Office, employee.office_id)
    assert office is not None
    return employee, office


def month_punches(session: Session, employee_id: str, first: date, last: date) -> list[Punch]:
    """The employee's punches filed on local dates ``first``..``last``, in time order."""
    return list(
        session.scalars(
            select(Punch)
            .where(Punch.employee_id == employee_id, Punch.local_date >= first, Punch.local_date <= last)
            .order_by(Punch.at)
        )
    )


def _employee_page(
    request: Request,
    session: Session,
    user: CurrentUser,
    employee_id: str,
    year: str,
    month: str,
    *,
    status_code: int = 200,
    extra: dict[str, object] | None = None,
) -> Response:
    employee, office = load_employee(session, user, employee_id)
    tz = ZoneInfo(office.tz)
    today = request.app.state.settings.clock().astimezone(tz).date()
    year_n = _int(year, today.year, 2000, 2100)
    month_n = _int(month, today.month if year_n == today.year else 12, 1, 12)
    first = date(year_n, month_n, 1)
    last = date(year_n, month_n, cal.monthrange(year_n, month_n)[1])
    punches = month_punches(session, employee.id, first, last)
    statuses = records.year_statuses(session, employee.id, year_n)
    context: dict[str, object] = {
        "heatmap": records.heatmap(year_n, statuses, today),
        "counts": records.status_counts(statuses),
        "legend": records.LEGEND,
        "days": records.day_records(session, employee.id, first, last),
        "explain": records.explain,
        "leaves": records.leaves(session, employee.id, year_n),
        "leave_kinds": records.LEAVE_KINDS,
        "hours": records.adjusted_hours(session, employee.id),
        "summary": records.year_summary(session, employee.id, year_n),
        "may_act": user.can_write and user.covers(employee.unit),
        "nav": "employees",
        "employee": employee,
        "office": office,
        "tz": tz,
        "year": year_n,
        "month": month_n,
        "punches": punches,
        "today": today,
        "prev": first - timedelta(days=1),
        "next": last + timedelta(days=1),
    }
    context.update(extra or {})
    audit.record(session, request, "employee.view", "employee", employee.id, year=year_n, month=month_n)
    session.commit()
    return render(request, "employee.html", context, status_code=status_code)


@router.get("/employees/{employee_id}")
def employee_page(
    request: Request,
    employee_id: str,
    year: str = "",
    month: str = "",
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    return _employee_page(request, session, user, employee_id, year, month)


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


@router.post("/employees/{employee_id}/leave")
def add_leave(
    request: Request,
    employee_id: str,
    kind: str = Form(""),
    start: str = Form(""),
    end: str = Form(""),
    portion: str = Form("full"),
    note: str = Form(""),
    user: CurrentUser = Depends(require_writer),
    session: Session = Depends(db_session),
) -> Response:
    employee, _ = load_employee(session, user, employee_id)
    user.ensure_may_act(employee.unit)
    form = {"kind": kind, "start": start, "end": end, "portion": portion, "note": note}
    errors: dict[str, tuple[str, dict[str, object]]] = {}
    first, last = _parse_date(start), _parse_date(end or start)
    if kind not in records.LEAVE_KINDS:
        errors["kind"] = ("leave.bad_kind", {})
    if first is None:
        errors["start"] = ("form.bad_date", {})
    if last is None:
        errors["end"] = ("form.bad_date", {})
    if portion not in ("full", "am", "pm"):
        errors["portion"] = ("leave.bad_portion", {})
    if not errors and first is not None and last is not None:
        if last < first:
            errors["end"] = ("leave.end_before_start", {})
        elif portion != "full" and last != first:
            errors["portion"] = ("leave.half_one_day", {})
        elif (last - first).days > 366:
            errors["end"] = ("leave.too_long", {})
    if errors or first is None or last is None:
        session.rollback()
        year = str(first.year) if first else ""
        return _employee_page(
            request,
            session,
            user,
            employee_id,
            year,
            "",
            status_code=400,
            extra={"leave_form": form, "errors": errors},
        )
    excuse_id = record_excuse(
        session,
        employee.id,
        first,
        last,
        kind,
        portion,
        note=note.strip()[:500] or None,
        created_by=user.username,
    )
    audit.record(
        session,
        request,
        "leave.record",
        "employee",
        employee.id,
        excuse=excuse_id,
        kind=kind,
        start=first,
        end=last,
        portion=portion,
    )
    session.commit()
    return RedirectResponse(
        f"/employees/{quote(employee.id)}?year={first.year}&month={first.month}#leave", status_code=303
    )
