"""User management pages, the own account page (password, API tokens) and ``hadir-server users``."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

import server.cli
from server.db import connect
from server.db.models_web import ApiToken, AuditEvent, User
from tests.web.conftest import PASSWORD


def user_named(db, username: str) -> User | None:
    with db.session() as session:
        return session.scalar(select(User).where(User.username == username))


def test_admin_adds_a_supervisor(as_admin, db) -> None:
    response = as_admin.post(
        "/users",
        {
            "username": "budi",
            "name": "Budi Santoso",
            "password": "kata sandi budi",
            "role": "supervisor",
            "units": "Umum, Keuangan",
        },
    )
    assert response.status_code == 303
    user = user_named(db, "budi")
    assert user is not None and user.role == "supervisor"
    assert sorted(u.unit for u in user.units) == ["Keuangan", "Umum"]
    page = as_admin.get("/users")
    assert "Budi Santoso" in page.text and "Keuangan, Umum" in page.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "Bad Name!", "Nama pengguna: 2–64"),
        ("username", "viewer", "sudah dipakai"),
        ("password", "short", "minimal 10 karakter"),
        ("role", "boss", "Pilih peran"),
        ("units", "", "minimal satu unit"),
        ("name", "  ", "Isi nama lengkap"),
    ],
)
def test_bad_user_input_is_explained_and_nothing_is_saved(as_admin, db, field, value, message) -> None:
    form = {
        "username": "citra",
        "name": "Citra",
        "password": "kata sandi citra",
        "role": "supervisor",
        "units": "Umum",
        field: value,
    }
    with db.session() as session:
        before = session.query(User).count()
    response = as_admin.post("/users", form)
    assert response.status_code == 400
    assert message in response.text
    with db.session() as session:
        assert session.query(User).count() == before


def test_only_admins_manage_users(as_supervisor, as_viewer) -> None:
    for browser in (as_supervisor, as_viewer):
        assert browser.get("/users").status_code == 403
        response = browser.post(
            "/users", {"username": "x1", "name": "X", "password": "p" * 12, "role": "admin"}
        )
        assert response.status_code == 403
    assert "Hanya admin" in as_viewer.get("/users").text


def test_supervisor_and_viewer_do_not_see_the_users_menu(as_supervisor, as_admin) -> None:
    assert 'href="/users"' not in as_supervisor.get("/account").text
    assert 'href="/users"' in as_admin.get("/account").text


def test_admin_cannot_deactivate_themselves(as_admin, users) -> None:
    response = as_admin.post(f"/users/{users['admin']}/deactivate")
    assert response.status_code == 400
    assert as_admin.post("/users/9999/deactivate").status_code == 404


def test_change_own_password(anon, users, db) -> None:
    anon.sign_in("viewer")
    wrong = anon.post("/account/password", {"current": "nope nope nope", "new": "a new password"})
    assert wrong.status_code == 400 and "Kata sandi sekarang salah" in wrong.text
    short = anon.post("/account/password", {"current": PASSWORD, "new": "short"})
    assert short.status_code == 400 and "minimal 10" in short.text
    assert anon.post("/account/password", {"current": PASSWORD, "new": "a new password"}).status_code == 303
    assert anon.get("/account").status_code == 303  # signed out everywhere
    assert anon.sign_in("viewer", PASSWORD).status_code == 401
    assert anon.sign_in("viewer", "a new password").status_code == 303


def test_api_token_is_shown_once_and_stored_hashed(as_viewer, db) -> None:
    page = as_viewer.post("/account/tokens", {"name": "SIMPEG"})
    assert page.status_code == 200
    token = page.text.split('<code class="token">')[1].split("</code>")[0]
    assert token.startswith("hdr_")
    with db.session() as session:
        row = session.scalar(select(ApiToken))
        assert row is not None and row.name == "SIMPEG" and token not in row.token_sha256
    assert token not in as_viewer.get("/account").text
    assert as_viewer.post("/account/tokens", {"name": " "}).status_code == 400
    assert as_viewer.post(f"/account/tokens/{row.id}/revoke").status_code == 303
    with db.session() as session:
        assert session.scalar(select(ApiToken.revoked_at)) is not None


def test_cannot_revoke_someone_elses_token(as_viewer, as_supervisor, db) -> None:
    as_viewer.post("/account/tokens", {"name": "mine"})
    with db.session() as session:
        token_id = session.scalar(select(ApiToken.id))
    assert as_supervisor.post(f"/account/tokens/{token_id}/revoke").status_code == 404


# --- hadir-server users -----------------------------------------------------------------------------


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def run_cli(monkeypatch, capsys, url: str, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        code = server.cli.main(["--db", url, *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_creates_the_first_admin_who_can_sign_in(monkeypatch, capsys, db_url) -> None:
    code, out, _ = run_cli(
        monkeypatch,
        capsys,
        db_url,
        "users",
        "add",
        "admin",
        "--name",
        "Admin Kantor",
        "--password-stdin",
        stdin="kata sandi admin\n",
    )
    assert code == 0 and "created admin admin" in out
    code, out, _ = run_cli(monkeypatch, capsys, db_url, "users", "list")
    assert "admin\tadmin\tactive\t*\tAdmin Kantor" in out
    db = connect(db_url)
    with db.session() as session:
        user = session.scalar(select(User))
        assert user is not None and user.password_hash.startswith("$argon2id$")
        assert session.scalar(select(AuditEvent.action)) == "user.create"
    db.engine.dispose()


def test_cli_refuses_bad_input_with_a_clear_message(monkeypatch, capsys, db_url) -> None:
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        db_url,
        "users",
        "add",
        "budi",
        "--name",
        "Budi",
        "--role",
        "supervisor",
        "--password-stdin",
        stdin="kata sandi budi\n",
    )
    assert code == 1 and "hadir-server: error: units: A supervisor needs at least one unit" in err
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        db_url,
        "users",
        "add",
        "budi",
        "--name",
        "Budi",
        "--password-stdin",
        stdin="short\n",
    )
    assert code == 1 and "password: The password needs at least 10 characters" in err
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        db_url,
        "users",
        "passwd",
        "nobody",
        "--password-stdin",
        stdin="kata sandi baru\n",
    )
    assert code == 1 and "no user named 'nobody'" in err


def test_cli_token_and_deactivate(monkeypatch, capsys, db_url) -> None:
    run_cli(
        monkeypatch,
        capsys,
        db_url,
        "users",
        "add",
        "hr",
        "--name",
        "HR",
        "--role",
        "viewer",
        "--unit",
        "*",
        "--password-stdin",
        stdin="kata sandi hr!\n",
    )
    code, out, _ = run_cli(monkeypatch, capsys, db_url, "users", "token", "hr", "--name", "SIMPEG")
    assert code == 0 and out.strip().startswith("hdr_")
    code, out, _ = run_cli(monkeypatch, capsys, db_url, "users", "deactivate", "hr")
    assert code == 0
    _, out, _ = run_cli(monkeypatch, capsys, db_url, "users", "list")
    assert "inactive" in out


def test_migrations_create_the_web_tables(tmp_path) -> None:
    from sqlalchemy import inspect

    db = connect(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    db.migrate()
    names = set(inspect(db.engine).get_table_names())
    assert {
        "web_users",
        "web_user_units",
        "web_api_tokens",
        "web_audit_events",
        "web_counseling_cases",
        "web_counseling_notes",
        "web_reward_confirmations",
    } <= names
    db.close()


def test_audit_trail_page_is_for_admins_and_filters(as_admin, as_viewer, db) -> None:
    as_viewer.get("/account")
    page = as_admin.get("/audit?username=viewer&action=signin")
    assert page.status_code == 200 and "1 kejadian" in page.text and "<code>signin</code>" in page.text
    assert as_admin.get("/audit?page=zzz").status_code == 200
    assert as_viewer.get("/audit").status_code == 403
