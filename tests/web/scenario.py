"""A year of attendance (1 January to 3 December 2026) evaluated by the real rule engine.

Siti is always on time; Budi misses five working days in November (a sanction proposal and a
consecutive-absence flag); Andi is late every Monday. Today is 4 December 2026.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from server.db import Database
from server.db.models import Punch
from server.evaluation import Evaluator
from tests.web.data import WIB, seed_core

BUDI = "198001012005011001"
SITI = "198502022010012002"
ANDI = "199003032015031003"
NOW = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
BUDI_ABSENT = {date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 9), date(2026, 11, 10)}


def _row(employee: str, day: date, hh: int, mm: int, trusted: bool = True) -> dict[str, object]:
    local = datetime(day.year, day.month, day.day, hh, mm, tzinfo=WIB)
    return {
        "id": str(uuid.uuid4()),
        "kiosk_id": "plaju-1",
        "seq": None,
        "employee_id": employee,
        "page": 1,
        "score": 90,
        "at": local.astimezone(UTC),
        "local_date": day,
        "clock_trusted": trusted,
        "corrected": False,
        "original_at": None,
        "boot_id": "b",
        "boottime_ms": 1,
        "received_at": NOW,
        "source": "kiosk",
    }


def seed_year(db: Database) -> None:
    """Seed the core data and the punches, then evaluate 2026 up to yesterday."""
    seed_core(db)
    rows: list[dict[str, object]] = []
    day = date(2026, 1, 1)
    while day < NOW.date():
        if day.weekday() < 5:
            rows += [_row(SITI, day, 7, 20), _row(SITI, day, 16, 40)]
            if day not in BUDI_ABSENT:
                rows += [_row(BUDI, day, 7, 25), _row(BUDI, day, 16, 45)]
            late = day.weekday() == 0
            rows += [_row(ANDI, day, 7, 55 if late else 10), _row(ANDI, day, 16, 35)]
        day += timedelta(days=1)
    rows.append(_row(BUDI, date(2026, 12, 1), 12, 0, trusted=False))
    with db.session() as session:
        session.execute(insert(Punch), rows)
    Evaluator(db, clock=lambda: NOW).evaluate_year(2026)
