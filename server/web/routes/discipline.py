"""Discipline: the queue of flags and sanction proposals with their evidence, and deciding a proposal.

The engine proposes; a supervisor decides (PP 94/2021 Pasal 26), with a reason, after counseling.
Every decision goes through :func:`server.evaluation.review_proposal` and into the audit trail.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.db import models_rules as tables
from server.db.models import Employee
from server.db.models_web import CounselingCase
from server.evaluation import review_proposal
from server.web import audit, records
from server.web.auth import CurrentUser, db_session, require_user, require_writer
from server.web.errors import NotFound
from server.web.scope import in_scope
from server.web.templating import render, request_lang

router = APIRouter()

DECISIONS = {"approve": tables.APPROVED, "adjust": tables.ADJUSTED, "dismiss": tables.DISMISSED}
MAX_NOTE = 2000
# The queue shows the oldest this many of each kind; the rest follow as they are decided.
LIST = 200


@router.get("/discipline")
def queue(
    request: Request, user: CurrentUser = Depends(require_user), session: Session = Depends(db_session)
) -> Response:
    # Scope by joining Employee and filtering its unit: an IN (subquery) over every employee is slow.
    p, f, c = tables.Proposal, tables.Flag, CounselingCase
    waiting = (p.active.is_(True), p.status == tables.PROPOSED)
    open_flags = (f.active.is_(True), f.status != tables.FLAG_CLOSED)
    proposal_count = session.scalar(
        in_scope(
            select(func.count()).select_from(p).join(Employee, Employee.id == p.employee_id), user
        ).where(*waiting)
    )
    proposals = session.execute(
        in_scope(select(p, Employee).join(Employee, Employee.id == p.employee_id), user)
        .where(*waiting)
        .order_by(p.reached_on, p.id)
        .limit(LIST)
    ).all()
    decided = session.execute(
        in_scope(select(p, Employee).join(Employee, Employee.id == p.employee_id), user)
        .where(p.status != tables.PROPOSED)
        .order_by(p.decided_at.desc())
        .limit(20)
    ).all()
    flag_count = session.scalar(
        in_scope(
            select(func.count()).select_from(f).join(Employee, Employee.id == f.employee_id), user
        ).where(*open_flags)
    )
    flags = session.execute(
        in_scope(select(f, Employee).join(Employee, Employee.id == f.employee_id), user)
        .where(*open_flags)
        .order_by(f.raised_at, f.id)
        .limit(LIST)
    ).all()
    cases = session.execute(
        in_scope(select(c, Employee).join(Employee, Employee.id == c.employee_id), user)
        .where(c.closed_at.is_(None))
        .order_by(c.follow_up_on, c.id)
    ).all()
    today = request.app.state.settings.clock().astimezone(request.app.state.settings.tz).date()
    context = {
        "nav": "discipline",
        "proposals": proposals,
        "decided": decided,
        "flags": flags,
        "cases": cases,
        "today": today,
        "proposal_count": proposal_count or 0,
        "flag_count": flag_count or 0,
    }
    return render(request, "discipline.html", context)


def load_proposal(session: Session, user: CurrentUser, proposal_id: int) -> tuple[tables.Proposal, Employee]:
    proposal = session.get(tables.Proposal, proposal_id)
    employee = session.get(Employee, proposal.employee_id) if proposal else None
    if proposal is None or employee is None:
        raise NotFound()
    user.ensure_covers(employee.unit)
    return proposal, employee


def _proposal_page(
    request: Request,
    session: Session,
    user: CurrentUser,
    proposal_id: int,
    *,
    status_code: int = 200,
    **extra: object,
) -> Response:
    proposal, employee = load_proposal(session, user, proposal_id)
    lang = request_lang(request)
    cases = session.scalars(
        select(CounselingCase)
        .where(CounselingCase.employee_id == employee.id)
        .order_by(CounselingCase.opened_at.desc())
    ).all()
    audit.record(session, request, "proposal.view", "proposal", str(proposal.id), employee=employee.id)
    session.commit()
    return render(
        request,
        "proposal.html",
        {
            "nav": "discipline",
            "p": proposal,
            "employee": employee,
            "cases": cases,
            "reasons": records.explain_json(proposal.reasons, lang),
            "summary": records.year_summary(session, employee.id, proposal.year),
            "may_decide": user.can_write
            and user.covers(employee.unit)
            and proposal.status == tables.PROPOSED,
            "form": {},
            "errors": {},
            **extra,
        },
        status_code=status_code,
    )


@router.get("/discipline/proposals/{proposal_id}")
def proposal_page(
    request: Request,
    proposal_id: int,
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    return _proposal_page(request, session, user, proposal_id)


@router.post("/discipline/proposals/{proposal_id}/decide")
def decide(
    request: Request,
    proposal_id: int,
    decision: str = Form(""),
    note: str = Form(""),
    adjusted_sanction: str = Form(""),
    user: CurrentUser = Depends(require_writer),
    session: Session = Depends(db_session),
) -> Response:
    proposal, employee = load_proposal(session, user, proposal_id)
    user.ensure_may_act(employee.unit)
    form = {"decision": decision, "note": note, "adjusted_sanction": adjusted_sanction}
    errors: dict[str, tuple[str, dict[str, object]]] = {}
    if proposal.status != tables.PROPOSED:
        errors["decision"] = ("decide.already", {})
    if decision not in DECISIONS:
        errors["decision"] = ("decide.choose", {})
    if not note.strip():
        errors["note"] = ("decide.reason_required", {})
    elif len(note) > MAX_NOTE:
        errors["note"] = ("decide.too_long", {"max": MAX_NOTE})
    if decision == "adjust" and not adjusted_sanction.strip():
        errors["adjusted_sanction"] = ("decide.adjusted_required", {})
    if errors:
        session.rollback()
        return _proposal_page(request, session, user, proposal_id, status_code=400, form=form, errors=errors)
    now = request.app.state.settings.clock()
    review_proposal(
        session,
        proposal.id,
        DECISIONS[decision],
        user.username,
        note.strip(),
        now,
        adjusted_sanction=adjusted_sanction.strip() or None if decision == "adjust" else None,
    )
    audit.record(
        session,
        request,
        "proposal.decide",
        "proposal",
        str(proposal.id),
        employee=employee.id,
        decision=DECISIONS[decision],
        sanction=proposal.sanction,
        note=note.strip(),
        adjusted_sanction=adjusted_sanction.strip() if decision == "adjust" else None,
    )
    session.commit()
    return RedirectResponse(f"/discipline/proposals/{proposal.id}", status_code=303)


@router.get("/discipline/flags/{flag_id}")
def flag_page(
    request: Request,
    flag_id: int,
    user: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    flag = session.get(tables.Flag, flag_id)
    employee = session.get(Employee, flag.employee_id) if flag else None
    if flag is None or employee is None:
        raise NotFound()
    user.ensure_covers(employee.unit)
    cases = session.scalars(select(CounselingCase).where(CounselingCase.flag_id == flag.id)).all()
    audit.record(session, request, "flag.view", "flag", str(flag.id), employee=employee.id)
    session.commit()
    return render(
        request,
        "flag.html",
        {
            "nav": "discipline",
            "flag": flag,
            "employee": employee,
            "cases": cases,
            "reasons": records.explain_json(flag.reasons, request_lang(request)),
            "may_act": user.can_write and user.covers(employee.unit),
            "employee_url": f"/employees/{quote(employee.id)}",
        },
    )
