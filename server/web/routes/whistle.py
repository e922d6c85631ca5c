"""Public pages of anonymous reporting (``/lapor``): file a report, check it, answer questions.

These pages work without sign-in and without any cookie. :func:`install` puts them in front of the
app together with :class:`server.whistle.privacy.AnonymousPaths` (no address, user agent or cookie
reaches the app; no cookie leaves it) and the access-log filter. The proof-of-work token of each
form is the form's one-time token, so no session is needed against forged posts. The receipt code
travels only in POST bodies, never in a URL. The reviewers' pages are in
:mod:`server.web.routes.whistle_review`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from server.db.models_whistle import CATEGORIES, WhistleReport
from server.web.i18n import Translator, normalise_lang
from server.whistle import store
from server.whistle.errors import ChallengeFailed, EvidenceRejected
from server.whistle.evidence import Evidence, clean
from server.whistle.privacy import AnonymousPaths, install_log_filter
from server.whistle.service import Whistle, WhistleSettings

logger = logging.getLogger(__name__)
router = APIRouter()
PREFIX = "/lapor"


def install(app: FastAPI, settings: WhistleSettings | None = None) -> None:
    """Add the public report pages, their privacy guard and the access-log filter to ``app``."""
    chosen = settings or WhistleSettings()
    web = app.state.settings
    app.state.whistle = Whistle(chosen, secret_key=web.secret_key, clock=web.clock)
    app.include_router(router, include_in_schema=False)
    app.add_middleware(AnonymousPaths, prefixes=[PREFIX], max_body=chosen.max_body_bytes)
    install_log_filter([PREFIX])


def _whistle(request: Request) -> Whistle:
    whistle: Whistle = request.app.state.whistle
    return whistle


def page(
    request: Request, name: str, lang: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render a public page. Unlike the signed-in pages this never touches the session."""
    settings = request.app.state.settings
    env = request.app.state.renderer.env
    full = {
        "_": Translator(lang, settings.tz),
        "lang": lang,
        "settings": settings,
        "limits": _whistle(request).settings,
        "categories": CATEGORIES,
        "errors": {},
        "form": {},
        **context,
    }
    return HTMLResponse(env.get_template(name).render(full), status_code=status_code)


def _lang(value: object, request: Request) -> str:
    return normalise_lang(
        value if isinstance(value, str) and value else request.app.state.settings.default_lang
    )


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _today(request: Request) -> Any:
    whistle = _whistle(request)
    return whistle.clock().astimezone(request.app.state.settings.tz).date()


