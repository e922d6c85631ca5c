"""Fixtures for the web UI: a fresh SQLite database per test, an injected clock, signed-in clients."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import server.db.models  # noqa: F401  (registers every area's tables on Base)
import server.db.models_rules  # noqa: F401
import server.db.models_templates  # noqa: F401
import server.db.models_web  # noqa: F401
from server.db import Database, connect
from server.db.base import Base
from server.db.models_web import User, UserUnit
from server.web.app import create_app
from server.web.security import Passwords
from server.web.settings import WebSettings

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# Cheap argon2 parameters: the tests sign in hundreds of times.
CHEAP = {"argon2_time_cost": 1, "argon2_memory_kib": 64, "argon2_parallelism": 1}


@cache
def _password_hash() -> str:
    return Passwords(time_cost=1, memory_kib=64, parallelism=1).hash(PASSWORD)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 4, 1, 0, tzinfo=UTC))


@pytest.fixture
def db(tmp_path) -> Iterator[Database]:
    database = connect(f"sqlite:///{tmp_path / 'web.sqlite3'}")
    Base.metadata.create_all(database.engine)
    yield database
    database.engine.dispose()


@pytest.fixture
def settings(clock: FakeClock) -> WebSettings:
    return WebSettings(
        secret_key="k" * 40, clock=clock, signin_max_failures=3, signin_max_failures_per_ip=10, **CHEAP
    )


def add_user(
    db: Database, username: str, role: str, units: tuple[str, ...] = (), *, active: bool = True
) -> int:
    with db.session() as session:
        user = User(
            username=username,
            name=username.title(),
            password_hash=_password_hash(),
            role=role,
            active=active,
            session_epoch=0,
            lang="id",
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        user.units = [UserUnit(unit=u) for u in units]
        session.add(user)
        session.commit()
        return user.id


@pytest.fixture
def users(db: Database) -> dict[str, int]:
    return {
        "admin": add_user(db, "admin", "admin"),
        "supervisor": add_user(db, "supervisor", "supervisor", ("Umum",)),
        "viewer": add_user(db, "viewer", "viewer", ("*",)),
    }


@dataclass
class Browser:
    """A TestClient that remembers the latest CSRF token it saw."""

    client: TestClient
    csrf: str = ""

    def get(self, url: str, **kwargs: object):
        response = self.client.get(url, **kwargs)  # type: ignore[arg-type]
        found = CSRF_RE.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, url: str, data: dict | None = None, **kwargs: object):
        if not self.csrf:
            self.get("/signin")
        payload = {"csrf_token": self.csrf, **(data or {})}
        return self.client.post(url, data=payload, **kwargs)  # type: ignore[arg-type]

    def sign_in(self, username: str, password: str = PASSWORD):
        self.get("/signin")
        response = self.post("/signin", {"username": username, "password": password}, follow_redirects=False)
        if response.status_code == 303:
            self.get("/account")  # the session (and its CSRF token) is new after sign-in
        return response


@pytest.fixture
def app(db: Database, settings: WebSettings):
    return create_app(db, settings)


@pytest.fixture
def anon(app) -> Iterator[Browser]:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield Browser(client)


def _signed_in(app, username: str) -> Browser:
    browser = Browser(TestClient(app, base_url="http://testserver", follow_redirects=False))
    response = browser.sign_in(username)
    assert response.status_code == 303, response.text
    return browser


@pytest.fixture
def as_admin(app, users) -> Browser:
    return _signed_in(app, "admin")


@pytest.fixture
def as_supervisor(app, users) -> Browser:
    return _signed_in(app, "supervisor")


@pytest.fixture
def as_viewer(app, users) -> Browser:
    return _signed_in(app, "viewer")


@pytest.fixture(scope="session")
def year_template(tmp_path_factory) -> Path:
    """A migrated database with a year of evaluated attendance (tests/web/scenario.py), built once."""
    from tests.web.scenario import seed_year

    path = tmp_path_factory.mktemp("scenario") / "year.sqlite3"
    database = connect(f"sqlite:///{path}")
    database.migrate()
    seed_year(database)
    database.close()
    return path


@pytest.fixture
def year_db(year_template: Path, tmp_path) -> Iterator[Database]:
    """A private copy of the scenario database (use by overriding ``db`` with it)."""
    copy = tmp_path / "year.sqlite3"
    shutil.copyfile(year_template, copy)
    database = connect(f"sqlite:///{copy}")
    yield database
    database.close()
