"""Training and socialisation sessions: admins schedule them, attendance comes from kiosk punches.

``router`` (admin pages): the list with the missed-session flags, scheduling, a session's report and
attendance certificates. ``portal``: an employee's own certificate.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.db.models import Employee, Kiosk, Office
from server.db.models_selfservice import TrainingFlag, TrainingSession
from server.selfservice import training
from server.selfservice.certificate import Attendance, certificate_pdf
from server.selfservice.corrections import parse_time
from server.selfservice.errors import SelfServiceError
from server.selfservice.web import CurrentEmployee, active_pack, require_employee
from server.web import audit
from server.web.auth import CurrentUser, db_session, require_admin, require_user
from server.web.errors import NotFound
from server.web.templating import render, translator

router = APIRouter()
portal = APIRouter()

SPLIT = re.compile(r"[\s,;]+")


def _tz(session: Session, ts: TrainingSession) -> ZoneInfo:
    kiosk = session.get(Kiosk, ts.kiosks[0]) if ts.kiosks else None
    office = session.get(Office, kiosk.office_id) if kiosk else None
    return ZoneInfo(office.tz if office else "Asia/Jakarta")


def _list_page(
    request: Request, session: Session, user: CurrentUser, *, status_code: int = 200, **extra: object
) -> Response:
    now = request.app.state.settings.clock()
    year = now.year
    training.refresh_flags(session, active_pack(request), year, now)
    session.commit()
    sessions = session.scalars(
        select(TrainingSession).order_by(TrainingSession.starts_at.desc()).limit(200)
    ).all()
    flags = session.execute(
        select(TrainingFlag, Employee)
        .join(Employee, Employee.id == TrainingFlag.employee_id)
        .where(TrainingFlag.year == year, TrainingFlag.active.is_(True))
        .order_by(Employee.name)
    ).all()
    kiosks = session.scalars(select(Kiosk.id).order_by(Kiosk.id)).all()
    units = [u for u in session.scalars(select(Employee.unit).distinct().order_by(Employee.unit)) if u]
    context = {
        "nav": "training",
        "sessions": sessions,
        "flags": [(f, e) for f, e in flags if user.covers(e.unit)],
        "kiosks": kiosks,
        "units": units,
        "year": year,
        "limit": active_pack(request).training.missed_mandatory_flag,
        "tz": request.app.state.settings.tz,
        **extra,
    }
    return render(request, "training/list.html", context, status_code=status_code)


@router.get("/training")
def list_page(
    request: Request, user: CurrentUser = Depends(require_user), session: Session = Depends(db_session)
) -> Response:
    return _list_page(request, session, user)


@router.post("/training")
def schedule(
    request: Request,
    title: str = Form(""),
    day: str = Form(""),
    start: str = Form(""),
    end: str = Form(""),
    place: str = Form(""),
    kiosks: list[str] = Form([]),
    employees: str = Form(""),
    units: list[str] = Form([]),
    mandatory: str = Form(""),
    user: CurrentUser = Depends(require_admin),
    session: Session = Depends(db_session),
) -> Response:
    form = {
        "title": title,
        "day": day,
        "start": start,
        "end": end,
        "place": place,
        "kiosks": kiosks,
        "employees": employees,
        "units": units,
        "mandatory": bool(mandatory),
    }
    try:
        the_day = date.fromisoformat(day.strip())
    except ValueError:
        return _list_page(
            request, session, user, status_code=400, form=form, errors={"day": ("corr.bad_date", {})}
        )
    t_start, t_end = parse_time(start), parse_time(end)
    if t_start is None or t_end is None:
        field = "start" if t_start is None else "end"
        return _list_page(
            request, session, user, status_code=400, form=form, errors={field: ("corr.bad_time", {})}
        )
    first_kiosk = session.get(Kiosk, kiosks[0]) if kiosks else None
    office = session.get(Office, first_kiosk.office_id) if first_kiosk else None
    tz = ZoneInfo(office.tz if office else request.app.state.settings.display_tz)
    now = request.app.state.settings.clock()
    try:
        ts = training.create_session(
            session,
            training.SessionInput(
                title,
                datetime.combine(the_day, t_start, tz).astimezone(UTC),
                datetime.combine(the_day, t_end, tz).astimezone(UTC),
                place,
                bool(mandatory),
                kiosks,
                [e for e in SPLIT.split(employees) if e],
                units,
            ),
            user.username,
            now,
        )
    except SelfServiceError as exc:
        session.rollback()
        errors = {exc.field or "title": (exc.key, exc.params)}
        return _list_page(request, session, user, status_code=400, form=form, errors=errors)
    audit.record(
        session, request, "training.create", "training", str(ts.id), title=ts.title, mandatory=ts.mandatory
    )
    session.commit()
    return RedirectResponse(f"/training/{ts.id}", status_code=303)


def _load(session: Session, session_id: int) -> TrainingSession:
    ts = session.get(TrainingSession, session_id)
    if ts is None:
        raise NotFound()
    return ts


@router.get("/training/{session_id}")
def report(
    request: Request,
    session_id: int,
    format: str = "html",
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    ts = _load(session, session_id)
    rows = [r for r in training.attendance(session, ts) if user.covers(r.unit)]
    tz = _tz(session, ts)
    audit.record(session, request, "training.view", "training", str(ts.id))
    session.commit()
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["employee_id", "name", "unit", "invited", "attended", "attended_at"])
        for r in rows:
            at = r.attended_at.astimezone(tz).isoformat() if r.attended_at else ""
            writer.writerow([r.employee_id, r.name, r.unit, int(r.invited), int(r.attended), at])
        name = quote(f"training-{ts.id}.csv")
        return Response(
            out.getvalue(),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    attended = sum(1 for r in rows if r.invited and r.attended)
    invited = sum(1 for r in rows if r.invited)
    context = {"nav": "training", "ts": ts, "rows": rows, "tz": tz, "attended": attended, "invited": invited}
    return render(request, "training/report.html", context)


def _certificate(request: Request, session: Session, ts: TrainingSession, employee: Employee) -> Response:
    at = training.first_punches_of(session, ts, employee.id)
    if at is None:
        raise NotFound("training.not_attended")
    t = translator(request)
    tz = _tz(session, ts)
    item = Attendance(
        number=f"{ts.id}/{employee.id}",
        org_name=request.app.state.settings.org_name,
        title=ts.title,
        place=ts.place,
        when=f"{t.datetime(ts.starts_at, tz)}–{t.time(ts.ends_at, tz)}",
        employee_name=employee.name,
        employee_id=employee.id,
        unit=employee.unit or "",
        attended_at=t.time(at, tz),
    )
    name = quote(f"sertifikat-{ts.id}-{employee.id}.pdf")
    return Response(
        certificate_pdf(item, t),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/training/{session_id}/certificate/{employee_id}")
def certificate(
    request: Request,
    session_id: int,
    employee_id: str,
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    ts = _load(session, session_id)
    employee = session.get(Employee, employee_id)
    if employee is None:
        raise NotFound()
    user.ensure_covers(employee.unit)
    response = _certificate(request, session, ts, employee)
    audit.record(session, request, "training.certificate", "training", str(ts.id), employee=employee_id)
    session.commit()
    return response


@portal.get("/me/training/{session_id}/certificate")
def my_certificate(
    request: Request,
    session_id: int,
    me: CurrentEmployee = Depends(require_employee),
    session: Session = Depends(db_session),
) -> Response:
    ts = _load(session, session_id)
    employee = session.get(Employee, me.id)
    if employee is None:
        raise NotFound()
    return _certificate(request, session, ts, employee)
