"""Creating and changing web users and API tokens; shared by the pages and ``hadir-server users``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.models_web import ApiToken, User, UserUnit
from server.web.auth import ALL_UNITS, Role
from server.web.errors import WebError
from server.web.security import Passwords, api_token_digest, new_api_token, password_problem

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class AccountInputError(WebError):
    """A field of a new user or password is invalid; ``field`` names it."""

    def __init__(self, field: str, message_key: str, **params: object) -> None:
        super().__init__(message_key, **params)
        self.field = field


def create_user(
    session: Session,
    *,
    username: str,
    name: str,
    password: str,
    role: str,
    units: Iterable[str] = (),
    now: datetime,
    passwords: Passwords,
) -> User:
    """Add a user (not committed). Raises :class:`AccountInputError` naming the bad field.

    Supervisors need at least one unit (``*`` for all); admins see every unit anyway.
    """
    username = username.strip().lower()
    name = name.strip()
    unit_list = sorted({u.strip() for u in units if u.strip()})
    if not USERNAME_RE.match(username):
        raise AccountInputError("username", "user.bad_username")
    if session.scalar(select(func.count()).select_from(User).where(User.username == username)):
        raise AccountInputError("username", "user.taken", username=username)
    if not name:
        raise AccountInputError("name", "user.name_required")
    if role not in {r.value for r in Role}:
        raise AccountInputError("role", "user.bad_role")
    problem = password_problem(password)
    if problem:
        raise AccountInputError("password", problem)
    if role == Role.SUPERVISOR and not unit_list:
        raise AccountInputError("units", "user.units_required")
    user = User(
        username=username,
        name=name,
        password_hash=passwords.hash(password),
        role=role,
        active=True,
        session_epoch=0,
        lang="id",
        created_at=now,
    )
    user.units = [UserUnit(unit=u) for u in ([] if role == Role.ADMIN else unit_list)]
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str, passwords: Passwords) -> None:
    """Change a password and end every session of the user. Raises :class:`AccountInputError`."""
    problem = password_problem(password)
    if problem:
        raise AccountInputError("password", problem)
    user.password_hash = passwords.hash(password)
    user.session_epoch += 1


def deactivate(user: User) -> None:
    """Stop a user from signing in and end their sessions; their history stays."""
    user.active = False
    user.session_epoch += 1


def issue_token(session: Session, user: User, name: str, now: datetime) -> str:
    """Create an API token for ``user``; returns the token, which is shown once and not stored."""
    name = name.strip()
    if not name:
        raise AccountInputError("name", "token.name_required")
    token = new_api_token()
    session.add(
        ApiToken(user_id=user.id, name=name[:100], token_sha256=api_token_digest(token), created_at=now)
    )
    session.flush()
    return token


def parse_units(text: str) -> list[str]:
    """Units typed one per line or comma-separated."""
    return [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]


__all__ = [
    "ALL_UNITS",
    "AccountInputError",
    "create_user",
    "deactivate",
    "issue_token",
    "parse_units",
    "set_password",
]
