"""CSV import of employees, punches and leaves: every row checked first, then all or nothing.

Columns (a header row is required; extra columns are refused so a wrong file is noticed):

- employees: ``employee_id,name,office,unit`` and optionally ``ladder`` (``asn``, ``contract``) and
  ``employed_from`` (first working day; earlier days are not evaluated). Offices that do not exist yet
  are created with the ``office_tz`` time zone.
- punches: ``employee_id,timestamp,kiosk_id`` — ISO 8601 with a UTC offset, e.g.
  ``2026-07-06T07:28:00+07:00``; ``kiosk_id`` may be empty. Importing the same file twice adds nothing.
- leaves: ``employee_id,start,end,kind`` and optionally ``portion`` (``full``, ``am``, ``pm``).
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from server.db import Database
from server.db import models as core
from server.db import models_rules as tables
from server.errors import RulesError
from server.evaluation.changes import record_excuse
from server.rules.model import PORTIONS

logger = logging.getLogger(__name__)

KINDS = ("employees", "punches", "leaves")
COLUMNS = {
    "employees": (("employee_id", "name", "office", "unit"), ("ladder", "employed_from")),
    "punches": (("employee_id", "timestamp", "kiosk_id"), ()),
    "leaves": (("employee_id", "start", "end", "kind"), ("portion",)),
}
# Punch ids for imported rows: the same row always gets the same id, so a re-import is a no-op.
IMPORT_NAMESPACE = uuid.UUID("5f0b1c8e-6a55-4c3e-9d1e-2b7f3f0e8a11")

MESSAGES = {
    "header": {
        "id": "baris 1: kolom harus {expected}, bukan {got}",
        "en": "line 1: the columns must be {expected}, not {got}",
    },
    "empty": {"id": "baris {line}: kolom {column} kosong", "en": "line {line}: {column} is empty"},
    "employee": {
        "id": "baris {line}: pegawai {value!r} tidak dikenal (impor pegawai dahulu)",
        "en": "line {line}: employee {value!r} is unknown (import employees first)",
    },
    "timestamp": {
        "id": "baris {line}: waktu {value!r} harus ISO 8601 dengan zona, mis. 2026-07-06T07:28:00+07:00",
        "en": "line {line}: timestamp {value!r} must be ISO 8601 with an offset, "
        "e.g. 2026-07-06T07:28:00+07:00",
    },
    "date": {
        "id": "baris {line}: tanggal {value!r} harus seperti 2026-07-06",
        "en": "line {line}: date {value!r} must look like 2026-07-06",
    },
    "order": {
        "id": "baris {line}: tanggal selesai sebelum tanggal mulai",
        "en": "line {line}: end is before start",
    },
    "portion": {
        "id": "baris {line}: porsi {value!r} harus full, am atau pm (am/pm hanya satu hari)",
        "en": "line {line}: portion {value!r} must be full, am or pm (am/pm for one day only)",
    },
    "duplicate": {
        "id": "baris {line}: pegawai {value!r} sudah ada di baris sebelumnya",
        "en": "line {line}: employee {value!r} already appears on an earlier line",
    },
    "columns": {"id": "baris {line}: jumlah kolom salah", "en": "line {line}: wrong number of columns"},
    "tz": {"id": "zona waktu {value!r} tidak dikenal", "en": "unknown time zone {value!r}"},
    "office": {"id": "kantor baru {value} ({tz})", "en": "new office {value} ({tz})"},
    "foreign": {
        "id": "kios yang tidak terdaftar di sini, disimpan tanpa kios: {value}",
        "en": "kiosks not registered here, stored without a kiosk: {value}",
    },
    "nothing": {
        "id": "{path}: tidak ada yang diimpor karena {count} baris salah:",
        "en": "{path}: nothing imported, {count} bad rows:",
    },
}


def message(key: str, lang: str, **params: Any) -> str:
    return MESSAGES[key][lang if lang in ("id", "en") else "id"].format(**params)


class ImportRejected(RulesError):
    """A CSV file had bad rows; nothing was imported. ``errors`` lists one message per bad row."""

    def __init__(self, path: str, errors: list[str], lang: str = "id") -> None:
        self.errors = errors
        shown = errors[:50] + ([f"... (+{len(errors) - 50})"] if len(errors) > 50 else [])
        super().__init__("\n  ".join([message("nothing", lang, path=path, count=len(errors)), *shown]))


@dataclass
class ImportResult:
    kind: str
    rows: int
    added: int
    notes: list[str] = field(default_factory=list)


def _read(path: Path, kind: str, lang: str) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    required, optional = COLUMNS[kind]
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], [message("header", lang, expected=",".join(required), got="(empty file)")]
    if header[: len(required)] != list(required) or any(h not in optional for h in header[len(required) :]):
        return [], [message("header", lang, expected=",".join(required), got=",".join(header))]
    rows, errors = [], []
    for number, values in enumerate(reader, start=2):
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(message("columns", lang, line=number))
            continue
        rows.append((number, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    return rows, errors


def _need(row: dict[str, str], column: str, line: int, lang: str, errors: list[str]) -> str | None:
    value = row.get(column, "")
    if not value:
        errors.append(message("empty", lang, line=line, column=column))
        return None
    return value


def _date(value: str, line: int, lang: str, errors: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(message("date", lang, line=line, value=value))
        return None


def import_csv(
    db: Database,
    kind: str,
    path: str | Path,
    *,
    lang: str = "id",
    office_tz: str = "Asia/Jakarta",
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ImportResult:
    """Import one CSV file of ``kind`` (employees, punches, leaves); raises :class:`ImportRejected`."""
    if kind not in KINDS:
        raise RulesError(f"import: kind must be one of {', '.join(KINDS)}")
    path = Path(path)
    try:
        rows, errors = _read(path, kind, lang)
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read ({exc})") from exc
    with db.engine.begin() as conn:
        if kind == "employees":
            result = _employees(conn, rows, errors, lang, office_tz)
        elif kind == "punches":
            result = _punches(conn, rows, errors, lang, clock())
        else:
            result = _leaves(conn, rows, errors, lang)
        if errors:
            # Leaving the block with an exception rolls the transaction back: nothing half-imported.
            raise ImportRejected(str(path), errors, lang)
    logger.info("imported %s from %s: %d rows, %d new", kind, path, result.rows, result.added)
    return result


def _employees(
    conn: Connection, rows: list[tuple[int, dict[str, str]]], errors: list[str], lang: str, office_tz: str
) -> ImportResult:
    try:
        ZoneInfo(office_tz)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(message("tz", lang, value=office_tz))
        return ImportResult("employees", 0, 0)
    offices = set(conn.execute(select(core.Office.id)).scalars())
    existing = set(conn.execute(select(core.Employee.id)).scalars())
    seen: set[str] = set()
    result = ImportResult("employees", len(rows), 0)
    for line, row in rows:
        eid, name, office = (_need(row, c, line, lang, errors) for c in ("employee_id", "name", "office"))
        if eid is None or name is None or office is None:
            continue
        if eid in seen:
            errors.append(message("duplicate", lang, line=line, value=eid))
            continue
        seen.add(eid)
        if office not in offices:
            conn.execute(insert(core.Office).values(id=office, name=office, tz=office_tz))
            offices.add(office)
            result.notes.append(message("office", lang, value=office, tz=office_tz))
        employed_from = None
        if row.get("employed_from"):
            employed_from = _date(row["employed_from"], line, lang, errors)
            if employed_from is None:
                continue
        values = {"name": name, "office_id": office, "unit": row.get("unit") or None}
        if eid in existing:
            conn.execute(update(core.Employee).where(core.Employee.id == eid).values(**values))
        else:
            conn.execute(insert(core.Employee).values(id=eid, active=True, **values))
            result.added += 1
        if row.get("ladder") or employed_from is not None:
            conn.execute(delete(tables.RuleSettings).where(tables.RuleSettings.employee_id == eid))
            conn.execute(
                insert(tables.RuleSettings).values(
                    employee_id=eid, ladder=row.get("ladder") or "asn", employed_from=employed_from
                )
            )
    return result


def _punches(
    conn: Connection, rows: list[tuple[int, dict[str, str]]], errors: list[str], lang: str, now: datetime
) -> ImportResult:
    zones = {o: ZoneInfo(tz) for o, tz in conn.execute(select(core.Office.id, core.Office.tz))}
    employees = {e: o for e, o in conn.execute(select(core.Employee.id, core.Employee.office_id))}
    kiosks = set(conn.execute(select(core.Kiosk.id)).scalars())
    result = ImportResult("punches", len(rows), 0)
    values = []
    foreign: set[str] = set()
    for line, row in rows:
        eid, stamp = (
            _need(row, "employee_id", line, lang, errors),
            _need(row, "timestamp", line, lang, errors),
        )
        if eid is None or stamp is None:
            continue
        if eid not in employees:
            errors.append(message("employee", lang, line=line, value=eid))
            continue
        try:
            at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            at = None
        if at is None or at.utcoffset() is None:
            errors.append(message("timestamp", lang, line=line, value=stamp))
            continue
        kiosk = row.get("kiosk_id") or None
        if kiosk is not None and kiosk not in kiosks:
            foreign.add(kiosk)
        at = at.astimezone(UTC)
        values.append(
            {
                "id": str(uuid.uuid5(IMPORT_NAMESPACE, f"{eid}|{at.isoformat()}|{kiosk or ''}")),
                "kiosk_id": kiosk if kiosk in kiosks else None,
                "seq": None,
                "employee_id": eid,
                "at": at,
                "local_date": at.astimezone(zones[employees[eid]]).date(),
                "clock_trusted": True,
                "corrected": False,
                "received_at": now,
                "source": core.SOURCE_IMPORT,
            }
        )
    if foreign:
        result.notes.append(
            f"kiosks not registered here, stored without a kiosk: {', '.join(sorted(foreign))}"
        )
    if errors or not values:
        return result
    module: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    for start in range(0, len(values), 5000):
        batch = values[start : start + 5000]
        known = conn.execute(
            select(func.count()).where(core.Punch.id.in_([v["id"] for v in batch]))
        ).scalar_one()
        stmt = module.insert(core.Punch).on_conflict_do_nothing(index_elements=["id"])
        conn.execute(stmt, batch)
        result.added += len(batch) - int(known)
    return result


def _leaves(
    conn: Connection, rows: list[tuple[int, dict[str, str]]], errors: list[str], lang: str
) -> ImportResult:
    employees = set(conn.execute(select(core.Employee.id)).scalars())
    result = ImportResult("leaves", len(rows), 0)
    valid = []
    for line, row in rows:
        needed = [_need(row, c, line, lang, errors) for c in ("employee_id", "start", "end", "kind")]
        if any(v is None for v in needed):
            continue
        eid, first_text, last_text, kind = (str(v) for v in needed)
        if eid not in employees:
            errors.append(message("employee", lang, line=line, value=eid))
            continue
        first, last = _date(first_text, line, lang, errors), _date(last_text, line, lang, errors)
        if first is None or last is None:
            continue
        if last < first:
            errors.append(message("order", lang, line=line))
            continue
        portion = row.get("portion") or "full"
        if portion not in PORTIONS or (portion != "full" and first != last):
            errors.append(message("portion", lang, line=line, value=portion))
            continue
        valid.append((eid, first, last, kind, portion))
    if not errors:
        for eid, first, last, kind, portion in valid:
            record_excuse(conn, eid, first, last, kind, portion, created_by="import")
            result.added += 1
    return result
