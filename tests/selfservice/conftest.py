"""Fixtures for the employees' side: the web fixtures, on a migrated database with a month of data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.db import Database, connect
from server.db.models_selfservice import EmployeeAccount
from tests.selfservice.scenario import ANDI, BUDI, SITI, seed
from tests.web import conftest as web
from tests.web.conftest import PASSWORD, Browser, _password_hash, _signed_in

# The admin web UI's fixtures, shared (``db`` is replaced below by a migrated, seeded database).
anon = web.anon
app = web.app
as_admin = web.as_admin
as_supervisor = web.as_supervisor
as_viewer = web.as_viewer
clock = web.clock
settings = web.settings
users = web.users


@pytest.fixture(scope="session")
def month_template(tmp_path_factory) -> Path:
    """A migrated database (with the punch triggers) holding the scenario, built once."""
    path = tmp_path_factory.mktemp("selfservice") / "month.sqlite3"
    database = connect(f"sqlite:///{path}")
    database.migrate()
    seed(database)
    database.close()
    return path


@pytest.fixture
def db(month_template: Path, tmp_path) -> Iterator[Database]:
    copy = tmp_path / "month.sqlite3"
    shutil.copyfile(month_template, copy)
    database = connect(f"sqlite:///{copy}")
    yield database
    database.close()


def give_password(db: Database, employee_id: str) -> None:
    with db.session() as session:
        session.add(
            EmployeeAccount(
                employee_id=employee_id,
                password_hash=_password_hash(),
                session_epoch=0,
                lang="id",
                created_at=datetime(2026, 11, 1, tzinfo=UTC),
            )
        )
        session.commit()


def employee_browser(app, employee_id: str) -> Browser:
    browser = Browser(TestClient(app, base_url="http://testserver", follow_redirects=False))
    browser.get("/me/signin")
    response = browser.post("/me/signin", {"employee_id": employee_id, "password": PASSWORD})
    assert response.status_code == 303, response.text
    browser.get("/me")  # the session (and its CSRF token) is new after sign-in
    return browser


@pytest.fixture
def accounts(db: Database) -> None:
    for eid in (BUDI, SITI, ANDI):
        give_password(db, eid)


@pytest.fixture
def as_budi(app, accounts) -> Browser:
    return employee_browser(app, BUDI)


@pytest.fixture
def as_siti(app, accounts) -> Browser:
    return employee_browser(app, SITI)


@pytest.fixture
def as_super(app, users) -> Browser:
    """The supervisor of unit Umum (Budi's and Siti's unit)."""
    return _signed_in(app, "supervisor")
