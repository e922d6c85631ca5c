"""User management (admins) and the own account page: password and API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.db.models_web import ApiToken, User
from server.web import audit
from server.web.accounts import (
    AccountInputError,
    create_user,
    deactivate,
    issue_token,
    parse_units,
    set_password,
)
from server.web.auth import CurrentUser, Role, db_session, require_admin, require_user
from server.web.errors import NotFound
from server.web.templating import render

router = APIRouter()


def _users_page(request: Request, session: Session, **extra: object) -> Response:
    users = session.scalars(select(User).order_by(User.username)).all()
    status = int(extra.pop("status_code", 200))  # type: ignore[call-overload]
    return render(
        request,
        "users.html",
        {"nav": "users", "users": users, "roles": list(Role), **extra},
        status_code=status,
    )


@router.get("/users")
def users_page(
    request: Request, _: CurrentUser = Depends(require_admin), session: Session = Depends(db_session)
) -> Response:
    return _users_page(request, session)


@router.post("/users")
def add_user(
    request: Request,
    username: str = Form(""),
    name: str = Form(""),
    password: str = Form(""),
    role: str = Form(""),
    units: str = Form(""),
    _: CurrentUser = Depends(require_admin),
    session: Session = Depends(db_session),
) -> Response:
    form = {"username": username, "name": name, "role": role, "units": units}
    try:
        user = create_user(
            session,
            username=username,
            name=name,
            password=password,
            role=role,
            units=parse_units(units),
            now=request.app.state.settings.clock(),
            passwords=request.app.state.passwords,
        )
    except AccountInputError as exc:
        session.rollback()
        return _users_page(
            request, session, form=form, errors={exc.field: (exc.message_key, exc.params)}, status_code=400
        )
    audit.record(session, request, "user.create", "user", user.username, role=role, units=parse_units(units))
    session.commit()
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id}/deactivate")
def deactivate_user(
    request: Request,
    user_id: int,
    me: CurrentUser = Depends(require_admin),
    session: Session = Depends(db_session),
) -> Response:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    if user.id == me.id:
        raise AccountInputError("user", "user.not_yourself")
    deactivate(user)
    audit.record(session, request, "user.deactivate", "user", user.username)
    session.commit()
    return RedirectResponse("/users", status_code=303)


def _account_page(request: Request, session: Session, me: CurrentUser, **extra: object) -> Response:
    tokens = session.scalars(select(ApiToken).where(ApiToken.user_id == me.id).order_by(ApiToken.id)).all()
    status = int(extra.pop("status_code", 200))  # type: ignore[call-overload]
    return render(request, "account.html", {"nav": "account", "tokens": tokens, **extra}, status_code=status)


@router.get("/account")
def account(
    request: Request, me: CurrentUser = Depends(require_user), session: Session = Depends(db_session)
) -> Response:
    return _account_page(request, session, me)


@router.post("/account/password")
def change_password(
    request: Request,
    current: str = Form(""),
    new: str = Form(""),
    me: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    user = session.get(User, me.id)
    assert user is not None
    if not request.app.state.passwords.verify(user.password_hash, current):
        return _account_page(
            request, session, me, errors={"current": ("account.wrong_current", {})}, status_code=400
        )
    try:
        set_password(user, new, request.app.state.passwords)
    except AccountInputError as exc:
        return _account_page(
            request, session, me, errors={"new": (exc.message_key, exc.params)}, status_code=400
        )
    audit.record(session, request, "user.password", "user", user.username)
    session.commit()
    # The epoch moved on, so this session ended too: sign in again with the new password.
    request.session.clear()
    return RedirectResponse("/signin", status_code=303)


@router.post("/account/tokens")
def new_token(
    request: Request,
    name: str = Form(""),
    me: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    user = session.get(User, me.id)
    assert user is not None
    try:
        token = issue_token(session, user, name, request.app.state.settings.clock())
    except AccountInputError as exc:
        session.rollback()
        return _account_page(
            request, session, me, errors={"token": (exc.message_key, exc.params)}, status_code=400
        )
    audit.record(session, request, "token.create", "user", user.username, name=name.strip())
    session.commit()
    return _account_page(request, session, me, new_token=token)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    token_id: int,
    me: CurrentUser = Depends(require_user),
    session: Session = Depends(db_session),
) -> Response:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != me.id:
        raise NotFound()
    if row.revoked_at is None:
        row.revoked_at = request.app.state.settings.clock()
        audit.record(session, request, "token.revoke", "user", me.username, name=row.name)
        session.commit()
    return RedirectResponse("/account", status_code=303)
