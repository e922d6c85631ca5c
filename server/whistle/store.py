"""Reading and writing anonymous reports. The caller owns the session and commits."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models_whistle import WhistleEvidence, WhistleMessage, WhistleReport
from server.whistle.evidence import Evidence
from server.whistle.receipts import digest, new_code

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewReport:
    """What a reporter typed (already validated and trimmed)."""

    category: str
    what: str
    place: str
    when_text: str


def file_report(
    session: Session, key: bytes, report: NewReport, today: date, evidence: Evidence | None
) -> tuple[WhistleReport, str]:
    """Store a report filed ``today`` and return it with its new receipt code (shown once)."""
    code = new_code()
    stored = digest(key, code)
    assert stored is not None
    row = WhistleReport(
        receipt_digest=stored,
        category=report.category,
        what=report.what,
        place=report.place,
        when_text=report.when_text,
        filed_on=today,
        status="new",
        outcome_note="",
        updated_on=today,
    )
    if evidence is not None:
        row.evidence.append(WhistleEvidence(kind=evidence.kind, data=evidence.data, size=len(evidence.data)))
    session.add(row)
    session.flush()
    # Only the report number: nothing about the reporter exists to be logged.
    logger.info("anonymous report %d filed (%s)", row.id, row.category)
    return row, code


def find_by_code(session: Session, key: bytes, code: str) -> WhistleReport | None:
    """The report of a receipt code, or ``None`` (unknown code, or not a code at all)."""
    stored = digest(key, code)
    if stored is None:
        return None
    return session.scalar(select(WhistleReport).where(WhistleReport.receipt_digest == stored))


def add_answer(session: Session, report: WhistleReport, body: str, today: date) -> WhistleMessage:
    """The reporter's answer; a report that waited for it goes back to investigation."""
    message = WhistleMessage(author="reporter", reviewer_id=None, body=body, written_on=today)
    report.messages.append(message)
    if report.status == "waiting":
        report.status = "investigating"
    report.updated_on = today
    session.flush()
    logger.info("anonymous report %d: the reporter answered", report.id)
    return message


def add_question(
    session: Session, report: WhistleReport, reviewer_id: int, body: str, today: date
) -> WhistleMessage:
    """A reviewer's question, shown under the receipt; the report now waits for the reporter."""
    message = WhistleMessage(author="reviewer", reviewer_id=reviewer_id, body=body, written_on=today)
    report.messages.append(message)
    report.status = "waiting"
    report.updated_on = today
    session.flush()
    return message
