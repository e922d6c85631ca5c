"""The employee's own pages (``/me``): personal sign-in, their month and year, password, data download.

Two routers: ``portal`` (employee session, see :mod:`server.selfservice.web`) and ``router`` (admin
pages: making a one-time sign-in link for an employee). Every ``/me`` route reads the employee id from
the session only, never from the URL or a form, so nobody can open another employee's record.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.db.models import Employee
from server.db.models_selfservice import EmployeeAccount
from server.selfservice import export
from server.selfservice.accounts import (
    check_password,
    make_signin_link,
    peek_signin_link,
    redeem_signin_link,
    set_password,
)
from server.selfservice.errors import SelfServiceError
from server.selfservice.record import explain, month_record, stored_reasons, year_record
from server.selfservice.training import employee_sessions
from server.selfservice.web import (
    CurrentEmployee,
    active_pack,
    require_employee,
    session_employee,
    start_employee_session,
)
from server.web import audit
from server.web.auth import CurrentUser, db_session, require_admin
from server.web.errors import NotFound
from server.web.routes.auth import locked_out, safe_next
from server.web.templating import render, request_lang

logger = logging.getLogger(__name__)
portal = APIRouter()
router = APIRouter()

LIMITER_PREFIX = "employee:"


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value) if value not in (None, "") else default
    except ValueError:
        return default
    return min(max(number, low), high)


def _me_next(target: str | None) -> str:
    path = safe_next(target)
    return path if path.startswith(("/me", "/rules")) else "/me"


def today_of(request: Request, me: CurrentEmployee) -> date:
    return request.app.state.settings.clock().astimezone(ZoneInfo(me.tz)).date()


# ------------------------------------------------------------------------------------------- sign-in


@portal.get("/me/signin")
def signin_page(request: Request, next: str = "/me", session: Session = Depends(db_session)) -> Response:
    if session_employee(request, session) is not None:
        return RedirectResponse(_me_next(next), status_code=303)
    return render(request, "me/signin.html", {"next": _me_next(next), "form": {}})


@portal.post("/me/signin")
def signin(
    request: Request,
    employee_id: str = Form(""),
    password: str = Form(""),
    next: str = Form("/me"),
    session: Session = Depends(db_session),
) -> Response:
    limiter = request.app.state.limiter
    ip = audit.client_ip(request)
    employee_id = employee_id.strip()
    context = {"next": _me_next(next), "form": {"employee_id": employee_id}}
    if not employee_id or not password:
        return render(request, "me/signin.html", {**context, "error": "me.signin_missing"}, status_code=400)
    key = LIMITER_PREFIX + employee_id
    lockout = limiter.check(key, ip)
    if lockout is not None:
        audit.record(
            session, request, "me.signin_refused", "employee", employee_id, username=f"nip:{employee_id}"
        )
        session.commit()
        return locked_out(request, "me/signin.html", context, lockout.retry_after)
    account = check_password(session, request.app.state.passwords, employee_id, password)
    if account is None:
        limiter.failed(key, ip)
        audit.record(
            session, request, "me.signin_failed", "employee", employee_id, username=f"nip:{employee_id}"
        )
        session.commit()
        return render(request, "me/signin.html", {**context, "error": "me.signin_wrong"}, status_code=401)
    limiter.succeeded(key)
    now = request.app.state.settings.clock()
    start_employee_session(request, account, now)
    audit.record(session, request, "me.signin", "employee", employee_id, username=f"nip:{employee_id}")
    session.commit()
    return RedirectResponse(_me_next(next), status_code=303)


@portal.get("/me/link/{token}")
def link_page(request: Request, token: str, session: Session = Depends(db_session)) -> Response:
    # A GET only shows a button: link previews and mail scanners must not use up the link.
    link = peek_signin_link(session, token, request.app.state.settings.clock())
    if link is None:
        return render(request, "me/link.html", {"valid": False}, status_code=410)
    return render(request, "me/link.html", {"valid": True, "token": token})


@portal.post("/me/link/{token}")
def use_link(request: Request, token: str, session: Session = Depends(db_session)) -> Response:
    now = request.app.state.settings.clock()
    account = redeem_signin_link(session, token, now)
    if account is None:
        audit.record(session, request, "me.link_refused", "employee", "", username="")
        session.commit()
        return render(request, "me/link.html", {"valid": False}, status_code=410)
    start_employee_session(request, account, now)
    eid = account.employee_id
    audit.record(session, request, "me.signin_link", "employee", eid, username=f"nip:{eid}")
    session.commit()
    return RedirectResponse("/me/password" if account.password_hash is None else "/me", status_code=303)


@portal.post("/me/signout")
def signout(request: Request, session: Session = Depends(db_session)) -> Response:
    me = session_employee(request, session)
    if me is not None:
        audit.record(session, request, "me.signout", "employee", me.id, username=f"nip:{me.id}")
        session.commit()
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    return RedirectResponse("/me/signin", status_code=303)


@portal.get("/me/password")
def password_page(request: Request, me: CurrentEmployee = Depends(require_employee)) -> Response:
    return render(request, "me/password.html", {"me": me, "mnav": "password"})


@portal.post("/me/password")
def change_password(
    request: Request,
    new: str = Form(""),
    repeat: str = Form(""),
    me: CurrentEmployee = Depends(require_employee),
    session: Session = Depends(db_session),
) -> Response:
    context = {"me": me, "mnav": "password"}
    errors: dict[str, tuple[str, dict[str, object]]]
    if new != repeat:
        errors = {"repeat": ("me.password_differs", {})}
        return render(request, "me/password.html", {**context, "errors": errors}, status_code=400)
    now = request.app.state.settings.clock()
    try:
        account = set_password(session, request.app.state.passwords, me.id, new, now)
    except SelfServiceError as exc:
        session.rollback()
        errors = {"new": (exc.key, exc.params)}
        return render(request, "me/password.html", {**context, "errors": errors}, status_code=400)
    request.session["epoch"] = account.session_epoch  # this session stays, the others end
    audit.record(session, request, "me.password", "employee", me.id, username=f"nip:{me.id}")
    session.commit()
    return render(request, "me/password.html", {**context, "saved": True})


# --------------------------------------------------------------------------------------- own record


def _audit_view(session: Session, request: Request, me: CurrentEmployee, what: str, detail: str) -> None:
    """Every view of personal data is in the audit trail, the employee's own views included."""
    audit.record(session, request, f"me.{what}", "employee", me.id, username=f"nip:{me.id}", view=detail)
    session.commit()


