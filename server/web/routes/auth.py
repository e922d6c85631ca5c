"""Sign-in, sign-out and the language switch (the only routes usable without a session)."""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Form
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.db.models_web import User
from server.web import audit
from server.web.auth import db_session, session_user
from server.web.errors import WebError
from server.web.i18n import LANGS
from server.web.security import new_csrf_token
from server.web.templating import render

logger = logging.getLogger(__name__)
router = APIRouter()


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything else (another site, a scheme) becomes ``/``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def locked_out(request: Request, template: str, context: dict[str, Any], retry_after: timedelta) -> Response:
    """The sign-in page again with 429: too many failures, try again in a few minutes."""
    minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
    return render(
        request,
        template,
        {**context, "error": "signin.locked", "minutes": minutes},
        status_code=429,
        headers={"Retry-After": str(int(retry_after.total_seconds()) + 1)},
    )


@router.get("/signin")
def signin_page(request: Request, next: str = "/", session: Session = Depends(db_session)) -> Response:
    if session_user(request, session) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "signin.html", {"next": safe_next(next), "form": {}})


@router.post("/signin")
def signin(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    session: Session = Depends(db_session),
) -> Response:
    limiter = request.app.state.limiter
    ip = audit.client_ip(request)
    username = username.strip()
    context = {"next": safe_next(next), "form": {"username": username}}
    if not username or not password:
        return render(request, "signin.html", {**context, "error": "signin.missing"}, status_code=400)
    lockout = limiter.check(username, ip)
    if lockout is not None:
        audit.record(session, request, "signin.refused", "user", username, username=username)
        session.commit()
        return locked_out(request, "signin.html", context, lockout.retry_after)
    user = session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    passwords = request.app.state.passwords
    ok = passwords.verify(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        limiter.failed(username, ip)
        audit.record(session, request, "signin.failed", "user", username, username=username)
        session.commit()
        return render(request, "signin.html", {**context, "error": "signin.wrong"}, status_code=401)
    limiter.succeeded(username)
    now = request.app.state.settings.clock()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    user.last_signin_at = now
    lang = request.session.get("lang") or user.lang
    # A new session on sign-in: nothing from before (e.g. a planted token) carries over.
    request.session.clear()
    request.session.update(
        {
            "uid": user.id,
            "epoch": user.session_epoch,
            "auth_at": now.isoformat(),
            "seen_at": now.isoformat(),
            "csrf": new_csrf_token(),
            "lang": lang,
        }
    )
    audit.record(session, request, "signin", "user", user.username, username=user.username, user_id=user.id)
    session.commit()
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/signout")
def signout(request: Request, session: Session = Depends(db_session)) -> Response:
    user = session_user(request, session)
    if user is not None:
        request.state.user = user
        audit.record(session, request, "signout", "user", user.username)
        session.commit()
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    return RedirectResponse("/signin", status_code=303)


@router.post("/lang")
def set_lang(
    request: Request, lang: str = Form(...), next: str = Form("/"), session: Session = Depends(db_session)
) -> Response:
    if lang not in LANGS:
        raise WebError("error.unknown_lang")
    request.session["lang"] = lang
    user = session_user(request, session)
    if user is not None:
        row = session.get(User, user.id)
        if row is not None:
            row.lang = lang
            session.commit()
    return RedirectResponse(safe_next(next), status_code=303)
