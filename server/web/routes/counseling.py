"""Counseling (pembinaan) cases: notes, cause, agreed action (incl. adjusted hours with effective
dates), follow-up, outcome, and the employee's attendance before and after — did it help?"""

from __future__ import annotations

from datetime import date, time, timedelta

from fastapi import APIRouter, Depends, Form
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.db import models_rules as tables
from server.db.models import Employee
from server.db.models_web import CounselingCase, CounselingNote
from server.evaluation import review_flag, set_adjusted_hours
from server.web import audit
from server.web.auth import CurrentUser, db_session, require_user, require_writer
from server.web.errors import NotFound
from server.web.templating import render

router = APIRouter()

WINDOW_DAYS = 30
LATE = ("late", "late_early", "missing_in")
EARLY = ("early", "late_early", "missing_out")
MAX_TEXT = 4000


def attendance(session: Session, employee_id: str, first: date, last: date) -> dict[str, float]:
    """Working days, absences, late and early days and excused days between two dates (inclusive)."""
    rows = session.execute(
        select(tables.DayRecord.status, tables.DayRecord.unexcused).where(
            tables.DayRecord.employee_id == employee_id,
            tables.DayRecord.day.between(first, last),
            tables.DayRecord.working.is_(True),
        )
    ).all()
    working = len(rows)
    absent = sum(u for _, u in rows)
    return {
        "working": working,
        "absent": absent,
        "late": sum(s in LATE for s, _ in rows),
        "early": sum(s in EARLY for s, _ in rows),
        "excused": sum(s == "excused" for s, _ in rows),
        "present_rate": round(100 * (working - absent) / working, 1) if working else 0.0,
    }


def before_after(session: Session, case: CounselingCase, today: date) -> dict[str, object]:
    """Attendance in the 30 days before the counseling and in up to 30 days after it."""
    pivot = case.counseled_on or case.opened_at.date()
    after_end = min(today - timedelta(days=1), pivot + timedelta(days=WINDOW_DAYS))
    return {
        "pivot": pivot,
        "before": attendance(
            session, case.employee_id, pivot - timedelta(days=WINDOW_DAYS), pivot - timedelta(days=1)
        ),
        "after": attendance(session, case.employee_id, pivot, after_end) if after_end >= pivot else None,
    }


def load_case(session: Session, user: CurrentUser, case_id: int) -> tuple[CounselingCase, Employee]:
    case = session.get(CounselingCase, case_id)
    employee = session.get(Employee, case.employee_id) if case else None
    if case is None or employee is None:
        raise NotFound()
    user.ensure_covers(employee.unit)
    return case, employee


@router.post("/discipline/cases")
def open_case(
    request: Request,
    employee_id: str = Form(""),
    flag_id: str = Form(""),
    proposal_id: str = Form(""),
    user: CurrentUser = Depends(require_writer),
    session: Session = Depends(db_session),
) -> Response:
    employee = session.get(Employee, employee_id)
    if employee is None:
        raise NotFound()
    user.ensure_may_act(employee.unit)
    now = request.app.state.settings.clock()
    flag = session.get(tables.Flag, int(flag_id)) if flag_id.isdigit() else None
    proposal = session.get(tables.Proposal, int(proposal_id)) if proposal_id.isdigit() else None
    if (flag is not None and flag.employee_id != employee.id) or (
        proposal is not None and proposal.employee_id != employee.id
    ):
        raise NotFound()
    case = CounselingCase(
        employee_id=employee.id,
        flag_id=flag.id if flag else None,
        proposal_id=proposal.id if proposal else None,
        opened_at=now,
        opened_by=user.id,
        cause="",
        agreed_action="",
        outcome="",
    )
    session.add(case)
    session.flush()
    if flag is not None and flag.status == tables.FLAG_OPEN:
        review_flag(session, flag.id, tables.FLAG_COUNSELING, user.username, f"case #{case.id}", now)
    audit.record(
        session,
        request,
        "counseling.open",
        "employee",
        employee.id,
        case=case.id,
        flag=case.flag_id,
        proposal=case.proposal_id,
    )
    session.commit()
    return RedirectResponse(f"/discipline/cases/{case.id}", status_code=303)


def _case_page(
    request: Request,
    session: Session,
    user: CurrentUser,
    case_id: int,
    *,
    status_code: int = 200,
    **extra: object,
) -> Response:
    case, employee = load_case(session, user, case_id)
    today = request.app.state.settings.clock().astimezone(request.app.state.settings.tz).date()
    audit.record(session, request, "counseling.view", "employee", employee.id, case=case.id)
    session.commit()
    return render(
        request,
        "case.html",
        {
            "nav": "discipline",
            "case": case,
            "employee": employee,
            "today": today,
            "effect": before_after(session, case, today),
            "may_act": user.can_write and user.covers(employee.unit) and case.closed_at is None,
            "weekdays": range(5),
            "form": {},
            "errors": {},
            **extra,
        },
        status_code=status_code,
    )


