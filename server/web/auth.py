"""Who is asking: sessions, roles and unit scopes, as FastAPI dependencies.

Roles:

* ``admin`` — everything, every unit, user management;
* ``supervisor`` — reads, reviews, counsels and decides for their own units;
* ``viewer`` — reads their units, changes nothing.

A user's units are rows of ``web_user_units``; the unit ``*`` means every unit.

In a router::

    @router.get("/employees/{employee_id}")
    def detail(employee_id: str, user: CurrentUser = Depends(require_user), session=Depends(db_session)):
        ...
        user.ensure_covers(employee.unit)   # raises Forbidden outside the user's units

    @router.post("/proposals/{pid}/decide", dependencies=[Depends(require_writer)])
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fastapi import Depends
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request

from server.db.models_web import ApiToken, User
from server.web.errors import CsrfRejected, Forbidden, SignInRequired
from server.web.security import api_token_digest, new_csrf_token, same_token

logger = logging.getLogger(__name__)

ALL_UNITS = "*"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    VIEWER = "viewer"


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user as the request sees it. ``units`` is ``None`` for "every unit"."""

    id: int
    username: str
    name: str
    role: Role
    units: frozenset[str] | None

    @classmethod
    def from_row(cls, user: User) -> CurrentUser:
        names = frozenset(u.unit for u in user.units)
        all_units = user.role == Role.ADMIN or ALL_UNITS in names
        return cls(user.id, user.username, user.name, Role(user.role), None if all_units else names)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_write(self) -> bool:
        """Admins and supervisors review, counsel and decide; viewers only read."""
        return self.role in (Role.ADMIN, Role.SUPERVISOR)

    def covers(self, unit: str | None) -> bool:
        """Whether ``unit`` is one of the user's units."""
        return self.units is None or (unit or "") in self.units

    def ensure_covers(self, unit: str | None) -> None:
        """Raise :class:`Forbidden` unless ``unit`` is one of the user's units."""
        if not self.covers(unit):
            raise Forbidden("error.not_your_unit")

    def ensure_may_act(self, unit: str | None) -> None:
        """Raise :class:`Forbidden` unless the user may change things in ``unit``."""
        if not self.can_write:
            raise Forbidden("error.read_only")
        self.ensure_covers(unit)


def db_session(request: Request) -> Iterator[Session]:
    """A database session for one request (the handler commits what it changes)."""
    with request.app.state.db.session() as session:
        yield session


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (also for visitors not signed in)."""
    token = request.session.get("csrf")
    if not token:
        token = new_csrf_token()
        request.session["csrf"] = token
    return str(token)


async def csrf_protect(request: Request) -> None:
    """Reject any unsafe request whose form (or ``X-CSRF-Token`` header) lacks the session's token."""
    if request.method in SAFE_METHODS:
        return
    given: str | None = request.headers.get("x-csrf-token")
    if given is None:
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not same_token(request.session.get("csrf"), given):
        logger.warning("CSRF token missing or wrong on %s %s", request.method, request.url.path)
        raise CsrfRejected()


def _parse(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def session_user(request: Request, session: Session) -> CurrentUser | None:
    """The user of the session cookie, or ``None`` when absent, expired or revoked."""
    uid = request.session.get("uid")
    if uid is None:
        return None
    settings = request.app.state.settings
    now = settings.clock()
    signed_in_at = _parse(request.session.get("auth_at"))
    seen_at = _parse(request.session.get("seen_at"))
    row = session.get(User, uid)
    if (
        signed_in_at is None
        or seen_at is None
        or now - signed_in_at > settings.session_max
        or now - seen_at > settings.session_idle
        or row is None
        or not row.active
        or row.session_epoch != request.session.get("epoch")
    ):
        request.session.pop("uid", None)
        return None
    request.session["seen_at"] = now.isoformat()
    return CurrentUser.from_row(row)


def require_user(request: Request, session: Session = Depends(db_session)) -> CurrentUser:
    """The signed-in user (pages redirect to sign-in without one)."""
    user = getattr(request.state, "user", None)
    if user is None:
        user = session_user(request, session)
        if user is None:
            raise SignInRequired()
        request.state.user = user
    return user


def require_writer(user: CurrentUser = Depends(require_user)) -> CurrentUser:
    """An admin or a supervisor."""
    if not user.can_write:
        raise Forbidden("error.read_only")
    return user


def require_admin(user: CurrentUser = Depends(require_user)) -> CurrentUser:
    """An admin."""
    if not user.is_admin:
        raise Forbidden("error.admin_only")
    return user


def token_user(request: Request, session: Session = Depends(db_session)) -> CurrentUser:
    """The user of the ``Authorization: Bearer <token>`` header (JSON API)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise SignInRequired("error.token_required")
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == api_token_digest(token.strip())))
    if row is None or row.revoked_at is not None:
        raise SignInRequired("error.token_invalid")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise SignInRequired("error.token_invalid")
    row.last_used_at = request.app.state.settings.clock()
    session.commit()
    current = CurrentUser.from_row(user)
    request.state.user = current
    return current


def require_api_writer(user: CurrentUser = Depends(token_user)) -> CurrentUser:
    """An API token of an admin or a supervisor."""
    if not user.can_write:
        raise Forbidden("error.read_only")
    return user
