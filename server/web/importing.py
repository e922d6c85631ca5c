"""Importing employees from a CSV file (HR exports), all or nothing.

Columns (header names in Bahasa Indonesia or English, any order; ``,`` or ``;`` separated, UTF-8):
``nip``/``id``, ``nama``/``name``, ``kantor``/``office``, ``unit`` and optionally ``aktif``/``active``
(1/0, ya/tidak, yes/no, true/false). A row with an existing NIP updates that employee.

Every row is checked before anything is written: one bad row rejects the file with the line numbers
and reasons, so a half-imported roster never happens.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import Employee, Office
from server.evaluation import employment_ended_changed

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ERRORS_SHOWN = 20

ALIASES = {
    "id": ("nip", "id", "employee_id", "nomor"),
    "name": ("nama", "name"),
    "office": ("kantor", "office", "office_id"),
    "unit": ("unit", "unit_kerja", "unit kerja"),
    "active": ("aktif", "active", "status"),
}
TRUE = {"1", "ya", "y", "yes", "true", "aktif", "active"}
FALSE = {"0", "tidak", "t", "no", "n", "false", "nonaktif", "inactive"}


@dataclass(frozen=True)
class RowError:
    """A problem in the file: ``line`` (1 = header), a catalog key and its parameters."""

    line: int
    key: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class ImportResult:
    """What an import did (or why it did nothing: ``errors`` not empty)."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    line: int
    id: str
    name: str
    office: str
    unit: str
    active: bool


def parse(data: bytes, known_offices: set[str]) -> tuple[list[Row], list[RowError]]:
    """The rows of a CSV file, or the errors that make it unusable."""
    if len(data) > MAX_BYTES:
        return [], [RowError(0, "import.too_large", {"mb": MAX_BYTES // (1024 * 1024)})]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowError(0, "import.not_utf8")]
    if not text.strip():
        return [], [RowError(0, "import.empty")]
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    columns: dict[str, int] = {}
    for name, aliases in ALIASES.items():
        for index, title in enumerate(header):
            if title in aliases:
                columns[name] = index
                break
    missing = [n for n in ("id", "name", "office") if n not in columns]
    if missing:
        return [], [
            RowError(1, "import.missing_columns", {"columns": ", ".join(ALIASES[m][0] for m in missing)})
        ]
    rows: list[Row] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue

        def cell(name: str, record: list[str] = record) -> str:
            index = columns.get(name)
            return record[index].strip() if index is not None and index < len(record) else ""

        nip, name, office, unit, active_text = (cell(n) for n in ("id", "name", "office", "unit", "active"))
        if not nip:
            errors.append(RowError(line, "import.no_id"))
        elif len(nip) > 64 or not nip.replace("-", "").replace(".", "").isalnum():
            errors.append(RowError(line, "import.bad_id", {"id": nip[:70]}))
        elif nip in seen:
            errors.append(RowError(line, "import.duplicate", {"id": nip, "first": seen[nip]}))
        if not name:
            errors.append(RowError(line, "import.no_name"))
        if office not in known_offices:
            errors.append(RowError(line, "import.unknown_office", {"office": office or "—"}))
        active = True
        if active_text:
            if active_text.lower() in TRUE:
                active = True
            elif active_text.lower() in FALSE:
                active = False
            else:
                errors.append(RowError(line, "import.bad_active", {"value": active_text[:20]}))
        seen.setdefault(nip, line)
        rows.append(Row(line, nip, name[:200], office, unit[:200], active))
    if not rows and not errors:
        errors.append(RowError(0, "import.empty"))
    return rows, errors


def import_employees(session: Session, data: bytes, now: datetime) -> ImportResult:
    """Create or update employees from CSV ``data`` (not committed). Nothing is written on any error."""
    offices = set(session.scalars(select(Office.id)))
    rows, errors = parse(data, offices)
    result = ImportResult(errors=errors)
    if errors:
        logger.info("employee import rejected: %d problems, first on line %d", len(errors), errors[0].line)
        return result
    existing = {
        e.id: e for e in session.scalars(select(Employee).where(Employee.id.in_([r.id for r in rows])))
    }
    for row in rows:
        employee = existing.get(row.id)
        if employee is None:
            session.add(
                Employee(
                    id=row.id,
                    name=row.name,
                    office_id=row.office,
                    unit=row.unit or None,
                    active=row.active,
                    created_at=now,
                )
            )
            result.created += 1
        else:
            employee.name, employee.office_id, employee.unit = row.name, row.office, row.unit or None
            if employee.active != row.active:
                before = employee.left_at
                employee.active = row.active
                employee.left_at = None if row.active else now
                # Days from the leaving date on are re-evaluated (no records, no sanctions after it).
                employment_ended_changed(session, employee.id, before, employee.left_at)
            result.updated += 1
    session.flush()
    logger.info("employee import: %d created, %d updated", result.created, result.updated)
    return result
