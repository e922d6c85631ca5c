"""Reports: the monthly recap per unit (rekap absensi) and the yearly ledger, as rows and as files.

The recap is aggregated in SQL from the stored day records, so a month of 10,000 employees is one
query. Files: CSV (UTF-8 with BOM so spreadsheet programs read the accents) and XLSX (openpyxl, one
sheet per unit).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from server.db import models_rules as tables
from server.db.models import Employee
from server.web.auth import CurrentUser
from server.web.i18n import Translator
from server.web.scope import in_scope

RECAP_COLUMNS = (
    "nip",
    "name",
    "unit",
    "working",
    "present",
    "late",
    "late_minutes",
    "early",
    "early_minutes",
    "missing",
    "absent",
    "excused",
    "cut_percent",
)
LEDGER_COLUMNS = (
    "nip",
    "name",
    "unit",
    "as_of",
    "unexcused",
    "late_minutes",
    "early_minutes",
    "converted",
    "total",
    "cut_percent",
    "reward",
)


@dataclass(frozen=True)
class RecapRow:
    nip: str
    name: str
    unit: str
    working: int
    present: int
    late: int
    late_minutes: int
    early: int
    early_minutes: int
    missing: int
    absent: float
    excused: int
    cut_percent: float

    def values(self) -> list[object]:
        return [getattr(self, c) for c in RECAP_COLUMNS]


def recap(
    session: Session, user: CurrentUser, year: int, month: int, unit: str | None = None
) -> list[RecapRow]:
    """One row per employee of the user's units (or ``unit``) for a month, ordered by unit and name."""
    first = date(year, month, 1)
    last = date(year + (month == 12), month % 12 + 1, 1)
    d = tables.DayRecord
    working = d.working.is_(True)

    def count(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    query = (
        select(
            Employee.id,
            Employee.name,
            Employee.unit,
            count(working),
            count(d.status == "present"),
            count(d.late_minutes > 0),
            func.sum(d.late_minutes),
            count(d.early_minutes > 0),
            func.sum(d.early_minutes),
            count(d.status.in_(("missing_in", "missing_out"))),
            func.sum(d.unexcused),
            count(d.status == "excused"),
            func.sum(d.cut_percent),
        )
        .join(d, d.employee_id == Employee.id)
        .where(d.day >= first, d.day < last)
        .group_by(Employee.id, Employee.name, Employee.unit)
        .order_by(Employee.unit, Employee.name, Employee.id)
    )
    query = in_scope(query, user)
    if unit:
        query = query.where(Employee.unit == unit)
    rows = []
    for nip, name, unit_name, *numbers in session.execute(query):
        w, p, lt, ltm, er, erm, mi, ab, ex, cut = (n or 0 for n in numbers)
        rows.append(
            RecapRow(
                nip,
                name,
                unit_name or "",
                int(w),
                int(p),
                int(lt),
                int(ltm),
                int(er),
                int(erm),
                int(mi),
                float(ab),
                int(ex),
                round(float(cut), 2),
            )
        )
    return rows


def unit_sizes(session: Session, user: CurrentUser) -> list[tuple[str, int]]:
    """The user's units with their number of active employees."""
    query = in_scope(
        select(Employee.unit, func.count()).where(Employee.active.is_(True)).group_by(Employee.unit), user
    ).order_by(Employee.unit)
    return [(unit or "", int(n)) for unit, n in session.execute(query)]


def ledger(session: Session, user: CurrentUser, year: int, unit: str | None = None) -> list[list[object]]:
    """The yearly ledger: one row per evaluated employee of the user's units."""
    y = tables.YearSummary
    query = in_scope(
        select(
            Employee.id,
            Employee.name,
            Employee.unit,
            y.as_of,
            y.unexcused_days,
            y.late_minutes,
            y.early_minutes,
            y.converted_days,
            y.total_days,
            y.cut_percent,
            y.reward_eligible,
        )
        .join(y, y.employee_id == Employee.id)
        .where(y.year == year)
        .order_by(Employee.unit, Employee.name, Employee.id),
        user,
    )
    if unit:
        query = query.where(Employee.unit == unit)
    return [[*row[:2], row[2] or "", *row[3:]] for row in session.execute(query)]


def headers(columns: tuple[str, ...], t: Translator) -> list[str]:
    return [t(f"report.col_{c}") for c in columns]


def to_csv(columns: tuple[str, ...], rows: list[list[object]], t: Translator) -> bytes:
    """CSV text (semicolon separated, as Indonesian spreadsheet settings expect) with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers(columns, t))
    for row in rows:
        writer.writerow(
            [
                "" if v is None else (t("report.yes") if v is True else t("report.no") if v is False else v)
                for v in row
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def recap_xlsx(rows: list[RecapRow], title: str, t: Translator) -> bytes:
    """An XLSX workbook: one sheet per unit, a title line, bold headers, frozen header row."""
    book = Workbook()
    book.remove(book.active)
    by_unit: dict[str, list[RecapRow]] = {}
    for row in rows:
        by_unit.setdefault(row.unit, []).append(row)
    if not by_unit:
        by_unit[""] = []
    used: set[str] = set()
    for unit, unit_rows in by_unit.items():
        name = _sheet_name(unit or "-", used)
        sheet = book.create_sheet(name)
        sheet.append([f"{title} — {unit or '-'}"])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(headers(RECAP_COLUMNS, t))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in unit_rows:
            sheet.append(row.values())
        sheet.freeze_panes = "A3"
        sheet.column_dimensions["A"].width = 22
        sheet.column_dimensions["B"].width = 30
        sheet.column_dimensions["C"].width = 20
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(unit: str, used: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in unit)[:28] or "-"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:25]}~{n}", n + 1
    used.add(name)
    return name
