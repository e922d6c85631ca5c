"""Tables of the admin web UI: users, their units, API tokens, the audit trail, counseling, rewards.

They share :class:`server.db.base.Base` with the core and rule-engine tables; the alembic revision
``web_0001`` creates them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.base import Base, UTCDateTime


class User(Base):
    """A person who signs in to the web UI. ``role`` is admin, supervisor or viewer."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or deactivation: every older session cookie stops working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    lang: Mapped[str] = mapped_column(String(8), default="id")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_signin_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    units: Mapped[list[UserUnit]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class UserUnit(Base):
    """A unit (``employees.unit``) a supervisor or viewer is responsible for."""

    __tablename__ = "web_user_units"

    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(200), primary_key=True)

    user: Mapped[User] = relationship(back_populates="units")


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored. It acts with its user's rights."""

    __tablename__ = "web_api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AuditEvent(Base):
    """One line of the audit trail: who did or viewed what, when (UU 27/2022 Pasal 31)."""

    __tablename__ = "web_audit_events"
    __table_args__ = (
        Index("ix_web_audit_subject", "subject_type", "subject_id"),
        Index("ix_web_audit_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32), default="")
    subject_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")


class CounselingCase(Base):
    """A supervisor's examination of an employee (PP 94/2021 Pasal 26) before any sanction."""

    __tablename__ = "web_counseling_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[str] = mapped_column(ForeignKey("employees.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    flag_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The adjusted_hours row created from the agreed action (rule engine input), if any.
    adjusted_hours_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_by: Mapped[int] = mapped_column(ForeignKey("web_users.id"))
    counseled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    cause: Mapped[str] = mapped_column(Text, default="")
    agreed_action: Mapped[str] = mapped_column(Text, default="")
    # Agreed adjusted hours (e.g. "08:00"-"16:30") with their effective dates.
    adjusted_start: Mapped[str | None] = mapped_column(String(5), nullable=True)
    adjusted_end: Mapped[str | None] = mapped_column(String(5), nullable=True)
    adjusted_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    adjusted_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    follow_up_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    outcome: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    notes: Mapped[list[CounselingNote]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CounselingNote.at"
    )


class CounselingNote(Base):
    """A dated note in a counseling case."""

    __tablename__ = "web_counseling_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("web_counseling_cases.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    author_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)

    case: Mapped[CounselingCase] = relationship(back_populates="notes")


class RewardConfirmation(Base):
    """A person's confirmation of a reward the engine found an employee eligible for."""

    __tablename__ = "web_reward_confirmations"
    __table_args__ = (UniqueConstraint("employee_id", "year", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[str] = mapped_column(ForeignKey("employees.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[str] = mapped_column(Text, default="")
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_by: Mapped[int] = mapped_column(ForeignKey("web_users.id"))
    certificate_no: Mapped[str] = mapped_column(String(64), unique=True)
