"""The employee's session in the web app, as FastAPI dependencies.

An employee session is separate from an admin one: it keeps ``emp`` (the employee id) and never
``uid``, so no admin page accepts it, and every ``/me`` route reads only ``emp``'s data — the id is
never taken from the URL or a form.

Example::

    @router.get("/me")
    def my_record(me: CurrentEmployee = Depends(require_employee)):
        ...  # me.id is the signed-in employee
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.db.models import Employee, Office
from server.db.models_selfservice import EmployeeAccount
from server.rules import RulePack, load_pack
from server.web.auth import db_session
from server.web.errors import WebError
from server.web.security import new_csrf_token

logger = logging.getLogger(__name__)


class EmployeeSignInRequired(WebError):
    """No valid employee session: sign in at ``/me/signin`` first."""

    status_code = 401
    message_key = "error.signin_required"


async def employee_signin_redirect(request: Request, exc: Exception) -> Response:
    """Send the visitor to the employee sign-in page, keeping where they wanted to go."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/me/signin?next={quote(target, safe='')}", status_code=303)


@dataclass(frozen=True)
class CurrentEmployee:
    """The signed-in employee: id, name, unit and the office's time zone."""

    id: str
    name: str
    unit: str
    office_id: str
    office_name: str
    tz: str


def _parse(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def session_employee(request: Request, session: Session) -> CurrentEmployee | None:
    """The employee of the session cookie, or ``None`` when absent, expired, revoked or gone."""
    eid = request.session.get("emp")
    if not isinstance(eid, str):
        return None
    settings = request.app.state.settings
    now = settings.clock()
    signed_in_at = _parse(request.session.get("auth_at"))
    seen_at = _parse(request.session.get("seen_at"))
    account = session.get(EmployeeAccount, eid)
    employee = session.get(Employee, eid)
    if (
        signed_in_at is None
        or seen_at is None
        or now - signed_in_at > settings.session_max
        or now - seen_at > settings.session_idle
        or account is None
        or employee is None
        or not employee.active
        or account.session_epoch != request.session.get("epoch")
    ):
        request.session.pop("emp", None)
        return None
    request.session["seen_at"] = now.isoformat()
    office = session.get(Office, employee.office_id)
    return CurrentEmployee(
        employee.id,
        employee.name,
        employee.unit or "",
        employee.office_id,
        office.name if office else employee.office_id,
        office.tz if office else "Asia/Jakarta",
    )


def require_employee(request: Request, session: Session = Depends(db_session)) -> CurrentEmployee:
    """The signed-in employee (pages redirect to the employee sign-in without one)."""
    found = getattr(request.state, "employee", None)
    if found is None:
        found = session_employee(request, session)
        if found is None:
            raise EmployeeSignInRequired()
        request.state.employee = found
    return found


def start_employee_session(request: Request, account: EmployeeAccount, now: datetime) -> None:
    """A fresh session for ``account`` (nothing from before, e.g. a planted token, carries over)."""
    lang = request.session.get("lang") or account.lang
    request.session.clear()
    request.session.update(
        {
            "emp": account.employee_id,
            "epoch": account.session_epoch,
            "auth_at": now.isoformat(),
            "seen_at": now.isoformat(),
            "csrf": new_csrf_token(),
            "lang": lang,
        }
    )
    account.last_signin_at = now


def active_pack(request: Request) -> RulePack:
    """The rule pack the server evaluates with (``app.state.pack``; the shipped ASN pack by default)."""
    pack = getattr(request.app.state, "pack", None)
    if pack is None:
        pack = load_pack()
        request.app.state.pack = pack
    return pack
