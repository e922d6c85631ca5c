"""The web application factory.

Example::

    from server.db import connect
    from server.web.app import create_app
    from server.web.settings import WebSettings

    app = create_app(connect("sqlite:///var/hadir.sqlite3"), WebSettings.from_env())
    # uvicorn.run(app, host="127.0.0.1", port=8080)
"""

from __future__ import annotations

import importlib
import logging
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.rules import load_pack
from server.selfservice.web import EmployeeSignInRequired, employee_signin_redirect
from server.web.auth import csrf_protect
from server.web.errors import SignInRequired, WebError
from server.web.i18n import translate
from server.web.routes import API_MODULES, PAGE_MODULES, PORTAL_MODULES
from server.web.security import Passwords, SigninLimiter
from server.web.settings import WebSettings
from server.web.templating import Renderer, render, request_lang
from server.web.today import Calendars

logger = logging.getLogger(__name__)

SESSION_COOKIE = "hadir_session"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]
PAGE_CSP = (
    b"default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders:
    """Adds conservative security headers to every response (pages get a strict CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_docs = scope["path"].startswith("/api/docs")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                if not is_docs:
                    headers.append((b"content-security-policy", PAGE_CSP))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") and request.url.path != "/api/docs"


def _error_response(
    request: Request, status: int, key: str, params: dict[str, Any] | None = None
) -> Response:
    text = translate(key, request_lang(request), **(params or {}))
    if _wants_json(request):
        return JSONResponse({"error": key, "detail": text}, status_code=status)
    return render(request, "error.html", {"status": status, "message": text}, status_code=status)


async def _web_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    if isinstance(exc, SignInRequired) and not _wants_json(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
    return _error_response(request, exc.status_code, exc.message_key, exc.params)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    keys = {404: "error.not_found", 405: "error.method", 413: "error.too_large"}
    key = keys.get(exc.status_code, "error.bad_request")
    return _error_response(request, exc.status_code, key)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = sorted({".".join(str(p) for p in err.get("loc", ())[1:]) or "?" for err in exc.errors()})
    logger.info("rejected input on %s: %s", request.url.path, ", ".join(fields))
    if _wants_json(request):
        return JSONResponse({"error": "error.invalid_input", "detail": exc.errors()}, status_code=422)
    return _error_response(request, 400, "error.invalid_fields", {"fields": ", ".join(fields)})


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_response(request, 500, "error.internal")


def create_app(db: Any, settings: WebSettings) -> FastAPI:
    """The web UI and JSON API over ``db`` (a :class:`server.db.Database`).

    Nothing is read from the environment here: pass :meth:`WebSettings.from_env` for that. The app
    keeps ``db``, ``settings``, the sign-in limiter and the renderer on ``app.state``.
    """
    app = FastAPI(
        title="Hadir API",
        description="Attendance data for HR systems. Authenticate with `Authorization: Bearer <token>`.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served by server.web.routes.apidocs, behind sign-in or a token
    )
    app.state.db = db
    app.state.settings = settings
    app.state.renderer = Renderer(settings)
    app.state.pack = pack = load_pack(settings.rule_pack) if settings.rule_pack else load_pack()
    app.state.calendars = Calendars(pack)
    app.state.passwords = Passwords(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )
    app.state.limiter = SigninLimiter(
        settings.clock,
        max_failures=settings.signin_max_failures,
        max_per_ip=settings.signin_max_failures_per_ip,
        window=settings.signin_window,
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=int(settings.session_max.total_seconds()),
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(packages=[("server.web", "static")]), name="static")
    # (path, methods) of every page route; the navigation and the tests use it.
    page_routes: list[tuple[str, frozenset[str]]] = []
    for name in PAGE_MODULES:
        router = importlib.import_module(name).router
        app.include_router(router, dependencies=[Depends(csrf_protect)], include_in_schema=False)
        page_routes += [
            (r.path, frozenset(r.methods or ())) for r in router.routes if isinstance(r, APIRoute)
        ]
    for name in PORTAL_MODULES:
        portal = importlib.import_module(name).portal
        app.include_router(portal, dependencies=[Depends(csrf_protect)], include_in_schema=False)
    for name in API_MODULES:
        app.include_router(importlib.import_module(name).router)
    app.state.page_routes = page_routes
    app.state.renderer.set_routes({path for path, _ in page_routes})
    importlib.import_module("server.web.routes.whistle").install(app)  # public /lapor pages
    app.add_exception_handler(WebError, _web_error)
    app.add_exception_handler(EmployeeSignInRequired, employee_signin_redirect)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
    return app
