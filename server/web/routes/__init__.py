"""Routers of the web UI, one module per area; each module defines ``router``.

Pages (HTML, cookie session, CSRF-checked forms) are listed in ``PAGE_MODULES``; the JSON API (token
auth, in the OpenAPI schema) in ``API_MODULES``; the employees' own pages (their own session) in
``PORTAL_MODULES``. A new area adds its module name here.
"""

PAGE_MODULES: tuple[str, ...] = (
    "server.web.routes.auth",
    "server.web.routes.home",
    "server.web.routes.users",
    "server.web.routes.today",
    "server.web.routes.kiosks",
    "server.web.routes.employees",
    "server.web.routes.discipline",
    "server.web.routes.counseling",
    "server.web.routes.rewards",
    "server.web.routes.reports",
    "server.web.routes.audit_log",
    "server.web.routes.whistle_review",
    "server.web.routes.me",
    "server.web.routes.corrections",
    "server.web.routes.training",
)

# The employees' portal: modules defining ``portal`` (own sign-in at /me/signin, and the public /rules).
PORTAL_MODULES: tuple[str, ...] = (
    "server.web.routes.me",
    "server.web.routes.corrections",
    "server.web.routes.training",
    "server.web.routes.rules_page",
)

API_MODULES: tuple[str, ...] = (
    "server.web.routes.api",
    "server.web.routes.api_rules",
    "server.web.routes.apidocs",
)
