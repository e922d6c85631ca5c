"""Today: present / late / absent / excused per unit, live, and which kiosks are offline."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from server.web import today as board
from server.web.auth import CurrentUser, db_session, require_user
from server.web.routes.kiosks import fleet
from server.web.templating import render

router = APIRouter()


@router.get("/today")
def today_page(
    request: Request, user: CurrentUser = Depends(require_user), session: Session = Depends(db_session)
) -> Response:
    now = request.app.state.settings.clock()
    units, day = board.board(session, request.app.state.calendars, now, user)
    offline = [h for h in fleet(session, now) if not h.online]
    return render(
        request,
        "today.html",
        {
            "nav": "today",
            "units": units,
            "day": day,
            "totals": board.totals(units),
            "offline": offline,
            "now": now,
            "states": board.STATES,
        },
        headers={"Refresh": "60"},
    )
