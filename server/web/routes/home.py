"""The start page: the signed-in user lands on Today."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import RedirectResponse, Response

from server.web.auth import CurrentUser, require_user

router = APIRouter()


@router.get("/")
def home(_: CurrentUser = Depends(require_user)) -> Response:
    return RedirectResponse("/today", status_code=303)
