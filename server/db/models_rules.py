"""Tables of the rule engine: its inputs (excuses, adjusted hours, calendar overrides, per-employee
settings), its outputs (day records, year summaries, flags, sanction proposals with their review) and
the queue of employee-days to re-evaluate (``dirty_days``).

Day-record times are POSIX seconds (``first_ts``/``last_ts``): millions of rows are written per year,
and a float is what the engine works in. Reasons are stored as codes with parameters (JSON), rendered
in Bahasa Indonesia or English by :func:`server.rules.render`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, UTCDateTime, utcnow

# Review states of a sanction proposal (the engine proposes; a person decides).
PROPOSED = "proposed"
APPROVED = "approved"
ADJUSTED = "adjusted"
DISMISSED = "dismissed"
PROPOSAL_STATES = (PROPOSED, APPROVED, ADJUSTED, DISMISSED)

# States of the counseling (pembinaan) case a flag opens.
FLAG_OPEN = "open"
FLAG_COUNSELING = "counseling"
FLAG_CLOSED = "closed"
FLAG_STATES = (FLAG_OPEN, FLAG_COUNSELING, FLAG_CLOSED)


class Excuse(Base):
    """A valid reason for absence: leave (cuti), sickness, dinas luar, izin, diklat, device failure.

    ``portion``: ``full``, ``am`` or ``pm`` (half days). Dates are inclusive, local to the office.
    """

    __tablename__ = "excuses"
    __table_args__ = (Index("ix_excuses_employee_dates", "employee_id", "start_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    employee_id: Mapped[str] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(64))
    portion: Mapped[str] = mapped_column(String(8), default="full")
    note: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AdjustedHours(Base):
    """Individual working hours with effective dates (flexible work agreed after counseling).

    ``hours``: ``{"0": ["09:00", "17:30"], "4": null, ...}`` — weekday (0 = Monday) to start/end, or
    null for a day off; weekdays not listed keep the office schedule. ``end_date`` null = open-ended.
    """

    __tablename__ = "adjusted_hours"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    employee_id: Mapped[str] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, default=None)
    hours: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CalendarOverride(Base):
    """A local calendar change: ``day_off``, ``working`` or ``holiday`` (a corrected date).

    ``office_id`` null applies to every office.
    """

    __tablename__ = "calendar_overrides"
    __table_args__ = (UniqueConstraint("office_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office_id: Mapped[str | None] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), default=None)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RuleSettings(Base):
    """Per-employee rule settings: the sanction ladder (``asn`` or a pack ladder such as ``contract``)
    and the first day of employment (days before it are not evaluated)."""

    __tablename__ = "rule_settings"

    employee_id: Mapped[str] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True)
    ladder: Mapped[str] = mapped_column(String(32), default="asn")
    employed_from: Mapped[date | None] = mapped_column(Date, default=None)


class DayRecord(Base):
    """The engine's verdict on one employee-day (see :class:`server.rules.DayRecord`)."""

    __tablename__ = "day_records"
    # One B-tree ordered by (employee, day) on SQLite: a year of records is written and read in that order.
    __table_args__ = {"sqlite_with_rowid": False}

    employee_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    working: Mapped[bool] = mapped_column(Boolean)
    schedule_start: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    schedule_end: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    schedule_source: Mapped[str | None] = mapped_column(String(16), default=None)
    first_ts: Mapped[float | None] = mapped_column(Float, default=None)
    last_ts: Mapped[float | None] = mapped_column(Float, default=None)
    punch_count: Mapped[int] = mapped_column(Integer, default=0)
    late_minutes: Mapped[int] = mapped_column(Integer, default=0)
    early_minutes: Mapped[int] = mapped_column(Integer, default=0)
    late_band: Mapped[str | None] = mapped_column(String(16), default=None)
    early_band: Mapped[str | None] = mapped_column(String(16), default=None)
    cut_percent: Mapped[float] = mapped_column(Float, default=0.0)
    unexcused: Mapped[float] = mapped_column(Float, default=0.0)
    excuse: Mapped[str | None] = mapped_column(String(64), default=None)
    excuse_portion: Mapped[str | None] = mapped_column(String(8), default=None)
    holiday: Mapped[str | None] = mapped_column(String(200), default=None)
    untrusted_punches: Mapped[int] = mapped_column(Integer, default=0)
    midnight: Mapped[float] = mapped_column(Float, default=0.0)


class YearSummary(Base):
    """The yearly ledger and reward of one employee (up to ``as_of``)."""

    __tablename__ = "year_summaries"

    employee_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    days: Mapped[dict[str, int]] = mapped_column(JSON)
    late_minutes: Mapped[int] = mapped_column(Integer)
    early_minutes: Mapped[int] = mapped_column(Integer)
    unexcused_days: Mapped[float] = mapped_column(Float)
    converted_days: Mapped[int] = mapped_column(Integer)
    total_days: Mapped[float] = mapped_column(Float)
    conversion: Mapped[bool] = mapped_column(Boolean)
    cut_percent: Mapped[float] = mapped_column(Float)
    reward_eligible: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)  # ledger/reward reasons, months, warnings
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Flag(Base):
    """A repeated-absence flag; opens a counseling (pembinaan) case for the supervisor.

    ``key`` is stable across recomputes (kind and first day). ``active`` turns False when newer data
    no longer supports the flag; a reviewed flag is kept for the record.
    """

    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("employee_id", "year", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    employee_id: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(32))
    days: Mapped[list[str]] = mapped_column(JSON)
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default=FLAG_OPEN)
    reviewer: Mapped[str | None] = mapped_column(String(64), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Proposal(Base):
    """A sanction proposal for one ladder step, and its review.

    ``status``: proposed → approved | adjusted (``adjusted_sanction`` says to what) | dismissed, with
    ``reviewer``, ``note`` and ``decided_at``. ``active`` turns False when newer data (a late punch, a
    leave entered afterwards) no longer reaches the step; a decided proposal is kept for the record.
    """

    __tablename__ = "proposals"
    __table_args__ = (UniqueConstraint("employee_id", "year", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    employee_id: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(80))
    ladder: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16))
    sanction: Mapped[str] = mapped_column(Text)
    article: Mapped[str] = mapped_column(Text)
    threshold: Mapped[int] = mapped_column(Integer)
    consecutive: Mapped[bool] = mapped_column(Boolean, default=False)
    reached_on: Mapped[date] = mapped_column(Date)
    total_days: Mapped[float] = mapped_column(Float)
    days: Mapped[list[str]] = mapped_column(JSON)
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default=PROPOSED)
    reviewer: Mapped[str | None] = mapped_column(String(64), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    adjusted_sanction: Mapped[str | None] = mapped_column(Text, default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DirtyDay(Base):
    """An employee-day whose inputs changed since it was last evaluated (the incremental queue).

    Database triggers on ``punches`` (created by the rules migration) insert a row, or bump
    ``version``, in the same transaction as every punch insert, update or delete, whoever writes it
    (kiosk ingest, import, manual correction). A recompute removes a row only if ``version`` is still
    the one it read, so a punch arriving during the recompute is never lost.
    """

    __tablename__ = "dirty_days"

    employee_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    marked_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.current_timestamp()
    )
