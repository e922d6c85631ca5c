"""The audit trail: every decision and every view of personal data, with who, when and from where.

Usage in a handler (the caller commits, together with the change it records)::

    audit.record(session, request, "proposal.decide", "proposal", str(proposal.id), decision="approve")
"""

from __future__ import annotations

import json
import logging

from sqlalchemy.orm import Session
from starlette.requests import Request

from server.db.models_web import AuditEvent
from server.web.settings import utc_now

logger = logging.getLogger(__name__)


def client_ip(request: Request) -> str:
    """The peer address of the request (the proxy's, when behind one)."""
    return request.client.host if request.client else ""


def record(
    session: Session,
    request: Request | None,
    action: str,
    subject_type: str = "",
    subject_id: str = "",
    *,
    username: str | None = None,
    user_id: int | None = None,
    **detail: object,
) -> AuditEvent:
    """Add one audit event to ``session`` (not committed).

    The user is taken from ``request.state.user`` unless ``username``/``user_id`` are given
    (e.g. a failed sign-in, or the command line). ``detail`` is stored as JSON.
    """
    user = getattr(request.state, "user", None) if request is not None else None
    now = request.app.state.settings.clock() if request is not None else utc_now()
    event = AuditEvent(
        at=now,
        user_id=user_id if user_id is not None else (user.id if user else None),
        username=username if username is not None else (user.username if user else ""),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True) if detail else "",
        ip=client_ip(request) if request is not None else "",
    )
    session.add(event)
    logger.info(
        "audit %s by %s on %s %s", action, event.username or "-", subject_type or "-", subject_id or "-"
    )
    return event
