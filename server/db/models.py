"""Core tables: offices, employees, kiosks, punches, gaps in a kiosk's sequence, rejected punches.

Times are :class:`~server.db.base.UTCDateTime` (aware UTC). A punch's ``local_date`` is the date in
its office's time zone (WIB/WITA/WIT), never the UTC date.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, UTCDateTime, utcnow

# Where a punch came from.
SOURCE_KIOSK = "kiosk"
SOURCE_IMPORT = "import"
SOURCE_MANUAL = "manual"


class Office(Base):
    """An office (a work unit's building) with its IANA time zone, e.g. ``Asia/Jakarta``."""

    __tablename__ = "offices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tz: Mapped[str] = mapped_column(String(64), default="Asia/Jakarta")


class Employee(Base):
    """An employee; ``id`` is the employee number (NIP). ``left_at`` is set when they leave."""

    __tablename__ = "employees"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), index=True)
    unit: Mapped[str | None] = mapped_column(String(200), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Kiosk(Base):
    """A provisioned kiosk and what the server last learned about it.

    ``key`` is the kiosk's HMAC signing key, encrypted with the server's secret
    (:mod:`server.keys`); HMAC needs the key itself, so it cannot be hashed. ``password_hash`` is the
    broker password in Mosquitto's PBKDF2-SHA512 format. ``highest_contiguous_seq`` is the largest
    ``n`` such that every seq 1..n has arrived; ``highest_seq`` is the largest seen at all.
    """

    __tablename__ = "kiosks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), index=True)
    key: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    highest_contiguous_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    highest_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    reported_backlog: Mapped[int | None] = mapped_column(Integer, default=None)
    clock_offset_ms: Mapped[int | None] = mapped_column(BigInteger, default=None)
    clock_synced: Mapped[bool | None] = mapped_column(Boolean, default=None)
    software_version: Mapped[str | None] = mapped_column(String(64), default=None)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    status_json: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class Punch(Base):
    """One fingerprint punch (or an imported/manual one: then ``kiosk_id``/``seq`` may be NULL).

    ``at`` is the time the server files the punch under (corrected when the kiosk clock was not synced
    but the same boot uploaded it; ``original_at`` then keeps the kiosk's wall-clock reading).
    ``clock_trusted`` is False when the time could be neither trusted nor corrected: review it.
    ``employee_id`` is deliberately not a foreign key: a punch for an employee the server no longer
    knows must still be kept, not refused.
    """

    __tablename__ = "punches"
    __table_args__ = (
        UniqueConstraint("kiosk_id", "seq"),
        Index("ix_punches_employee_day", "employee_id", "local_date"),
        Index("ix_punches_local_date", "local_date"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kiosk_id: Mapped[str | None] = mapped_column(ForeignKey("kiosks.id"), default=None)
    seq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    employee_id: Mapped[str] = mapped_column(String(64))
    page: Mapped[int | None] = mapped_column(Integer, default=None)
    score: Mapped[int | None] = mapped_column(Integer, default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    local_date: Mapped[date] = mapped_column(Date)
    clock_trusted: Mapped[bool] = mapped_column(Boolean, default=True)
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    original_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    boot_id: Mapped[str | None] = mapped_column(String(64), default=None)
    boottime_ms: Mapped[int | None] = mapped_column(BigInteger, default=None)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default=SOURCE_KIOSK)


class SeqGap(Base):
    """A run of seqs missing from a kiosk (an alarm). ``closed_at`` is set once all of it arrived."""

    __tablename__ = "seq_gaps"
    __table_args__ = (Index("ix_seq_gaps_kiosk_open", "kiosk_id", "closed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    first_seq: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class RejectedPunch(Base):
    """A punch in a correctly signed batch that could not be filed, kept verbatim for review.

    Keeping it lets the kiosk drop it from its outbox without anything being lost.
    """

    __tablename__ = "rejected_punches"
    __table_args__ = (UniqueConstraint("kiosk_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
