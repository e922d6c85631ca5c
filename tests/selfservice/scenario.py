"""A month of attendance in Plaju (2 November – 3 December 2026), evaluated by the real rule engine.

Everyone starts on 1 November 2026 (``employed_from``). Siti is always on time. Budi is late on
Mondays (07:50), absent without a reason on 24 and 25 November and 1 December (3 days: the first
ladder step) and forgot to punch out on 2 December. Andi (another unit) is on time. Today is
Friday 4 December 2026, 08:00 WIB.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from server.db import Database
from server.db.models import Punch
from server.evaluation import Evaluator, set_rule_settings
from tests.web.data import WIB, seed_core

BUDI = "198001012005011001"
SITI = "198502022010012002"
ANDI = "199003032015031003"
RAHMAT = "197512122000121004"
NOW = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
START = date(2026, 11, 2)
BUDI_ABSENT = {date(2026, 11, 24), date(2026, 11, 25), date(2026, 12, 1)}
BUDI_NO_OUT = date(2026, 12, 2)


def row(employee: str, day: date, hh: int, mm: int, kiosk: str = "plaju-1") -> dict[str, object]:
    local = datetime(day.year, day.month, day.day, hh, mm, tzinfo=WIB)
    return {
        "id": str(uuid.uuid4()),
        "kiosk_id": kiosk,
        "seq": None,
        "employee_id": employee,
        "page": 1,
        "score": 90,
        "at": local.astimezone(UTC),
        "local_date": day,
        "clock_trusted": True,
        "corrected": False,
        "original_at": None,
        "boot_id": "b",
        "boottime_ms": 1,
        "received_at": NOW,
        "source": "kiosk",
    }


def seed(db: Database) -> None:
    """Core data, punches, rule settings; then 2026 evaluated up to yesterday (3 December)."""
    seed_core(db)
    rows: list[dict[str, object]] = []
    day = START
    while day < NOW.date():
        if day.weekday() < 5:
            rows += [row(SITI, day, 7, 20), row(SITI, day, 16, 40)]
            rows += [row(ANDI, day, 7, 15), row(ANDI, day, 16, 35)]
            if day not in BUDI_ABSENT:
                rows.append(row(BUDI, day, 7, 50 if day.weekday() == 0 else 25))
                if day != BUDI_NO_OUT:
                    rows.append(row(BUDI, day, 16, 45))
        day += timedelta(days=1)
    with db.session() as session:
        session.execute(insert(Punch), rows)
        for eid in (BUDI, SITI, ANDI, RAHMAT):
            set_rule_settings(session, eid, employed_from=date(2026, 11, 1), year=2026)
        session.commit()
    Evaluator(db, clock=lambda: NOW).evaluate_year(2026)
