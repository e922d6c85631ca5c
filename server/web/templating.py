"""Rendering pages: one Jinja2 environment per app, with the translator, the user and the CSRF field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from server.web.auth import csrf_token
from server.web.i18n import Translator, normalise_lang
from server.web.settings import WebSettings

# (key, path, catalog key, admins only): shown when the app has a route at that path.
NAV_ITEMS: tuple[tuple[str, str, str, bool], ...] = (
    ("today", "/today", "nav.today", False),
    ("kiosks", "/kiosks", "nav.kiosks", False),
    ("employees", "/employees", "nav.employees", False),
    ("discipline", "/discipline", "nav.discipline", False),
    ("rewards", "/rewards", "nav.rewards", False),
    ("reports", "/reports", "nav.reports", False),
    ("whistle", "/whistle", "nav.whistle", False),
    ("corrections", "/corrections", "nav.corrections", False),
    ("training", "/training", "nav.training", False),
    ("users", "/users", "nav.users", True),
    ("portal", "/portal", "nav.portal", True),
    ("audit", "/audit", "nav.audit", True),
)


def request_lang(request: Request) -> str:
    """The language of this visitor: the session's choice, else the configured default."""
    settings: WebSettings = request.app.state.settings
    chosen = request.scope["session"].get("lang") if "session" in request.scope else None
    return normalise_lang(chosen or settings.default_lang)


def translator(request: Request) -> Translator:
    """A :class:`Translator` in the visitor's language."""
    return Translator(request_lang(request), request.app.state.settings.tz)


class Renderer:
    """Renders ``templates/<name>`` with the common context.

    Every page gets ``_`` (translator), ``lang``, ``user`` (or ``None``), ``csrf_input`` (the hidden
    field every POST form must contain), ``csrf_token``, ``settings`` and ``request``.
    """

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.nav_items: list[tuple[str, str, str, bool]] = []
        self.env = Environment(
            loader=PackageLoader("server.web", "templates"),
            autoescape=select_autoescape(["html", "xml"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def set_routes(self, paths: set[str]) -> None:
        """Keep the navigation entries whose page exists in the app."""
        self.nav_items = [item for item in NAV_ITEMS if item[1] in paths]

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        token = csrf_token(request) if "session" in request.scope else ""
        lang = request_lang(request)
        full: dict[str, Any] = {
            "request": request,
            "_": Translator(lang, self.settings.tz),
            "lang": lang,
            "user": getattr(request.state, "user", None),
            "csrf_token": token,
            # The token is escaped; the field is markup so templates can drop it into any form.
            "csrf_input": Markup(  # noqa: S704
                f'<input type="hidden" name="csrf_token" value="{escape(token)}">'
            ),
            "settings": self.settings,
            "nav": "",
            "nav_items": self.nav_items,
            "errors": {},
            "form": {},
        }
        full.update(context or {})
        html = self.env.get_template(name).render(full)
        return HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page with the app's :class:`Renderer` (see there for the common context)."""
    renderer: Renderer = request.app.state.renderer
    return renderer.render(request, name, context, status_code=status_code, headers=headers)
