"""The start page: the signed-in user lands on the first area of the menu (Today when present)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.web.auth import CurrentUser, require_user

router = APIRouter()


@router.get("/")
def home(request: Request, user: CurrentUser = Depends(require_user)) -> Response:
    items = [
        path
        for _, path, _, admin_only in request.app.state.renderer.nav_items
        if user.is_admin or not admin_only
    ]
    return RedirectResponse(items[0] if items else "/account", status_code=303)
