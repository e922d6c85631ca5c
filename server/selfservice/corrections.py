"""Correction requests: an employee asks, a supervisor approves or refuses, the record is re-evaluated.

An approval becomes rule-engine input through :mod:`server.evaluation.changes` or a punch:

- official travel (``official_travel``) → an excuse of kind ``dinas_luar``;
- the kiosk was down (``kiosk_down``) → an excuse of kind ``gangguan_perangkat`` (device failure);
- forgot to punch in/out (``forgot_in``/``forgot_out``) → a punch with ``source = 'manual'`` at the
  stated local time (marked as manual wherever punches are shown).

Both queue the affected employee-days; :func:`reevaluate` then runs the evaluator's incremental path.
The deadline and the monthly limit come from the rule pack (``[corrections]``).

Example::

    req = submit(session, pack, "1980...", CorrectionInput("forgot_out", day, day, "16:05", "lupa"), now, tz)
    decide(session, req.id, approve=True, note="ok", decided_by="supervisor", now=now)
    session.commit()
    reevaluate(db, pack, clock)
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db import Database
from server.db.models import SOURCE_MANUAL, Employee, Office, Punch
from server.db.models_selfservice import (
    APPROVED,
    CORRECTION_KINDS,
    KIOSK_DOWN,
    OFFICIAL_TRAVEL,
    PENDING,
    PUNCH_KINDS,
    REFUSED,
    WITHDRAWN,
    CorrectionRequest,
)
from server.evaluation import Evaluator, Run, mark_dirty, record_excuse
from server.rules import RulePack
from server.selfservice.errors import SelfServiceError

logger = logging.getLogger(__name__)

EXCUSE_KIND = {OFFICIAL_TRAVEL: "dinas_luar", KIOSK_DOWN: "gangguan_perangkat"}
MAX_DAYS = 31
MAX_REASON = 2000
MAX_ATTACHMENT = 2 * 1024 * 1024
# The first bytes of each accepted type: a file is what it says it is, not what its name says.
MAGIC = {"application/pdf": b"%PDF-", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


@dataclass(frozen=True)
class Attachment:
    """An uploaded file; its type is taken from its first bytes, not from its name or the browser."""

    name: str
    data: bytes

    @property
    def content_type(self) -> str | None:
        for kind, magic in MAGIC.items():
            if self.data.startswith(magic):
                return kind
        return None


@dataclass(frozen=True)
class CorrectionInput:
    """What the employee asks for (dates are the office's local dates)."""

    kind: str
    start: date
    end: date
    punch_time: str | None
    reason: str
    attachment: Attachment | None = None


def parse_time(text: str | None) -> time | None:
    """``"HH:MM"`` → time, or ``None`` if it is not a time of day."""
    if not text:
        return None
    try:
        hh, mm = text.strip().split(":")
        return time(int(hh), int(mm))
    except ValueError:
        return None


def _check_attachment(attachment: Attachment | None) -> None:
    if attachment is None:
        return
    if len(attachment.data) > MAX_ATTACHMENT:
        raise SelfServiceError(
            "corr.attachment_large", "attachment", megabytes=MAX_ATTACHMENT // (1024 * 1024)
        )
    if attachment.content_type is None:
        raise SelfServiceError("corr.attachment_type", "attachment")


def submit(
    session: Session, pack: RulePack, employee_id: str, data: CorrectionInput, now: datetime, tz: ZoneInfo
) -> CorrectionRequest:
    """Validate and store a pending request; :class:`SelfServiceError` names what is wrong."""
    rules = pack.corrections
    today = now.astimezone(tz).date()
    if data.kind not in CORRECTION_KINDS:
        raise SelfServiceError("corr.bad_kind", "kind")
    if data.end < data.start:
        raise SelfServiceError("corr.end_before_start", "end")
    if (data.end - data.start).days + 1 > MAX_DAYS:
        raise SelfServiceError("corr.too_long", "end", days=MAX_DAYS)
    if data.kind != OFFICIAL_TRAVEL and data.end > today:
        raise SelfServiceError("corr.future", "end")
    if (today - data.end).days > rules.deadline_days:
        raise SelfServiceError("corr.too_late", "start", days=rules.deadline_days)
    punch_time = None
    if data.kind in PUNCH_KINDS:
        if data.end != data.start:
            raise SelfServiceError("corr.one_day", "end")
        parsed = parse_time(data.punch_time)
        if parsed is None:
            raise SelfServiceError("corr.bad_time", "punch_time")
        punch_time = parsed.strftime("%H:%M")
    reason = data.reason.strip()
    if not reason:
        raise SelfServiceError("corr.reason_required", "reason")
    if len(reason) > MAX_REASON:
        raise SelfServiceError("corr.reason_long", "reason", chars=MAX_REASON)
    _check_attachment(data.attachment)
    if rules.monthly_limit:
        local = now.astimezone(tz)
        month_start = datetime(local.year, local.month, 1, tzinfo=tz).astimezone(UTC)
        used = session.scalar(
            select(func.count(CorrectionRequest.id)).where(
                CorrectionRequest.employee_id == employee_id,
                CorrectionRequest.submitted_at >= month_start,
                CorrectionRequest.status != WITHDRAWN,
            )
        )
        if (used or 0) >= rules.monthly_limit:
            raise SelfServiceError("corr.monthly_limit", "", limit=rules.monthly_limit)
    attachment = data.attachment
    row = CorrectionRequest(
        employee_id=employee_id,
        kind=data.kind,
        start_date=data.start,
        end_date=data.end,
        punch_time=punch_time,
        reason=reason,
        attachment_name=attachment.name[:200] if attachment else None,
        attachment_type=attachment.content_type if attachment else None,
        attachment=attachment.data if attachment else None,
        status=PENDING,
        submitted_at=now,
    )
    session.add(row)
    session.flush()
    logger.info("correction request #%d (%s) by employee %s", row.id, row.kind, employee_id)
    return row


def withdraw(session: Session, employee_id: str, request_id: int, now: datetime) -> CorrectionRequest:
    """The employee takes back a request that nobody decided yet."""
    row = session.get(CorrectionRequest, request_id)
    if row is None or row.employee_id != employee_id:
        raise SelfServiceError("corr.not_found")
    if row.status != PENDING:
        raise SelfServiceError("corr.already_decided")
    row.status = WITHDRAWN
    row.decided_at = now
    return row


def _office_tz(session: Session, employee_id: str) -> ZoneInfo:
    employee = session.get(Employee, employee_id)
    office = session.get(Office, employee.office_id) if employee else None
    return ZoneInfo(office.tz if office else "Asia/Jakarta")


def decide(
    session: Session, request_id: int, *, approve: bool, note: str, decided_by: str, now: datetime
) -> CorrectionRequest:
    """Approve (the excuse or manual punch is created, its days queued) or refuse (a note is required)."""
    row = session.get(CorrectionRequest, request_id)
    if row is None:
        raise SelfServiceError("corr.not_found")
    if row.status != PENDING:
        raise SelfServiceError("corr.already_decided")
    note = note.strip()
    if not approve and not note:
        raise SelfServiceError("corr.note_required", "note")
    row.status = APPROVED if approve else REFUSED
    row.decision_note = note or None
    row.decided_by = decided_by
    row.decided_at = now
    if not approve:
        logger.info("correction request #%d refused by %s", row.id, decided_by)
        return row
    text = f"correction #{row.id}: {row.reason}"[:1000]
    if row.kind in EXCUSE_KIND:
        row.excuse_id = record_excuse(
            session,
            row.employee_id,
            row.start_date,
            row.end_date,
            EXCUSE_KIND[row.kind],
            note=text,
            created_by=decided_by,
        )
    else:
        parsed = parse_time(row.punch_time)
        assert parsed is not None  # validated on submit
        tz = _office_tz(session, row.employee_id)
        at = datetime.combine(row.start_date, parsed, tz).astimezone(UTC)
        punch = Punch(
            id=str(uuid.uuid4()),
            kiosk_id=None,
            seq=None,
            employee_id=row.employee_id,
            at=at,
            local_date=row.start_date,
            clock_trusted=True,
            corrected=False,
            received_at=now,
            source=SOURCE_MANUAL,
        )
        session.add(punch)
        session.flush()
        row.punch_ids = [punch.id]
        # The punch triggers queue the day too; queuing here keeps it right on any schema.
        mark_dirty(session, [(row.employee_id, row.start_date)])
    logger.info("correction request #%d approved by %s", row.id, decided_by)
    return row


def affected_days(row: CorrectionRequest) -> list[date]:
    """The local dates a request corrects."""
    return [row.start_date + timedelta(days=i) for i in range((row.end_date - row.start_date).days + 1)]


def reevaluate(db: Database, pack: RulePack, clock: Callable[[], datetime]) -> Run:
    """Run the evaluator's incremental path over every queued employee-day (ours among them)."""
    return Evaluator(db, pack, clock=clock).process_dirty()
