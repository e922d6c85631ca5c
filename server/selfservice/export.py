"""An employee's own data as a file (UU 27/2022 right of access): JSON, or a ZIP of CSV files.

Contents: the employee's master data, every punch, the rule engine's day records with their reasons,
the yearly summaries, flags and sanction proposals with their review, excuses, adjusted hours,
correction requests (without attachment bytes) and training attendance. Fingerprint templates are not
included: they are biometric data kept only on the sensors and encrypted in transit (the file says so).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import models_rules as tables
from server.db.models import Employee, Punch
from server.db.models_selfservice import CorrectionRequest, TrainingSession
from server.evaluation.storing import DAY_COLUMNS, reasons_from_json
from server.rules import DayRecord
from server.selfservice.record import explain
from server.selfservice.training import first_punches_of

FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rows(session: Session, model: Any, *where: Any, order: Any = None) -> list[dict[str, Any]]:
    columns = [c.key for c in model.__table__.columns if c.key != "attachment"]
    query = select(model).where(*where)
    if order is not None:
        query = query.order_by(order)
    return [{c: _plain(getattr(row, c)) for c in columns} for row in session.scalars(query)]


def collect(session: Session, employee_id: str, lang: str, now: datetime) -> dict[str, Any]:
    """Everything stored about the employee, as plain JSON-ready data."""
    employee = session.get(Employee, employee_id)
    if employee is None:
        raise LookupError(employee_id)
    days = []
    for row in session.scalars(
        select(tables.DayRecord)
        .where(tables.DayRecord.employee_id == employee_id)
        .order_by(tables.DayRecord.day)
    ):
        item = {c: _plain(getattr(row, c)) for c in DAY_COLUMNS}
        record = DayRecord(*(getattr(row, c) for c in DAY_COLUMNS))
        item["reasons"] = explain(record.reasons, lang)
        days.append(item)
    flags = _rows(session, tables.Flag, tables.Flag.employee_id == employee_id, order=tables.Flag.id)
    for f in flags:
        f["reasons"] = explain(reasons_from_json(f["reasons"]), lang)
    proposals = _rows(
        session, tables.Proposal, tables.Proposal.employee_id == employee_id, order=tables.Proposal.id
    )
    for p in proposals:
        p["reasons"] = explain(reasons_from_json(p["reasons"]), lang)
    training = []
    for ts in session.scalars(select(TrainingSession).order_by(TrainingSession.starts_at)):
        if employee_id in ts.invited_employees or (employee.unit or "") in ts.invited_units:
            at = first_punches_of(session, ts, employee_id)
            training.append(
                {
                    "session_id": ts.id,
                    "title": ts.title,
                    "starts_at": _plain(ts.starts_at),
                    "ends_at": _plain(ts.ends_at),
                    "mandatory": ts.mandatory,
                    "attended_at": _plain(at),
                }
            )
    return {
        "format": "hadir-employee-data",
        "version": FORMAT_VERSION,
        "generated_at": now.isoformat(),
        "employee": {
            "id": employee.id,
            "name": employee.name,
            "office_id": employee.office_id,
            "unit": employee.unit,
            "active": employee.active,
            "left_at": _plain(employee.left_at),
            "created_at": _plain(employee.created_at),
        },
        "fingerprint_templates": "not included: kept encrypted on the kiosks' sensors only (UU 27/2022)",
        "punches": _rows(session, Punch, Punch.employee_id == employee_id, order=Punch.at),
        "day_records": days,
        "year_summaries": _rows(
            session,
            tables.YearSummary,
            tables.YearSummary.employee_id == employee_id,
            order=tables.YearSummary.year,
        ),
        "flags": flags,
        "proposals": proposals,
        "excuses": _rows(
            session, tables.Excuse, tables.Excuse.employee_id == employee_id, order=tables.Excuse.start_date
        ),
        "adjusted_hours": _rows(
            session,
            tables.AdjustedHours,
            tables.AdjustedHours.employee_id == employee_id,
            order=tables.AdjustedHours.start_date,
        ),
        "correction_requests": _rows(
            session,
            CorrectionRequest,
            CorrectionRequest.employee_id == employee_id,
            order=CorrectionRequest.id,
        ),
        "training": training,
    }


def to_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if not rows:
        return ""
    fields = list(rows[0])
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                for k, v in row.items()
            }
        )
    return out.getvalue()


def to_zip(data: dict[str, Any]) -> bytes:
    """One CSV per list, plus ``employee.json`` and the whole thing as ``data.json``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", to_json(data))
        archive.writestr("employee.json", json.dumps(data["employee"], ensure_ascii=False, indent=2))
        for key, value in data.items():
            if isinstance(value, list):
                archive.writestr(f"{key}.csv", _csv(value))
    return buffer.getvalue()
