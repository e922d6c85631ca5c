"""Employees' personal sign-in: password, one-time links, sessions kept apart from admin ones."""

from __future__ import annotations

import importlib
from datetime import timedelta

from fastapi.routing import APIRoute
from sqlalchemy import select

from server.db.models_web import AuditEvent
from server.web.routes import PORTAL_MODULES
from tests.selfservice.conftest import PASSWORD, employee_browser
from tests.selfservice.scenario import BUDI, RAHMAT, SITI


def audit_actions(db) -> list[str]:
    with db.session() as session:
        return [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def portal_routes() -> list[tuple[str, frozenset[str]]]:
    """(path, methods) of every route of the employees' portal."""
    routes = []
    for name in PORTAL_MODULES:
        for r in importlib.import_module(name).portal.routes:
            if isinstance(r, APIRoute):
                routes.append((r.path, frozenset(r.methods or ())))
    return routes


def test_every_me_page_needs_an_employee_session(anon, app) -> None:
    pages = sorted(p for p, m in portal_routes() if p.startswith("/me") and "GET" in m)
    pages = [p for p in pages if p not in ("/me/signin", "/me/link/{token}")]
    assert len(pages) >= 6
    for path in pages:
        url = path.replace("{request_id}", "1").replace("{session_id}", "1")
        response = anon.get(url)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/me/signin?next="), path


def test_sign_in_with_employee_id_and_password(anon, accounts, db) -> None:
    page = anon.get("/me/signin")
    assert page.status_code == 200 and "NIP" in page.text
    response = anon.post("/me/signin", {"employee_id": f" {BUDI} ", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/me"
    month = anon.get("/me")
    assert month.status_code == 200 and "Budi Santoso" in month.text
    assert anon.post("/me/signout").status_code == 303
    assert anon.get("/me").status_code == 303
    assert audit_actions(db)[:1] == ["me.signin"] and "me.signout" in audit_actions(db)


def test_wrong_password_unknown_and_inactive_employees_are_refused(anon, accounts, db) -> None:
    anon.get("/me/signin")
    assert anon.post("/me/signin", {"employee_id": BUDI, "password": "wrong password!"}).status_code == 401
    assert anon.post("/me/signin", {"employee_id": "000", "password": PASSWORD}).status_code == 401
    assert anon.post("/me/signin", {"employee_id": BUDI, "password": ""}).status_code == 400
    # Rahmat left in June: no sign-in even with an account.
    from tests.selfservice.conftest import give_password

    give_password(db, RAHMAT)
    assert anon.post("/me/signin", {"employee_id": RAHMAT, "password": PASSWORD}).status_code == 401
    assert audit_actions(db).count("me.signin_failed") == 3


def test_sign_in_is_rate_limited_per_employee(anon, accounts, clock) -> None:
    anon.get("/me/signin")
    for _ in range(3):
        assert anon.post("/me/signin", {"employee_id": SITI, "password": "nope nope nope"}).status_code == 401
    locked = anon.post("/me/signin", {"employee_id": SITI, "password": PASSWORD})
    assert locked.status_code == 429 and "Retry-After" in locked.headers
    clock.advance(minutes=16)
    assert anon.post("/me/signin", {"employee_id": SITI, "password": PASSWORD}).status_code == 303


def test_one_time_link_signs_in_once_then_asks_for_a_password(app, as_admin, anon, db, clock) -> None:
    made = as_admin.post("/portal/link", {"employee_id": SITI})
    assert made.status_code == 200
    url = made.text.split('id="signin-link">')[1].split("<")[0]
    path = url.replace("http://testserver", "")
    shown = anon.get(path)
    assert shown.status_code == 200 and "Masuk sekarang" in shown.text  # a GET does not use the link
    assert anon.get(path).status_code == 200
    used = anon.post(path)
    assert used.status_code == 303 and used.headers["location"] == "/me/password"
    anon.get("/me/password")
    saved = anon.post("/me/password", {"new": "a new password 1", "repeat": "a new password 1"})
    assert saved.status_code == 200 and "tersimpan" in saved.text
    assert anon.get("/me").status_code == 200  # this session stays valid after the change
    # The link works once only.
    other = employee_browser_or_none(app, path)
    assert other == 410
    assert {"me.link_created", "me.signin_link", "me.password", "me.link_refused"} <= set(audit_actions(db))


def employee_browser_or_none(app, path: str) -> int:
    from fastapi.testclient import TestClient

    from tests.web.conftest import Browser

    browser = Browser(TestClient(app, base_url="http://testserver", follow_redirects=False))
    browser.get("/me/signin")
    return browser.post(path).status_code


def test_links_expire_and_a_new_link_voids_the_old(as_admin, anon, clock) -> None:
    first = (
        as_admin.post("/portal/link", {"employee_id": BUDI}).text.split('id="signin-link">')[1].split("<")[0]
    )
    second = (
        as_admin.post("/portal/link", {"employee_id": BUDI}).text.split('id="signin-link">')[1].split("<")[0]
    )
    anon.get("/me/signin")
    assert anon.post(first.replace("http://testserver", "")).status_code == 410
    clock.advance(days=3, seconds=1)
    assert anon.post(second.replace("http://testserver", "")).status_code == 410


def test_only_admins_make_links_and_unknown_employees_get_a_clear_error(as_supervisor, as_admin) -> None:
    assert as_supervisor.get("/portal").status_code == 403
    assert as_supervisor.post("/portal/link", {"employee_id": BUDI}).status_code == 403
    refused = as_admin.post("/portal/link", {"employee_id": "999"})
    assert refused.status_code == 400 and "999" in refused.text


def test_employee_and_admin_sessions_do_not_open_each_others_pages(app, as_budi, as_admin) -> None:
    for path in ("/employees", "/corrections", "/training", "/portal", "/account"):
        response = as_budi.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/signin"), path
    response = as_admin.get("/me")
    assert response.status_code == 303 and response.headers["location"].startswith("/me/signin")


def test_changing_the_password_ends_other_sessions(app, accounts) -> None:
    phone = employee_browser(app, BUDI)
    laptop = employee_browser(app, BUDI)
    laptop.get("/me/password")
    assert (
        laptop.post("/me/password", {"new": "another password", "repeat": "another password"}).status_code
        == 200
    )
    assert laptop.get("/me").status_code == 200
    assert phone.get("/me").status_code == 303
    short = laptop.post("/me/password", {"new": "short", "repeat": "short"})
    assert short.status_code == 400 and "10 karakter" in short.text
    differs = laptop.post("/me/password", {"new": "another password", "repeat": "other password!"})
    assert differs.status_code == 400


def test_employee_session_expires_when_idle(as_budi, clock) -> None:
    clock.advance(hours=2, seconds=1)
    assert as_budi.get("/me").status_code == 303


def test_employee_forms_need_the_csrf_token(as_budi) -> None:
    response = as_budi.client.post("/me/corrections", data={"kind": "forgot_out"})
    assert response.status_code == 403


def test_signin_next_stays_inside_the_portal(anon, accounts) -> None:
    anon.get("/me/signin")
    for target, expected in (("/me/year", "/me/year"), ("/employees", "/me"), ("//evil.example/", "/me")):
        response = anon.post("/me/signin", {"employee_id": BUDI, "password": PASSWORD, "next": target})
        assert response.headers["location"] == expected, target
        anon.get("/me")
        anon.post("/me/signout")
        anon.get("/me/signin")


def test_links_are_stored_hashed(as_admin, db) -> None:
    url = (
        as_admin.post("/portal/link", {"employee_id": BUDI}).text.split('id="signin-link">')[1].split("<")[0]
    )
    token = url.rsplit("/", 1)[1]
    from server.db.models_selfservice import SigninLink

    with db.session() as session:
        stored = session.scalars(select(SigninLink.token_sha256)).all()
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64
    assert timedelta(days=3)  # the lifetime the page states
