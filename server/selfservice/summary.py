"""The short monthly summary a kiosk shows after a punch ("Des: 2x telat"), from stored day records.

The server puts one per employee into the kiosk's roster (``summary`` of each roster entry), so the
kiosk can show it offline too; it covers the month so far, up to the last evaluated day.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from server.db import models_rules as tables
from server.db.models import Employee
from server.rules.model import ABSENT, EARLY, LATE, LATE_EARLY


def monthly_summaries(session: Session, office_id: str, today: date) -> dict[str, dict[str, int]]:
    """Employee id → ``{"month", "late", "early", "absent"}`` (days this month) for an office's employees.

    Employees without any evaluated day this month get no entry.
    """
    first = today.replace(day=1)
    late = func.sum(case((tables.DayRecord.status.in_((LATE, LATE_EARLY)), 1), else_=0))
    early = func.sum(case((tables.DayRecord.status.in_((EARLY, LATE_EARLY)), 1), else_=0))
    absent = func.sum(case((tables.DayRecord.status == ABSENT, 1), else_=0))
    rows = session.execute(
        select(tables.DayRecord.employee_id, late, early, absent)
        .join(Employee, Employee.id == tables.DayRecord.employee_id)
        .where(Employee.office_id == office_id, tables.DayRecord.day.between(first, today))
        .group_by(tables.DayRecord.employee_id)
    )
    return {
        eid: {"month": today.month, "late": int(lt or 0), "early": int(ea or 0), "absent": int(ab or 0)}
        for eid, lt, ea, ab in rows
    }
