"""Reviewers' pages of anonymous reporting (``/whistle``): triage, assign, ask, close.

Admins see every report; a supervisor sees the reports triaged to one of their units or assigned to
them; viewers see none (reports are sensitive even without names). Every view and every action goes
to the audit trail. Nothing here can show who filed a report: nothing that could is stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.db.models import Employee
from server.db.models_web import CounselingCase, User
from server.db.models_whistle import CATEGORIES, OUTCOMES, STATUSES, WhistleEvidence, WhistleReport
from server.web import audit
from server.web.auth import CurrentUser, db_session, require_admin, require_writer
from server.web.errors import Forbidden, NotFound
from server.web.templating import render
from server.whistle import store

router = APIRouter()
CASE_ROUTE = "/discipline/cases/{case_id}"
MAX_QUESTION_CHARS = 3000
MAX_NOTE_CHARS = 5000


def _visible(user: CurrentUser) -> Any:
    """The SQL condition for the reports ``user`` may review."""
    if user.units is None:
        return True
    units = sorted(user.units)
    return or_(WhistleReport.assignee_id == user.id, WhistleReport.unit.in_(units))


def load_report(session: Session, user: CurrentUser, report_id: str) -> WhistleReport:
    """The report, or :class:`NotFound` (also outside the user's reach, so ids reveal nothing)."""
    if not report_id.isdigit():
        raise NotFound()
    report = session.get(WhistleReport, int(report_id))
    if report is None:
        raise NotFound()
    if user.units is not None and report.assignee_id != user.id and not user.covers(report.unit):
        raise NotFound()
    return report


def _today(request: Request) -> Any:
    settings = request.app.state.settings
    return settings.clock().astimezone(settings.tz).date()


@router.get("/whistle")
def reports_page(
    request: Request,
    status: str = "",
    user: CurrentUser = Depends(require_writer),
    session: Session = Depends(db_session),
) -> Response:
    query = select(WhistleReport).where(_visible(user))
    if status in STATUSES:
        query = query.where(WhistleReport.status == status)
    else:
        status = ""
    rows = session.scalars(query.order_by(WhistleReport.id.desc()).limit(500)).all()
    names = dict(session.execute(select(User.id, User.name)).all())
    return render(
        request,
        "whistle/list.html",
        {"nav": "whistle", "reports": rows, "status": status, "statuses": STATUSES, "names": names},
    )


def _detail(
    request: Request,
    session: Session,
    user: CurrentUser,
    report: WhistleReport,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    reviewers = [
        u
        for u in session.scalars(
            select(User).where(User.active.is_(True), User.role.in_(("admin", "supervisor")))
        )
        if u.role == "admin" or report.unit is None or any(x.unit in (report.unit, "*") for x in u.units)
    ]
    names = dict(session.execute(select(User.id, User.name)).all())
    employee = session.get(Employee, report.employee_id) if report.employee_id else None
    cases = (
        session.scalars(
            select(CounselingCase)
            .where(CounselingCase.employee_id == employee.id)
            .order_by(CounselingCase.id)
        ).all()
        if employee is not None
        else []
    )
    paths = {path for path, _ in request.app.state.page_routes}
    context = {
        "nav": "whistle",
        "report": report,
        "reviewers": reviewers,
        "names": names,
        "employee": employee,
        "cases": cases,
        "case_pages": CASE_ROUTE in paths,
        "statuses": STATUSES,
        "categories": CATEGORIES,
        "outcomes": OUTCOMES,
        **extra,
    }
    return render(request, "whistle/detail.html", context, status_code=status_code)


@router.get("/whistle/{report_id}")
def report_page(
    request: Request,
    report_id: str,
    user: CurrentUser = Depends(require_writer),
    session: Session = Depends(db_session),
) -> Response:
    report = load_report(session, user, report_id)
    audit.record(session, request, "whistle.view", "whistle_report", str(report.id))
    session.commit()
    return _detail(request, session, user, report)


@router.get("/whistle/{report_id}/evidence/{evidence_id}")
def evidence_file(
    request: Request,
    report_id: str,
    evidence_id: str,
    user: CurrentUser = Depends(require_writer),
    session: Session = Depends(db_session),
) -> Response:
    report = load_report(session, user, report_id)
    item = session.get(WhistleEvidence, int(evidence_id)) if evidence_id.isdigit() else None
    if item is None or item.report_id != report.id:
        raise NotFound()
    audit.record(session, request, "whistle.evidence", "whistle_report", str(report.id), evidence=item.id)
    session.commit()
    media = {"jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}[item.kind]
    ext = {"jpeg": "jpg", "png": "png", "pdf": "pdf"}[item.kind]
    return Response(
        item.data,
        media_type=media,
        headers={
            "content-disposition": f'attachment; filename="laporan-{report.id}-{item.id}.{ext}"',
            "content-security-policy": "sandbox",
            "cache-control": "no-store",
        },
    )


def _back(report: WhistleReport) -> Response:
    return RedirectResponse(f"/whistle/{report.id}", status_code=303)


def _closed(report: WhistleReport) -> None:
    if report.status == "closed":
        raise Forbidden("whistle.review.error_closed")


@router.post("/whistle/{report_id}/triage")
def triage(
    request: Request,
    report_id: str,
    status: str = Form(""),
    category: str = Form(""),
    unit: str = Form(""),
    employee_id: str = Form(""),
    case_id: str = Form(""),
    user: CurrentUser = Depends(require_writer),
    session: Session = Depends(db_session),
) -> Response:
    report = load_report(session, user, report_id)
    _closed(report)
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    unit, employee_id, case_id = unit.strip()[:200], employee_id.strip()[:64], case_id.strip()
    if status not in ("triaged", "investigating", "waiting"):
        errors["status"] = ("whistle.review.error_status", {})
    if category not in CATEGORIES:
        errors["category"] = ("whistle.review.error_category", {})
    employee = session.get(Employee, employee_id) if employee_id else None
    if employee_id and employee is None:
        errors["employee_id"] = ("whistle.review.error_employee", {})
    if employee is not None:
        unit = unit or (employee.unit or "")
        if not user.covers(employee.unit):
            errors["employee_id"] = ("error.not_your_unit", {})
    if unit and not user.covers(unit):
        errors["unit"] = ("error.not_your_unit", {})
    case = None
    if case_id:
        case = session.get(CounselingCase, int(case_id)) if case_id.isdigit() else None
        if case is None or employee is None or case.employee_id != employee.id:
            errors["case_id"] = ("whistle.review.error_case", {})
    if errors:
        session.rollback()
        form = {
            "status": status,
            "category": category,
            "unit": unit,
            "employee_id": employee_id,
            "case_id": case_id,
        }
        return _detail(request, session, user, report, 400, errors=errors, form=form)
    report.status = status
    report.category = category
    report.unit = unit or None
    report.employee_id = employee.id if employee else None
    report.counseling_case_id = case.id if case else None
    report.updated_on = _today(request)
    audit.record(
        session,
        request,
        "whistle.triage",
        "whistle_report",
        str(report.id),
        status=status,
        category=category,
        unit=unit,
        employee=report.employee_id or "",
        case=report.counseling_case_id,
    )
    session.commit()
    return _back(report)


@router.post("/whistle/{report_id}/assign")
def assign(
    request: Request,
    report_id: str,
    assignee: str = Form(""),
    user: CurrentUser = Depends(require_admin),
    session: Session = Depends(db_session),
) -> Response:
    report = load_report(session, user, report_id)
    _closed(report)
    target = session.get(User, int(assignee)) if assignee.isdigit() else None
    if target is None or not target.active or target.role not in ("admin", "supervisor"):
        return _detail(
            request, session, user, report, 400, errors={"assignee": ("whistle.review.error_assignee", {})}
        )
    report.assignee_id = target.id
    report.updated_on = _today(request)
    audit.record(
        session, request, "whistle.assign", "whistle_report", str(report.id), assignee=target.username
    )
    session.commit()
    return _back(report)


@router.post("/whistle/{report_id}/ask")
def ask(
    request: Request,
    report_id: str,
    question: str = Form(""),
    user: CurrentUser = Depends(require_writer),
    session: Session = Depends(db_session),
) -> Response:
    report = load_report(session, user, report_id)
    _closed(report)
    question = question.strip()
    if not question or len(question) > MAX_QUESTION_CHARS:
        key = "whistle.review.error_question" if not question else "whistle.error.too_long"
        return _detail(
            request,
            session,
            user,
            report,
            400,
            errors={"question": (key, {"limit": MAX_QUESTION_CHARS})},
            form={"question": question[:MAX_QUESTION_CHARS]},
        )
    message = store.add_question(session, report, user.id, question, _today(request))
    audit.record(session, request, "whistle.ask", "whistle_report", str(report.id), message=message.id)
    session.commit()
    return _back(report)


@router.post("/whistle/{report_id}/close")
def close(
    request: Request,
    report_id: str,
    outcome: str = Form(""),
    note: str = Form(""),
    user: CurrentUser = Depends(require_writer),
    session: Session = Depends(db_session),
) -> Response:
    report = load_report(session, user, report_id)
    _closed(report)
    note = note.strip()
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = ("whistle.review.error_outcome", {})
    if not note or len(note) > MAX_NOTE_CHARS:
        errors["note"] = ("whistle.review.error_note", {"limit": MAX_NOTE_CHARS})
    if errors:
        return _detail(
            request,
            session,
            user,
            report,
            400,
            errors=errors,
            form={"outcome": outcome, "note": note[:MAX_NOTE_CHARS]},
        )
    today = _today(request)
    report.status = "closed"
    report.outcome = outcome
    report.outcome_note = note
    report.closed_on = today
    report.updated_on = today
    audit.record(session, request, "whistle.close", "whistle_report", str(report.id), outcome=outcome)
    session.commit()
    return _back(report)
