"""Kiosks: fleet health — online, last seen, backlog, sequence gaps (an alarm), clock, templates, version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, Depends
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from server.db.models import Kiosk, Office, SeqGap
from server.db.models_templates import EmployeeTemplate
from server.web.auth import CurrentUser, db_session, require_user
from server.web.templating import render

router = APIRouter()

# A kiosk not heard from for this long counts as offline even if its last status said online.
STALE_AFTER = timedelta(minutes=10)
# A kiosk clock further off than this (or not synced) is an alarm: its punches may land on wrong days.
CLOCK_ALARM_MS = 60_000


@dataclass(frozen=True)
class KioskHealth:
    """What the fleet page shows for one kiosk, with its alarms worked out."""

    kiosk: Kiosk
    office: str
    online: bool
    open_gaps: list[SeqGap]
    clock_alarm: bool
    templates: int | None  # as the kiosk last reported (status), when it does
    office_templates: int  # enrolled fingers the server holds for the kiosk's office

    @property
    def missing_punches(self) -> int:
        return sum(g.last_seq - g.first_seq + 1 for g in self.open_gaps)

    @property
    def alarm(self) -> bool:
        return bool(self.open_gaps) or self.clock_alarm or not self.online


def fleet(session: Session, now: datetime) -> list[KioskHealth]:
    """Every kiosk with its health, alarms first."""
    offices = dict(session.execute(select(Office.id, Office.name)).all())
    held = dict(
        session.execute(
            select(EmployeeTemplate.office_id, func.count()).group_by(EmployeeTemplate.office_id)
        ).all()
    )
    gaps: dict[str, list[SeqGap]] = {}
    for gap in session.scalars(select(SeqGap).where(SeqGap.closed_at.is_(None)).order_by(SeqGap.first_seq)):
        gaps.setdefault(gap.kiosk_id, []).append(gap)
    result = []
    for kiosk in session.scalars(select(Kiosk).order_by(Kiosk.id)):
        fresh = kiosk.last_seen is not None and now - kiosk.last_seen <= STALE_AFTER
        offset = kiosk.clock_offset_ms
        clock_alarm = kiosk.clock_synced is False or (offset is not None and abs(offset) > CLOCK_ALARM_MS)
        status = kiosk.status_json or {}
        templates = status.get("templates") if isinstance(status, dict) else None
        result.append(
            KioskHealth(
                kiosk=kiosk,
                office=offices.get(kiosk.office_id, kiosk.office_id),
                online=bool(kiosk.online) and fresh,
                open_gaps=gaps.get(kiosk.id, []),
                clock_alarm=clock_alarm,
                templates=templates if isinstance(templates, int) else None,
                office_templates=int(held.get(kiosk.office_id, 0)),
            )
        )
    result.sort(key=lambda h: (not h.alarm, h.kiosk.id))
    return result


@router.get("/kiosks")
def kiosks_page(
    request: Request, _: CurrentUser = Depends(require_user), session: Session = Depends(db_session)
) -> Response:
    now = request.app.state.settings.clock()
    health = fleet(session, now)
    summary = {
        "total": len(health),
        "online": sum(h.online for h in health),
        "gaps": sum(bool(h.open_gaps) for h in health),
        "clock": sum(h.clock_alarm for h in health),
    }
    return render(request, "kiosks.html", {"nav": "kiosks", "fleet": health, "summary": summary, "now": now})