def _form_page(request: Request, lang: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    token = _whistle(request).challenges.issue()
    return page(
        request,
        "whistle/report_form.html",
        lang,
        {"token": token, "bits": _whistle(request).settings.pow_bits, **context},
        status_code=status_code,
    )


@router.get(PREFIX)
def report_form(request: Request, lang: str = "") -> Response:
    return _form_page(request, _lang(lang, request))


def _validate(
    form: FormData, limits: WhistleSettings
) -> tuple[store.NewReport, dict[str, tuple[str, dict[str, Any]]]]:
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    category = _text(form, "category")
    if category not in CATEGORIES:
        errors["category"] = ("whistle.error.category", {})
    fields = (
        ("what", limits.max_what_chars, "whistle.error.what"),
        ("place", limits.max_place_chars, "whistle.error.place"),
        ("when", limits.max_when_chars, "whistle.error.when"),
    )
    values: dict[str, str] = {}
    for name, limit, missing in fields:
        value = _text(form, name)
        if not value:
            errors[name] = (missing, {})
        elif len(value) > limit:
            errors[name] = ("whistle.error.too_long", {"limit": limit})
        values[name] = value
    return store.NewReport(category, values["what"], values["place"], values["when"]), errors


async def _evidence(form: FormData, limits: WhistleSettings) -> Evidence | None:
    upload = form.get("evidence")
    if not isinstance(upload, UploadFile):
        return None
    data = await upload.read(limits.max_evidence_bytes + 1)
    if not data:
        return None
    return clean(data, max_bytes=limits.max_evidence_bytes)


@router.post(PREFIX)
async def file_report(request: Request) -> Response:
    whistle = _whistle(request)
    limits = whistle.settings
    async with request.form(max_files=1, max_fields=20) as form:
        lang = _lang(form.get("lang"), request)
        report, errors = _validate(form, limits)
        keep = {
            "category": report.category,
            "what": report.what,
            "place": report.place,
            "when": report.when_text,
        }
        if errors:
            return _form_page(request, lang, 400, errors=errors, form=keep)
        try:
            proved = whistle.challenges.check(_text(form, "pow_token"), _text(form, "pow_nonce"))
        except ChallengeFailed as exc:
            return _form_page(request, lang, 400, problem=(exc.message_key, exc.params), form=keep)
        if not whistle.reports.allow() or (not proved and not whistle.reports_without_js.allow()):
            logger.warning("anonymous report refused: the hourly limit of reports is reached")
            return _form_page(request, lang, 429, problem=("whistle.error.busy", {}), form=keep)
        try:
            evidence = await _evidence(form, limits)
        except EvidenceRejected as exc:
            errors["evidence"] = (exc.message_key, exc.params)
            return _form_page(request, lang, 400, errors=errors, form=keep)
    session: Session
    with request.app.state.db.session() as session:
        row, code = store.file_report(session, whistle.receipt_key, report, _today(request), evidence)
        session.commit()
    return page(request, "whistle/receipt.html", lang, {"code": code})


@router.get(PREFIX + "/cek")
def check_form(request: Request, lang: str = "") -> Response:
    return page(request, "whistle/check_form.html", _lang(lang, request), {})


def _status_page(
    request: Request, lang: str, report: WhistleReport, code: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return page(
        request,
        "whistle/status.html",
        lang,
        {
            "report": report,
            "code": code,
            "token": _whistle(request).challenges.issue(),
            "bits": _whistle(request).settings.pow_bits,
            **context,
        },
        status_code=status_code,
    )


def _lookup(request: Request, session: Session, code: str) -> tuple[WhistleReport | None, str | None]:
    """The report of ``code`` within the limits, else ``None`` and the reason's catalog key."""
    whistle = _whistle(request)
    if whistle.failed_checks.retry_after() is not None:
        return None, "whistle.error.busy"
    report = store.find_by_code(session, whistle.receipt_key, code)
    if report is None:
        whistle.failed_checks.allow()
        return None, "whistle.error.unknown_code"
    if not whistle.checks.allow(report.receipt_digest):
        return None, "whistle.error.too_many_checks"
    return report, None


@router.post(PREFIX + "/cek")
async def check(request: Request) -> Response:
    async with request.form(max_files=0, max_fields=5) as form:
        lang = _lang(form.get("lang"), request)
        code = _text(form, "code")[:100]
    with request.app.state.db.session() as session:
        report, problem = _lookup(request, session, code)
        if report is None:
            status = 429 if problem in ("whistle.error.busy", "whistle.error.too_many_checks") else 404
            return page(
                request, "whistle/check_form.html", lang, {"problem": (problem, {})}, status_code=status
            )
        return _status_page(request, lang, report, code)


@router.post(PREFIX + "/jawab")
async def answer(request: Request) -> Response:
    whistle = _whistle(request)
    async with request.form(max_files=0, max_fields=8) as form:
        lang = _lang(form.get("lang"), request)
        code = _text(form, "code")[:100]
        body = _text(form, "body")
        token, nonce = _text(form, "pow_token"), _text(form, "pow_nonce")
    with request.app.state.db.session() as session:
        report, problem = _lookup(request, session, code)
        if report is None:
            status = 429 if problem in ("whistle.error.busy", "whistle.error.too_many_checks") else 404
            return page(
                request, "whistle/check_form.html", lang, {"problem": (problem, {})}, status_code=status
            )
        if report.status == "closed":
            return _status_page(request, lang, report, code, 400, problem=("whistle.error.closed", {}))
        if not body or len(body) > whistle.settings.max_answer_chars:
            key = "whistle.error.answer" if not body else "whistle.error.too_long"
            return _status_page(
                request,
                lang,
                report,
                code,
                400,
                problem=(key, {"limit": whistle.settings.max_answer_chars}),
                draft=body[: whistle.settings.max_answer_chars],
            )
        try:
            whistle.challenges.check(token, nonce)
        except ChallengeFailed as exc:
            return _status_page(
                request, lang, report, code, 400, problem=(exc.message_key, exc.params), draft=body
            )
        if not whistle.answers.allow(report.receipt_digest):
            return _status_page(
                request, lang, report, code, 429, problem=("whistle.error.too_many_answers", {})
            )
        store.add_answer(session, report, body, _today(request))
        session.commit()
        return _status_page(request, lang, report, code, notice="whistle.status.answer_sent")


@router.get(PREFIX + "/")
def trailing_slash(lang: str = "") -> Response:
    return RedirectResponse(PREFIX + (f"?lang={normalise_lang(lang)}" if lang else ""), status_code=303)
