"""Correction requests: employees ask (``/me/corrections``), supervisors decide (``/corrections``).

``portal`` holds the employee's side (their own requests only); ``router`` the supervisors' queue,
limited to their units. A decision is audited; an approval becomes an excuse or a manual punch and the
affected days are re-evaluated at once through the evaluator's incremental path.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, UploadFile
from sqlalchemy import false, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.db.models import Employee
from server.db.models_selfservice import CORRECTION_KINDS, CORRECTION_STATES, PENDING, CorrectionRequest
from server.evaluation.storing import load_days
from server.selfservice import corrections
from server.selfservice.corrections import MAX_ATTACHMENT, Attachment, CorrectionInput
from server.selfservice.errors import SelfServiceError
from server.selfservice.record import explain
from server.selfservice.web import CurrentEmployee, active_pack, require_employee
from server.web import audit
from server.web.auth import CurrentUser, db_session, require_user, require_writer
from server.web.errors import Forbidden, NotFound, WebError
from server.web.templating import render, request_lang

logger = logging.getLogger(__name__)
portal = APIRouter()
router = APIRouter()


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _attachment_response(row: CorrectionRequest) -> Response:
    if row.attachment is None:
        raise NotFound()
    name = quote(row.attachment_name or f"lampiran-{row.id}")
    return Response(
        row.attachment,
        media_type=row.attachment_type or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


# ----------------------------------------------------------------------------------- employee side


def _my_page(
    request: Request, session: Session, me: CurrentEmployee, *, status_code: int = 200, **extra: object
) -> Response:
    rows = session.scalars(
        select(CorrectionRequest)
        .where(CorrectionRequest.employee_id == me.id)
        .order_by(CorrectionRequest.submitted_at.desc())
    ).all()
    pack = active_pack(request)
    context = {
        "me": me,
        "mnav": "corrections",
        "requests": rows,
        "kinds": CORRECTION_KINDS,
        "rules": pack.corrections,
        "tz": ZoneInfo(me.tz),
        "max_mb": MAX_ATTACHMENT // (1024 * 1024),
        **extra,
    }
    return render(request, "me/corrections.html", context, status_code=status_code)


@portal.get("/me/corrections")
def my_corrections(
    request: Request, me: CurrentEmployee = Depends(require_employee), session: Session = Depends(db_session)
) -> Response:
    return _my_page(request, session, me)


@portal.post("/me/corrections")
async def ask_correction(
    request: Request,
    kind: str = Form(""),
    start: str = Form(""),
    end: str = Form(""),
    punch_time: str = Form(""),
    reason: str = Form(""),
    attachment: UploadFile | None = File(None),
    me: CurrentEmployee = Depends(require_employee),
    session: Session = Depends(db_session),
) -> Response:
    form = {"kind": kind, "start": start, "end": end, "punch_time": punch_time, "reason": reason}
    errors: dict[str, tuple[str, dict[str, object]]]
    first = _date(start)
    last = _date(end) if end.strip() else first
    if first is None or last is None:
        field = "start" if first is None else "end"
        errors = {field: ("corr.bad_date", {})}
        return _my_page(request, session, me, status_code=400, form=form, errors=errors)
    upload = None
    if attachment is not None and attachment.filename:
        data = await attachment.read(MAX_ATTACHMENT + 1)
        upload = Attachment(attachment.filename, data)
    now = request.app.state.settings.clock()
    try:
        row = corrections.submit(
            session,
            active_pack(request),
            me.id,
            CorrectionInput(kind, first, last, punch_time or None, reason, upload),
            now,
            ZoneInfo(me.tz),
        )
    except SelfServiceError as exc:
        session.rollback()
        logger.info("correction request of %s refused: %s", me.id, exc.key)
        errors = {exc.field or "form": (exc.key, exc.params)}
        return _my_page(request, session, me, status_code=400, form=form, errors=errors)
    audit.record(
        session, request, "correction.request", "correction", str(row.id), username=f"nip:{me.id}", kind=kind
    )
    session.commit()
    return RedirectResponse("/me/corrections?sent=1", status_code=303)


@portal.post("/me/corrections/{request_id}/withdraw")
def withdraw_correction(
    request: Request,
    request_id: int,
    me: CurrentEmployee = Depends(require_employee),
    session: Session = Depends(db_session),
) -> Response:
    try:
        corrections.withdraw(session, me.id, request_id, request.app.state.settings.clock())
    except SelfServiceError as exc:
        session.rollback()
        raise NotFound(exc.key) from exc
    audit.record(
        session, request, "correction.withdraw", "correction", str(request_id), username=f"nip:{me.id}"
    )
    session.commit()
    return RedirectResponse("/me/corrections", status_code=303)


@portal.get("/me/corrections/{request_id}/attachment")
def my_attachment(
    request_id: int, me: CurrentEmployee = Depends(require_employee), session: Session = Depends(db_session)
) -> Response:
    row = session.get(CorrectionRequest, request_id)
    if row is None or row.employee_id != me.id:
        raise NotFound()
    return _attachment_response(row)


# --------------------------------------------------------------------------------- supervisor side


@router.get("/corrections")
def queue(
    request: Request,
    status: str = PENDING,
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    if status not in CORRECTION_STATES:
        status = PENDING
    query = (
        select(CorrectionRequest, Employee)
        .join(Employee, Employee.id == CorrectionRequest.employee_id)
        .where(CorrectionRequest.status == status)
    )
    if user.units is not None:
        query = query.where(Employee.unit.in_(sorted(user.units)) if user.units else false())
    rows = session.execute(query.order_by(CorrectionRequest.submitted_at).limit(500)).all()
    return render(
        request,
        "corrections.html",
        {"nav": "corrections", "rows": rows, "status": status, "states": CORRECTION_STATES},
    )


def _load(session: Session, user: CurrentUser, request_id: int) -> tuple[CorrectionRequest, Employee]:
    row = session.get(CorrectionRequest, request_id)
    if row is None:
        raise NotFound()
    employee = session.get(Employee, row.employee_id)
    if employee is None:
        raise NotFound()
    user.ensure_covers(employee.unit)
    return row, employee


def _detail(
    request: Request,
    session: Session,
    user: CurrentUser,
    request_id: int,
    *,
    status_code: int = 200,
    **extra: object,
) -> Response:
    row, employee = _load(session, user, request_id)
    lang = request_lang(request)
    days = load_days(session.connection(), employee.id, row.start_date - timedelta(days=0), row.end_date)
    context = {
        "nav": "corrections",
        "row": row,
        "employee": employee,
        "days": [(d, explain(d.reasons, lang)) for d in days],
        "may_decide": user.can_write and row.status == PENDING,
        **extra,
    }
    return render(request, "correction.html", context, status_code=status_code)


@router.get("/corrections/{request_id}")
def detail(
    request: Request,
    request_id: int,
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    response = _detail(request, session, user, request_id)
    audit.record(session, request, "correction.view", "correction", str(request_id))
    session.commit()
    return response


@router.post("/corrections/{request_id}/decide")
def decide(
    request: Request,
    request_id: int,
    decision: str = Form(""),
    note: str = Form(""),
    user: CurrentUser = Depends(require_writer),
    session: Session = Depends(db_session),
) -> Response:
    row, employee = _load(session, user, request_id)
    user.ensure_may_act(employee.unit)
    if decision not in ("approve", "refuse"):
        raise WebError("corr.bad_decision")
    settings = request.app.state.settings
    try:
        corrections.decide(
            session,
            row.id,
            approve=decision == "approve",
            note=note,
            decided_by=user.username,
            now=settings.clock(),
        )
    except SelfServiceError as exc:
        session.rollback()
        if exc.key == "corr.already_decided":
            raise Forbidden(exc.key) from exc
        errors = {exc.field or "note": (exc.key, exc.params)}
        return _detail(
            request, session, user, request_id, status_code=400, errors=errors, form={"note": note}
        )
    audit.record(
        session,
        request,
        "correction.decide",
        "correction",
        str(row.id),
        decision=decision,
        employee=employee.id,
        kind=row.kind,
        excuse_id=row.excuse_id,
        punch_ids=row.punch_ids,
    )
    target = f"/corrections/{row.id}"
    session.commit()
    # SQLite takes the write lock when a transaction begins: end this session's before the evaluator.
    session.close()
    if decision == "approve":
        run = corrections.reevaluate(request.app.state.db, active_pack(request), settings.clock)
        logger.info("correction #%d: %d days re-evaluated", request_id, run.days)
    return RedirectResponse(target, status_code=303)


@router.get("/corrections/{request_id}/attachment")
def attachment(
    request: Request,
    request_id: int,
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    row, _ = _load(session, user, request_id)
    audit.record(session, request, "correction.attachment", "correction", str(request_id))
    session.commit()
    return _attachment_response(row)
