"""Employees' personal sign-in: an argon2id password, or a one-time link made by an admin.

Only the SHA-256 of a link's token is stored; a link works once, until it expires. Making a new link
or setting a password bumps the account's ``session_epoch``, which ends the employee's other sessions.

Example::

    token = make_signin_link(session, "198001012005011001", "admin", now)
    url = f"https://hadir.example/me/link/{token}"      # given to the employee
    employee_id = redeem_signin_link(session, token, now)  # once
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.db.models import Employee
from server.db.models_selfservice import EmployeeAccount, SigninLink
from server.selfservice.errors import SelfServiceError
from server.web.security import Passwords, password_problem

logger = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(days=3)


def token_digest(token: str) -> str:
    """The stored form of a sign-in link token."""
    return hashlib.sha256(token.encode()).hexdigest()


def account(session: Session, employee_id: str, now: datetime) -> EmployeeAccount:
    """The employee's account row, created on first use (the employee must exist)."""
    row = session.get(EmployeeAccount, employee_id)
    if row is None:
        if session.get(Employee, employee_id) is None:
            raise SelfServiceError("me.unknown_employee", employee=employee_id)
        row = EmployeeAccount(employee_id=employee_id, session_epoch=0, lang="id", created_at=now)
        session.add(row)
        session.flush()
    return row


def set_password(
    session: Session, passwords: Passwords, employee_id: str, password: str, now: datetime
) -> EmployeeAccount:
    """Set (or change) the employee's password; ends their other sessions."""
    problem = password_problem(password)
    if problem is not None:
        raise SelfServiceError(problem, "password")
    row = account(session, employee_id, now)
    row.password_hash = passwords.hash(password)
    row.password_set_at = now
    row.session_epoch += 1
    return row


def check_password(
    session: Session, passwords: Passwords, employee_id: str, password: str
) -> EmployeeAccount | None:
    """The account if ``password`` is right and the employee is active, else ``None`` (same timing)."""
    row = session.get(EmployeeAccount, employee_id)
    employee = session.get(Employee, employee_id)
    ok = passwords.verify(row.password_hash if row is not None else None, password)
    if row is None or not ok or employee is None or not employee.active:
        return None
    if row.password_hash and passwords.needs_rehash(row.password_hash):
        row.password_hash = passwords.hash(password)
    return row


def make_signin_link(
    session: Session, employee_id: str, created_by: str, now: datetime, lifetime: timedelta = LINK_LIFETIME
) -> str:
    """A new one-time sign-in token for an active employee (older unused links stop working)."""
    employee = session.get(Employee, employee_id)
    if employee is None or not employee.active:
        raise SelfServiceError("me.unknown_employee", employee=employee_id)
    row = account(session, employee_id, now)
    row.session_epoch += 1
    session.execute(
        update(SigninLink)
        .where(SigninLink.employee_id == employee_id, SigninLink.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        SigninLink(
            employee_id=employee_id,
            token_sha256=token_digest(token),
            created_by=created_by,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    logger.info("sign-in link made for employee %s by %s", employee_id, created_by)
    return token


def peek_signin_link(session: Session, token: str, now: datetime) -> SigninLink | None:
    """The link of ``token`` if it can still be used (nothing changes)."""
    link = session.scalar(select(SigninLink).where(SigninLink.token_sha256 == token_digest(token)))
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    employee = session.get(Employee, link.employee_id)
    if employee is None or not employee.active:
        return None
    return link


def redeem_signin_link(session: Session, token: str, now: datetime) -> EmployeeAccount | None:
    """Use a sign-in link: the employee's account, or ``None`` if the link is unknown, used or expired."""
    link = peek_signin_link(session, token, now)
    if link is None:
        return None
    link.used_at = now
    return account(session, link.employee_id, now)
