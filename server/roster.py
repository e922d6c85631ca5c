"""What a kiosk is told about its office in the retained config: the roster and the schedule.

:class:`RosterConfig` is the ``config`` source of :class:`server.ingest.handler.Ingest`: for a kiosk
it returns ``roster_version``, the office's ``schedule`` (from the rule pack, so the LCD's "late 12
min" uses the same hours as the rule engine) and, in ``settings``, the office name, its time zone
and the active employees (id and display name; never a template). The kiosk keeps it on disk, so it
greets people by name while offline. Each roster entry also carries ``summary`` (this month's late,
early and absent days, :mod:`server.selfservice.summary`) for the kiosk's short monthly summary.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server.db import Database
from server.db.models import Employee, Kiosk, Office
from server.db.models_templates import EmployeeTemplate
from server.selfservice.summary import monthly_summaries

DEFAULT_PACK = Path(__file__).resolve().parent / "rules" / "packs" / "asn-default.toml"


def pack_schedule(path: Path = DEFAULT_PACK) -> dict[str, Any]:
    """The weekly schedule and grace period of a rule pack, as the kiosk's roster reads them."""
    with open(path, "rb") as handle:
        pack = tomllib.load(handle)
    schedule: dict[str, Any] = dict(pack.get("schedule", {}))
    schedule["grace_minutes"] = int(pack.get("attendance", {}).get("grace_minutes", 0))
    return schedule


class RosterConfig:
    """``config(kiosk_id) -> dict`` for the kiosk's retained config message."""

    def __init__(
        self,
        db: Database,
        *,
        schedule: dict[str, Any] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.schedule = schedule if schedule is not None else pack_schedule()
        self.clock = clock

    def __call__(self, kiosk_id: str) -> dict[str, Any]:
        with self.db.session() as session:
            kiosk = session.get(Kiosk, kiosk_id)
            if kiosk is None:
                return {}
            office = session.get(Office, kiosk.office_id)
            pages = dict(
                session.execute(
                    select(EmployeeTemplate.employee_id, EmployeeTemplate.page).where(
                        EmployeeTemplate.office_id == kiosk.office_id
                    )
                ).all()
            )
            employees = session.scalars(
                select(Employee)
                .where(Employee.office_id == kiosk.office_id, Employee.active.is_(True))
                .order_by(Employee.id)
            ).all()
            today = self.clock().astimezone(ZoneInfo(office.tz if office else "Asia/Jakarta")).date()
            summaries = monthly_summaries(session, kiosk.office_id, today)
            roster = [
                {
                    "employee": e.id,
                    "name": e.name,
                    **({"page": pages[e.id]} if e.id in pages else {}),
                    **({"summary": summaries[e.id]} if e.id in summaries else {}),
                }
                for e in employees
            ]
            settings = {
                "office": office.name if office else "",
                "timezone": office.tz if office else "Asia/Jakarta",
                "roster": roster,
            }
        version = hashlib.sha256(json.dumps([settings, self.schedule], sort_keys=True).encode()).hexdigest()[
            :16
        ]
        return {"roster_version": version, "schedule": self.schedule, "settings": settings}
