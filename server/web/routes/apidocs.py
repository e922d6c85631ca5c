"""The API's documentation (Swagger UI) and schema, for signed-in users or token holders."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.openapi.docs import get_swagger_ui_html
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from server.web.auth import CurrentUser, db_session, require_user, session_user, token_user
from server.web.errors import SignInRequired

router = APIRouter()


@router.get("/api/docs", include_in_schema=False)
def docs(_: CurrentUser = Depends(require_user)) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/api/openapi.json", title="Hadir API")


@router.get("/api/openapi.json", include_in_schema=False)
def schema(request: Request, session: Session = Depends(db_session)) -> Response:
    if session_user(request, session) is None:
        if not request.headers.get("authorization"):
            raise SignInRequired("error.token_required")
        token_user(request, session)
    return JSONResponse(request.app.openapi())