@router.get("/discipline/cases/{case_id}")
def case_page(
    request: Request,
    case_id: int,
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    return _case_page(request, session, user, case_id)


def _date(value: str) -> date | None | str:
    """A date, ``None`` for an empty field, or the string ``"bad"``."""
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return "bad"


def _time(value: str) -> time | None | str:
    if not value.strip():
        return None
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        return "bad"


@router.post("/discipline/cases/{case_id}")
async def update_case(
    request: Request,
    case_id: int,
    user: CurrentUser = Depends(require_writer),
    session: Session = Depends(db_session),
) -> Response:
    case, employee = load_case(session, user, case_id)
    user.ensure_may_act(employee.unit)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    errors: dict[str, tuple[str, dict[str, object]]] = {}
    dates = {
        name: _date(form.get(name, ""))
        for name in ("counseled_on", "follow_up_on", "adjusted_from", "adjusted_until")
    }
    times = {name: _time(form.get(name, "")) for name in ("adjusted_start", "adjusted_end")}
    errors.update({name: ("form.bad_date", {}) for name, d in dates.items() if d == "bad"})
    errors.update({name: ("form.bad_time", {}) for name, t in times.items() if t == "bad"})
    for name in ("cause", "agreed_action", "outcome"):
        if len(form.get(name, "")) > MAX_TEXT:
            errors[name] = ("decide.too_long", {"max": MAX_TEXT})
    start, end, since, until = (
        times["adjusted_start"],
        times["adjusted_end"],
        dates["adjusted_from"],
        dates["adjusted_until"],
    )
    wants_hours = any(v is not None for v in (start, end, since))
    if wants_hours and not errors:
        if start is None or end is None:
            errors["adjusted_start"] = ("case.hours_incomplete", {})
        elif not isinstance(start, time) or not isinstance(end, time) or end <= start:
            errors["adjusted_end"] = ("case.end_after_start", {})
        if since is None:
            errors["adjusted_from"] = ("form.required", {})
        elif isinstance(until, date) and isinstance(since, date) and until < since:
            errors["adjusted_until"] = ("leave.end_before_start", {})
        if case.adjusted_hours_id is not None:
            errors["adjusted_start"] = ("case.hours_already", {})
    closing = form.get("close") == "1"
    if closing and not form.get("outcome", "").strip():
        errors["outcome"] = ("case.outcome_required", {})
    if errors:
        session.rollback()
        return _case_page(request, session, user, case_id, status_code=400, form=form, errors=errors)
    now = request.app.state.settings.clock()
    case.counseled_on = dates["counseled_on"] if isinstance(dates["counseled_on"], date) else None
    case.follow_up_on = dates["follow_up_on"] if isinstance(dates["follow_up_on"], date) else None
    case.cause = form.get("cause", "").strip()
    case.agreed_action = form.get("agreed_action", "").strip()
    case.outcome = form.get("outcome", "").strip()
    if wants_hours and isinstance(start, time) and isinstance(end, time) and isinstance(since, date):
        weekdays = [int(d) for d in range(7) if form.get(f"weekday_{d}") == "1"] or list(range(5))
        case.adjusted_hours_id = set_adjusted_hours(
            session,
            employee.id,
            since,
            until if isinstance(until, date) else None,
            {d: (start, end) for d in weekdays},
            note=f"counseling case #{case.id}",
            created_by=user.username,
        )
        case.adjusted_start, case.adjusted_end = start.strftime("%H:%M"), end.strftime("%H:%M")
        case.adjusted_from, case.adjusted_until = since, until if isinstance(until, date) else None
    if closing:
        case.closed_at = now
        if case.flag_id is not None and session.get(tables.Flag, case.flag_id) is not None:
            review_flag(session, case.flag_id, tables.FLAG_CLOSED, user.username, case.outcome[:500], now)
    audit.record(
        session,
        request,
        "counseling.close" if closing else "counseling.update",
        "employee",
        employee.id,
        case=case.id,
        adjusted_hours=case.adjusted_hours_id,
    )
    session.commit()
    return RedirectResponse(f"/discipline/cases/{case.id}", status_code=303)


@router.post("/discipline/cases/{case_id}/notes")
def add_note(
    request: Request,
    case_id: int,
    text: str = Form(""),
    user: CurrentUser = Depends(require_writer),
    session: Session = Depends(db_session),
) -> Response:
    case, employee = load_case(session, user, case_id)
    user.ensure_may_act(employee.unit)
    if not text.strip() or len(text) > MAX_TEXT:
        session.rollback()
        key = "case.note_required" if not text.strip() else "decide.too_long"
        return _case_page(
            request, session, user, case_id, status_code=400, errors={"text": (key, {"max": MAX_TEXT})}
        )
    session.add(
        CounselingNote(
            case_id=case.id,
            at=request.app.state.settings.clock(),
            author_id=user.id,
            author_name=user.name,
            text=text.strip(),
        )
    )
    audit.record(session, request, "counseling.note", "employee", employee.id, case=case.id)
    session.commit()
    return RedirectResponse(f"/discipline/cases/{case.id}#notes", status_code=303)
