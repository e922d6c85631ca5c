"""Fingerprint templates held by the server for distribution to an office's kiosks.

A template is biometric data (UU 27/2022). It is stored only sealed (AES-GCM under the server's
at-rest key, see :mod:`server.templates`), never in clear, and its row is deleted when the employee
leaves -- the kiosks of the office are told to delete it from their sensors at the same time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, UTCDateTime, utcnow


class EmployeeTemplate(Base):
    """One employee's enrolled finger, sealed; ``page`` is where the enrolling kiosk stored it."""

    __tablename__ = "employee_templates"

    employee_id: Mapped[str] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), index=True)
    page: Mapped[int] = mapped_column(Integer)
    sealed: Mapped[str] = mapped_column(Text)
    source_kiosk: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
