"""The rules explained (sosialisasi): a page generated from the active rule pack, in id and en.

Public on purpose: the rules are not personal data, and everybody should be able to read them before
they apply. Every number on the page comes from the pack the engine evaluates with.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from server.db.models_selfservice import CORRECTION_KINDS
from server.selfservice.rulebook import rulebook
from server.selfservice.web import active_pack, session_employee
from server.web.auth import db_session, session_user
from server.web.templating import render

portal = APIRouter()


@portal.get("/rules")
def rules_page(request: Request, session: Session = Depends(db_session)) -> Response:
    user = session_user(request, session)
    if user is not None:
        request.state.user = user
    me = session_employee(request, session)
    book = rulebook(active_pack(request))
    return render(
        request,
        "rules.html",
        {"nav": "rules", "mnav": "rules", "me": me, "book": book, "kinds": CORRECTION_KINDS},
    )
