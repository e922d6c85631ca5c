"""Sign-in, sessions, rate limiting, CSRF and the language switch."""

from __future__ import annotations

from sqlalchemy import select

from server.db.models_web import AuditEvent, User
from tests.web.conftest import PASSWORD


def audit_actions(db) -> list[str]:
    with db.session() as session:
        return [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_signin_page_is_public_and_in_bahasa_indonesia_by_default(anon) -> None:
    response = anon.get("/signin")
    assert response.status_code == 200
    assert "Masuk" in response.text and 'lang="id"' in response.text
    assert 'name="csrf_token"' in response.text
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_every_page_needs_sign_in(anon, app) -> None:
    pages = sorted({path for path, methods in app.state.page_routes if "GET" in methods} - {"/signin"})
    assert len(pages) >= 3
    for path in pages:
        url = path.replace("{", "").replace("}", "")
        response = anon.get(url)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/signin?next="), path


def test_sign_in_and_out(anon, users, db) -> None:
    response = anon.sign_in("admin")
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert anon.get("/account").status_code == 200
    assert anon.post("/signout").status_code == 303
    assert anon.get("/account").status_code == 303
    assert audit_actions(db) == ["signin", "signout"]


def test_username_is_case_insensitive_and_next_is_kept(anon, users) -> None:
    anon.get("/signin?next=/account")
    response = anon.post("/signin", {"username": " ADMIN ", "password": PASSWORD, "next": "/account"})
    assert response.headers["location"] == "/account"


def test_next_cannot_leave_the_site(anon, users) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        anon.get("/signin")
        response = anon.post("/signin", {"username": "admin", "password": PASSWORD, "next": target})
        assert response.headers["location"] == "/", target
        anon.get("/account")
        assert anon.post("/signout").status_code == 303


def test_wrong_password_is_refused_and_audited(anon, users, db) -> None:
    response = anon.sign_in("admin", "not the password")
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in response.text
    assert anon.get("/account").status_code == 303
    assert audit_actions(db) == ["signin.failed"]


def test_missing_fields_are_a_clear_error(anon, users) -> None:
    anon.get("/signin")
    response = anon.post("/signin", {"username": "admin"})
    assert response.status_code == 400
    assert "Isi nama pengguna dan kata sandi" in response.text


def test_unknown_and_inactive_users_cannot_sign_in(anon, db, users) -> None:
    from tests.web.conftest import add_user

    add_user(db, "gone", "viewer", ("*",), active=False)
    assert anon.sign_in("gone").status_code == 401
    assert anon.sign_in("nobody").status_code == 401


def test_sign_in_is_rate_limited_per_username(anon, users, clock) -> None:
    for _ in range(3):
        assert anon.sign_in("admin", "wrong password!").status_code == 401
    response = anon.sign_in("admin")  # even the right password waits
    assert response.status_code == 429
    assert "15 menit" in response.text
    assert int(response.headers["retry-after"]) > 0
    clock.advance(minutes=15)
    assert anon.sign_in("admin").status_code == 303


def test_rate_limit_per_address_covers_many_usernames(anon, users) -> None:
    for n in range(10):
        anon.sign_in(f"probe{n}", "wrong password!")
    assert anon.sign_in("admin").status_code == 429


def test_success_clears_username_failures(anon, users) -> None:
    anon.sign_in("admin", "wrong password!")
    anon.sign_in("admin", "wrong password!")
    assert anon.sign_in("admin").status_code == 303
    anon.post("/signout")
    anon.sign_in("admin", "wrong password!")
    anon.sign_in("admin", "wrong password!")
    assert anon.sign_in("admin").status_code == 303


def test_session_expires_when_idle_and_after_the_maximum(as_admin, clock) -> None:
    clock.advance(hours=1, minutes=59)
    assert as_admin.get("/account").status_code == 200
    clock.advance(hours=2, minutes=1)
    assert as_admin.get("/account").status_code == 303


def test_session_has_an_absolute_maximum(as_admin, clock) -> None:
    for _ in range(13):
        clock.advance(hours=1)
        response = as_admin.get("/account")
    assert response.status_code == 303


def test_deactivating_a_user_ends_their_session(as_admin, as_viewer, users) -> None:
    assert as_viewer.get("/account").status_code == 200
    assert as_admin.post(f"/users/{users['viewer']}/deactivate").status_code == 303
    assert as_viewer.get("/account").status_code == 303


def test_tampered_cookie_is_not_a_session(as_admin) -> None:
    cookie = as_admin.client.cookies.get("hadir_session")
    payload, _, signature = cookie.rpartition(".")
    as_admin.client.cookies.clear()
    as_admin.client.cookies.set("hadir_session", payload + "." + signature[::-1])
    assert as_admin.get("/account").status_code == 303


def test_post_without_csrf_token_is_rejected_and_changes_nothing(as_admin, db) -> None:
    response = as_admin.client.post(
        "/users", data={"username": "eve", "name": "Eve", "password": "x" * 12, "role": "admin"}
    )
    assert response.status_code == 403
    assert "Formulir kedaluwarsa" in response.text
    response = as_admin.client.post(
        "/users",
        data={
            "csrf_token": "forged",
            "username": "eve",
            "name": "Eve",
            "password": "x" * 12,
            "role": "admin",
        },
    )
    assert response.status_code == 403
    with db.session() as session:
        assert session.scalar(select(User).where(User.username == "eve")) is None


def test_csrf_token_from_another_session_is_rejected(app, as_admin, anon) -> None:
    anon.get("/signin")
    response = as_admin.client.post("/account/tokens", data={"csrf_token": anon.csrf, "name": "x"})
    assert response.status_code == 403


def test_sign_in_form_itself_needs_the_csrf_token(anon, users) -> None:
    response = anon.client.post("/signin", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 403


def test_sign_in_starts_a_new_session_with_a_new_csrf_token(anon, users) -> None:
    anon.get("/signin")
    before = anon.csrf
    anon.sign_in("admin")
    anon.get("/account")
    assert anon.csrf and anon.csrf != before


def test_language_switch(anon, users) -> None:
    anon.get("/signin")
    response = anon.post("/lang", {"lang": "en", "next": "/signin"})
    assert response.status_code == 303 and response.headers["location"] == "/signin"
    page = anon.get("/signin")
    assert 'lang="en"' in page.text and "Sign in" in page.text
    assert anon.post("/lang", {"lang": "fr"}).status_code == 400


def test_language_choice_is_remembered_for_the_user(anon, users, db) -> None:
    anon.sign_in("viewer")
    anon.get("/account")
    anon.post("/lang", {"lang": "en", "next": "/account"})
    with db.session() as session:
        assert session.scalar(select(User.lang).where(User.username == "viewer")) == "en"
    anon.post("/signout")
    assert 'lang="en"' in anon.get("/signin").text  # the language outlives the session
    anon.post("/lang", {"lang": "id"})
    anon.sign_in("viewer")
    assert 'lang="id"' in anon.get("/account").text  # the choice made before signing in wins


def test_unknown_page_is_a_translated_404(as_admin) -> None:
    response = as_admin.get("/no/such/page")
    assert response.status_code == 404
    assert "tidak ditemukan" in response.text


def test_static_css_is_served(anon) -> None:
    response = anon.get("/static/style.css")
    assert response.status_code == 200 and ".heatmap" in response.text


def test_start_page_leads_to_a_page_that_exists(as_viewer, as_admin) -> None:
    for browser in (as_viewer, as_admin):
        target = browser.get("/").headers["location"]
        assert browser.get(target).status_code == 200
