"""Tables of anonymous reporting (``whistle_*``).

By design no column can hold who filed a report or when exactly: there is no address, user agent,
session or account, and reporter-side dates are dates only. The receipt code is kept only as an
HMAC digest (:mod:`server.whistle.receipts`). Reviewers are not anonymous: their user id is kept on
what they write and their actions go to the audit trail.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.base import Base

STATUSES = ("new", "triaged", "investigating", "waiting", "closed")
CATEGORIES = ("attendance", "proxy_punch", "absence", "misuse", "conduct", "other")
OUTCOMES = ("substantiated", "not_substantiated", "insufficient", "referred")


class WhistleReport(Base):
    """One anonymous report and where its review stands."""

    __tablename__ = "whistle_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_digest: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(32))
    what: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(300))
    when_text: Mapped[str] = mapped_column(String(200))
    filed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    # Set in triage: which unit the report concerns (supervisors of that unit may review it).
    unit: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("web_users.id"), nullable=True)
    employee_id: Mapped[str | None] = mapped_column(ForeignKey("employees.id"), nullable=True)
    counseling_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("web_counseling_cases.id"), nullable=True
    )
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    updated_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    messages: Mapped[list[WhistleMessage]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="WhistleMessage.id"
    )
    evidence: Mapped[list[WhistleEvidence]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="WhistleEvidence.id"
    )


class WhistleMessage(Base):
    """A question of a reviewer or an answer of the reporter, shown under the receipt.

    ``author`` is ``"reviewer"`` (then ``reviewer_id`` says who) or ``"reporter"`` (never anyone).
    """

    __tablename__ = "whistle_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("whistle_reports.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(16))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("web_users.id"), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    written_on: Mapped[date] = mapped_column(Date)

    report: Mapped[WhistleReport] = relationship(back_populates="messages")


class WhistleEvidence(Base):
    """An evidence file, already stripped of metadata (:mod:`server.whistle.evidence`)."""

    __tablename__ = "whistle_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("whistle_reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)

    report: Mapped[WhistleReport] = relationship(back_populates="evidence")