@portal.get("/me")
def my_month(
    request: Request,
    year: str = "",
    month: str = "",
    me: CurrentEmployee = Depends(require_employee),
    session: Session = Depends(db_session),
) -> Response:
    today = today_of(request, me)
    year_n = _int(year, today.year, 2000, 2100)
    month_n = _int(month, today.month if year_n == today.year else 12, 1, 12)
    record = month_record(session, me.id, year_n, month_n)
    first = date(year_n, month_n, 1)
    lang = request_lang(request)
    context = {
        "me": me,
        "mnav": "month",
        "tz": ZoneInfo(me.tz),
        "record": record,
        "reasons": {d.day: explain(d.reasons, lang) for d in record.days},
        "prev": first - timedelta(days=1),
        "next": (first + timedelta(days=32)).replace(day=1),
        "today": today,
    }
    _audit_view(session, request, me, "view_month", f"{year_n}-{month_n:02d}")
    return render(request, "me/month.html", context)


@portal.get("/me/year")
def my_year(
    request: Request,
    year: str = "",
    me: CurrentEmployee = Depends(require_employee),
    session: Session = Depends(db_session),
) -> Response:
    today = today_of(request, me)
    year_n = _int(year, today.year, 2000, 2100)
    pack = active_pack(request)
    record = year_record(session, pack, me.id, year_n)
    lang = request_lang(request)
    context = {
        "me": me,
        "mnav": "year",
        "record": record,
        "pack": pack,
        "explain": lambda data: stored_reasons(data, lang),
        "training": employee_sessions(session, me.id, year_n),
        "tz": ZoneInfo(me.tz),
        "now": request.app.state.settings.clock(),
    }
    _audit_view(session, request, me, "view_year", str(year_n))
    return render(request, "me/year.html", context)


@portal.get("/me/export")
def my_data(
    request: Request,
    format: str = "json",
    me: CurrentEmployee = Depends(require_employee),
    session: Session = Depends(db_session),
) -> Response:
    if format not in ("json", "zip"):
        raise NotFound()
    now = request.app.state.settings.clock()
    data = export.collect(session, me.id, request_lang(request), now)
    _audit_view(session, request, me, "export", format)
    name = f"hadir-{me.id}-{now:%Y%m%d}"
    if format == "json":
        body, media = export.to_json(data), "application/json"
    else:
        body, media = export.to_zip(data), "application/zip"
    headers = {
        "Content-Disposition": f'attachment; filename="{quote(name)}.{format}"',
        "Cache-Control": "no-store",
    }
    return Response(body, media_type=media, headers=headers)


# ----------------------------------------------------------------------------- admin: sign-in links


@router.get("/portal")
def portal_admin(
    request: Request, _: CurrentUser = Depends(require_admin), session: Session = Depends(db_session)
) -> Response:
    return _portal_page(request, session)


def _portal_page(request: Request, session: Session, **extra: object) -> Response:
    rows = session.execute(
        select(Employee, EmployeeAccount)
        .join(EmployeeAccount, EmployeeAccount.employee_id == Employee.id)
        .order_by(Employee.name)
    ).all()
    status = int(extra.pop("status_code", 200))  # type: ignore[call-overload]
    return render(
        request, "me/portal_admin.html", {"nav": "portal", "accounts": rows, **extra}, status_code=status
    )


@router.post("/portal/link")
def new_signin_link(
    request: Request,
    employee_id: str = Form(""),
    user: CurrentUser = Depends(require_admin),
    session: Session = Depends(db_session),
) -> Response:
    employee_id = employee_id.strip()
    now = request.app.state.settings.clock()
    try:
        token = make_signin_link(session, employee_id, user.username, now)
    except SelfServiceError as exc:
        session.rollback()
        errors = {"employee_id": (exc.key, exc.params)}
        form = {"employee_id": employee_id}
        return _portal_page(request, session, errors=errors, form=form, status_code=400)
    audit.record(session, request, "me.link_created", "employee", employee_id)
    session.commit()
    employee = session.get(Employee, employee_id)
    url = str(request.base_url).rstrip("/") + f"/me/link/{token}"
    return _portal_page(request, session, link={"employee": employee, "url": url})
