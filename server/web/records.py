"""The rule engine's stored verdicts, shaped for pages: year heatmaps, day records, leave, hours."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import models_rules as tables
from server.evaluation.storing import load_days, reasons_from_json
from server.rules import DayRecord, Reason, render

logger = logging.getLogger(__name__)

# Day status → heatmap colour class (see static/style.css).
STATUS_CLASS = {
    "present": "s-present",
    "late": "s-late",
    "early": "s-early",
    "late_early": "s-late",
    "missing_in": "s-incomplete",
    "missing_out": "s-incomplete",
    "absent": "s-absent",
    "excused": "s-excused",
    "holiday": "s-holiday",
    "weekend": "s-weekend",
}
LEGEND = ("present", "late", "early", "missing_out", "absent", "excused", "holiday", "weekend")
LEAVE_KINDS = (
    "cuti_tahunan",
    "sakit",
    "dinas_luar",
    "izin",
    "diklat",
    "cuti_besar",
    "cuti_melahirkan",
    "cuti_alasan_penting",
    "tugas_belajar",
    "gangguan_perangkat",
)


@dataclass(frozen=True)
class Cell:
    """One square of the year heatmap (``day`` None for the padding before 1 January)."""

    day: date | None
    css: str
    status: str


def year_statuses(session: Session, employee_id: str, year: int) -> dict[date, str]:
    """The stored status of each evaluated day of ``year``."""
    rows = session.execute(
        select(tables.DayRecord.day, tables.DayRecord.status).where(
            tables.DayRecord.employee_id == employee_id,
            tables.DayRecord.day.between(date(year, 1, 1), date(year, 12, 31)),
        )
    )
    return {day: status for day, status in rows}


def heatmap(year: int, statuses: dict[date, str], today: date) -> list[Cell]:
    """Cells for a 7-row grid (Monday on top), one column per week, 1 January to 31 December."""
    first = date(year, 1, 1)
    cells = [Cell(None, "pad", "") for _ in range(first.weekday())]
    day = first
    while day.year == year:
        status = statuses.get(day)
        if status is not None:
            css = STATUS_CLASS.get(status, "s-none")
        elif day > today:
            css, status = "s-future", ""
        else:
            css, status = "s-none", ""
        cells.append(Cell(day, css, status))
        day += timedelta(days=1)
    return cells


def status_counts(statuses: dict[date, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    return counts


def day_records(session: Session, employee_id: str, first: date, last: date) -> list[DayRecord]:
    """Stored day records (with their reasons) of one employee between two dates."""
    return load_days(session.connection(), employee_id, first, last)


def explain(reasons: tuple[Reason, ...] | list[Reason], lang: str) -> list[str]:
    """Reasons rendered in ``lang`` (a code this engine version does not know is shown as the code)."""
    out = []
    for r in reasons:
        try:
            out.append(render(r, lang))
        except (KeyError, IndexError, ValueError):
            logger.warning("cannot render reason %s", r.code)
            out.append(r.code)
    return out


def explain_json(data: list[object] | None, lang: str) -> list[str]:
    """Stored (JSON) reasons rendered in ``lang``."""
    return explain(reasons_from_json(data or []), lang)


def leaves(session: Session, employee_id: str, year: int) -> list[tables.Excuse]:
    """Excuses (leave, sickness, travel …) touching ``year``."""
    return list(
        session.scalars(
            select(tables.Excuse)
            .where(
                tables.Excuse.employee_id == employee_id,
                tables.Excuse.end_date >= date(year, 1, 1),
                tables.Excuse.start_date <= date(year, 12, 31),
            )
            .order_by(tables.Excuse.start_date)
        )
    )


def adjusted_hours(session: Session, employee_id: str) -> list[tables.AdjustedHours]:
    """Every individual schedule of the employee, newest first."""
    return list(
        session.scalars(
            select(tables.AdjustedHours)
            .where(tables.AdjustedHours.employee_id == employee_id)
            .order_by(tables.AdjustedHours.start_date.desc())
        )
    )


def year_summary(session: Session, employee_id: str, year: int) -> tables.YearSummary | None:
    return session.get(tables.YearSummary, (employee_id, year))
