"""The audit trail (admins): who did or viewed what, filterable by person, action and subject."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from server.db.models_web import AuditEvent
from server.web.auth import CurrentUser, db_session, require_admin
from server.web.templating import render

router = APIRouter()


@router.get("/audit")
def audit_page(
    request: Request,
    username: str = "",
    action: str = "",
    subject: str = "",
    page: str = "1",
    _: CurrentUser = Depends(require_admin),
    session: Session = Depends(db_session),
) -> Response:
    size = 100
    query = select(AuditEvent)
    if username.strip():
        query = query.where(AuditEvent.username == username.strip())
    if action.strip():
        query = query.where(AuditEvent.action.like(f"{action.strip()}%"))
    if subject.strip():
        query = query.where(AuditEvent.subject_id == subject.strip())
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // size))
    number = min(max(int(page) if page.isdigit() else 1, 1), pages)
    events = session.scalars(
        query.order_by(AuditEvent.id.desc()).limit(size).offset((number - 1) * size)
    ).all()
    return render(
        request,
        "audit.html",
        {
            "nav": "audit",
            "events": events,
            "total": total,
            "page": number,
            "pages": pages,
            "username": username,
            "action": action,
            "subject": subject,
        },
    )
