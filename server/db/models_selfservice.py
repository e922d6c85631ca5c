"""Tables of the employees' side: personal sign-in, correction requests and training sessions.

They share :class:`server.db.base.Base` with the other areas; the alembic revision
``0600_selfservice`` creates them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, UTCDateTime, utcnow

# Kinds of correction request.
OFFICIAL_TRAVEL = "official_travel"  # dinas luar: becomes an excuse
KIOSK_DOWN = "kiosk_down"  # the kiosk did not work: becomes a device-failure excuse
FORGOT_IN = "forgot_in"  # becomes a manual in-punch at the stated time
FORGOT_OUT = "forgot_out"  # becomes a manual out-punch at the stated time
CORRECTION_KINDS = (OFFICIAL_TRAVEL, KIOSK_DOWN, FORGOT_IN, FORGOT_OUT)
PUNCH_KINDS = (FORGOT_IN, FORGOT_OUT)

# States of a correction request.
PENDING = "pending"
APPROVED = "approved"
REFUSED = "refused"
WITHDRAWN = "withdrawn"
CORRECTION_STATES = (PENDING, APPROVED, REFUSED, WITHDRAWN)


class EmployeeAccount(Base):
    """An employee's personal sign-in to their own record (argon2id password, optional).

    ``session_epoch`` is bumped when the password changes or a new sign-in link is made: every older
    session of that employee stops working.
    """

    __tablename__ = "employee_accounts"

    employee_id: Mapped[str] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    lang: Mapped[str] = mapped_column(String(8), default="id")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_signin_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class SigninLink(Base):
    """A one-time sign-in link an admin made for an employee; only the token's SHA-256 is stored."""

    __tablename__ = "employee_signin_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    employee_id: Mapped[str] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class CorrectionRequest(Base):
    """An employee's request to correct their record, and the supervisor's decision.

    ``kind`` is one of :data:`CORRECTION_KINDS`; ``punch_time`` ("HH:MM", office local time) is set
    for the punch kinds. An approval stores what it created: ``excuse_id`` or ``punch_ids``.
    """

    __tablename__ = "correction_requests"
    __table_args__ = (Index("ix_correction_requests_status", "status", "submitted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    employee_id: Mapped[str] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    punch_time: Mapped[str | None] = mapped_column(String(5), default=None)
    reason: Mapped[str] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(200), default=None)
    attachment_type: Mapped[str | None] = mapped_column(String(100), default=None)
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)
    decision_note: Mapped[str | None] = mapped_column(Text, default=None)
    excuse_id: Mapped[int | None] = mapped_column(Integer, default=None)
    punch_ids: Mapped[list[str] | None] = mapped_column(JSON, default=None)


class TrainingSession(Base):
    """A training or socialisation session: punches at its kiosks inside its window count as attendance."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200), default="")
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    kiosks: Mapped[list[str]] = mapped_column(JSON)
    invited_employees: Mapped[list[str]] = mapped_column(JSON)
    invited_units: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TrainingFlag(Base):
    """Missed mandatory sessions reaching the rule pack's limit within a year (opens a counseling case)."""

    __tablename__ = "training_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    employee_id: Mapped[str] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    sessions: Mapped[list[int]] = mapped_column(JSON)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
