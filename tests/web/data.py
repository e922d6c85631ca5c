"""Seed data for web tests: offices, employees, kiosks and punches written through the ORM."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.db import Database
from server.db.models import Employee, Kiosk, Office, Punch, SeqGap

WIB = ZoneInfo("Asia/Jakarta")


def seed_core(db: Database) -> None:
    """Two offices, four employees in two units, two kiosks (one with a gap and a bad clock)."""
    with db.session() as session:
        session.add_all(
            [
                Office(id="plaju", name="Kantor Plaju", tz="Asia/Jakarta"),
                Office(id="makassar", name="Kantor Makassar", tz="Asia/Makassar"),
            ]
        )
        session.flush()
        session.add_all(
            [
                Employee(
                    id="198001012005011001", name="Budi Santoso", office_id="plaju", unit="Umum", active=True
                ),
                Employee(
                    id="198502022010012002", name="Siti Aminah", office_id="plaju", unit="Umum", active=True
                ),
                Employee(
                    id="199003032015031003",
                    name="Andi Wijaya",
                    office_id="plaju",
                    unit="Keuangan",
                    active=True,
                ),
                Employee(
                    id="197512122000121004",
                    name="Rahmat Hidayat",
                    office_id="makassar",
                    unit="Keuangan",
                    active=False,
                    left_at=datetime(2026, 6, 30, tzinfo=UTC),
                ),
            ]
        )
        now = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
        session.add_all(
            [
                Kiosk(
                    id="plaju-1",
                    office_id="plaju",
                    key="x",
                    last_seen=now - timedelta(minutes=1),
                    highest_contiguous_seq=120,
                    highest_seq=130,
                    reported_backlog=0,
                    clock_offset_ms=120,
                    clock_synced=True,
                    software_version="0.1.0",
                    online=True,
                    status_json={"templates": 42},
                ),
                Kiosk(
                    id="plaju-2",
                    office_id="plaju",
                    key="x",
                    last_seen=now - timedelta(hours=3),
                    highest_contiguous_seq=7,
                    highest_seq=7,
                    reported_backlog=15,
                    clock_offset_ms=-95_000,
                    clock_synced=False,
                    software_version="0.1.0",
                    online=True,
                ),
            ]
        )
        session.flush()
        session.add(
            SeqGap(kiosk_id="plaju-1", first_seq=121, last_seq=125, detected_at=now - timedelta(minutes=30))
        )


def punch(
    db: Database,
    employee_id: str,
    local: datetime,
    *,
    kiosk: str = "plaju-1",
    trusted: bool = True,
    corrected_from: datetime | None = None,
) -> None:
    """Add a punch at a local (office) time."""
    with db.session() as session:
        session.add(
            Punch(
                id=str(uuid.uuid4()),
                kiosk_id=kiosk,
                seq=None,
                employee_id=employee_id,
                page=1,
                score=100,
                at=local.astimezone(UTC),
                local_date=local.date(),
                clock_trusted=trusted,
                corrected=corrected_from is not None,
                original_at=corrected_from,
                boot_id="b",
                boottime_ms=1,
                received_at=local.astimezone(UTC),
                source="kiosk",
            )
        )


def at(day: date, hh: int, mm: int) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=WIB)
