"""Core tables (placeholder until the sync branch lands)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class Office(Base):
    __tablename__ = "offices"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tz: Mapped[str] = mapped_column(String(64), default="Asia/Jakarta")


class Employee(Base):
    __tablename__ = "employees"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    unit: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Kiosk(Base):
    __tablename__ = "kiosks"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    key: Mapped[str] = mapped_column(Text, default="")
    last_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    highest_contiguous_seq: Mapped[int] = mapped_column(Integer, default=0)
    reported_backlog: Mapped[int | None] = mapped_column(Integer, nullable=True)
    clock_offset_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    clock_synced: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    software_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    status_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class Punch(Base):
    __tablename__ = "punches"
    __table_args__ = (UniqueConstraint("kiosk_id", "seq"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kiosk_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    employee_id: Mapped[str] = mapped_column(String(64), index=True)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    local_date: Mapped[date] = mapped_column(Date, index=True)
    clock_trusted: Mapped[bool] = mapped_column(Boolean, default=True)
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    original_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    boot_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    boottime_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    source: Mapped[str] = mapped_column(String(16), default="kiosk")


class SeqGap(Base):
    __tablename__ = "seq_gaps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    first_seq: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Integer)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
