"""Fixtures for anonymous reporting: a web app with cheap proof of work, reviewers, and a reporter."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

import server.db.models  # noqa: F401  (registers the core tables on Base)
import server.db.models_web  # noqa: F401
import server.db.models_whistle  # noqa: F401
from server.db import Database, connect
from server.db.base import Base
from server.db.models import Employee, Office
from server.web.app import create_app
from server.web.settings import WebSettings
from server.whistle.pow import solve
from server.whistle.service import Whistle, WhistleSettings
from tests.web.conftest import CHEAP, Browser, FakeClock, add_user

# What a reporter's browser would reveal; none of it may end up anywhere.
REPORTER_IP = "203.0.113.77"
REPORTER_UA = "Mozilla/5.0 (X11; Linux) ReporterBrowser/9.9 fingerprint-7f3a"
IDENTIFYING = (
    REPORTER_IP,
    REPORTER_UA,
    "ReporterBrowser",
    "fingerprint-7f3a",
    "testclient",
    "reporter-cookie-value",
)
REPORTER_HEADERS = {
    "user-agent": REPORTER_UA,
    "x-forwarded-for": REPORTER_IP,
    "x-real-ip": REPORTER_IP,
    "forwarded": f"for={REPORTER_IP}",
    "referer": "http://intranet.example/profile/budi",
    "cookie": "hadir_session=reporter-cookie-value; tracker=reporter-cookie-value",
}
TOKEN_RE = re.compile(r'name="pow_token" value="([^"]+)"')
CODE_RE = re.compile(r'<p class="receipt"><code>([^<]+)</code>')
BITS = 6


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 4, 1, 0, tzinfo=UTC))


@pytest.fixture
def db(tmp_path) -> Iterator[Database]:
    database = connect(f"sqlite:///{tmp_path / 'whistle.sqlite3'}")
    Base.metadata.create_all(database.engine)
    with database.session() as session:
        session.add(Office(id="plaju", name="Kantor Plaju", tz="Asia/Jakarta"))
        session.flush()
        session.add_all(
            [
                Employee(
                    id="198001012005011001", name="Budi Santoso", office_id="plaju", unit="Umum", active=True
                ),
                Employee(
                    id="199003032015031003",
                    name="Andi Wijaya",
                    office_id="plaju",
                    unit="Keuangan",
                    active=True,
                ),
            ]
        )
    yield database
    database.engine.dispose()


@pytest.fixture
def whistle_settings() -> WhistleSettings:
    return WhistleSettings(pow_bits=BITS)


@pytest.fixture
def app(db: Database, clock: FakeClock, whistle_settings: WhistleSettings):
    settings = WebSettings(secret_key="k" * 40, clock=clock, **CHEAP)
    application = create_app(db, settings)
    application.state.whistle = Whistle(whistle_settings, secret_key=settings.secret_key, clock=clock)
    return application


@pytest.fixture
def users(db: Database) -> dict[str, int]:
    return {
        "admin": add_user(db, "admin", "admin"),
        "supervisor": add_user(db, "supervisor", "supervisor", ("Umum",)),
        "other": add_user(db, "other", "supervisor", ("Keuangan",)),
        "viewer": add_user(db, "viewer", "viewer", ("*",)),
    }


@dataclass
class Reporter:
    """A browser without an account that sends everything a real browser would."""

    client: TestClient
    bits: int = BITS

    def form(self, url: str = "/lapor", **params: Any):
        return self.client.get(url, params=params, headers=REPORTER_HEADERS)

    def token(self, text: str) -> str:
        found = TOKEN_RE.search(text)
        assert found, text
        return found.group(1)

    def file(self, *, lang: str = "id", files: dict | None = None, nonce: str | None = None, **fields: str):
        page = self.form(lang=lang)
        token = self.token(page.text)
        data = {
            "category": "proxy_punch",
            "what": "Seseorang menitipkan absen setiap Jumat.",
            "place": "Pintu timur",
            "when": "Jumat lalu",
            "lang": lang,
            "pow_token": token,
            "pow_nonce": solve(token, self.bits) if nonce is None else nonce,
            **fields,
        }
        return self.client.post("/lapor", data=data, files=files, headers=REPORTER_HEADERS)

    def file_ok(self, **kwargs: Any) -> str:
        response = self.file(**kwargs)
        assert response.status_code == 200, response.text
        found = CODE_RE.search(response.text)
        assert found, response.text
        return found.group(1)

    def check(self, code: str, lang: str = "id"):
        return self.client.post("/lapor/cek", data={"code": code, "lang": lang}, headers=REPORTER_HEADERS)

    def answer(self, code: str, body: str, lang: str = "id"):
        page = self.check(code, lang)
        token = self.token(page.text)
        data = {
            "code": code,
            "body": body,
            "lang": lang,
            "pow_token": token,
            "pow_nonce": solve(token, self.bits),
        }
        return self.client.post("/lapor/jawab", data=data, headers=REPORTER_HEADERS)


@pytest.fixture
def reporter(app) -> Iterator[Reporter]:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield Reporter(client)


def signed_in(app, username: str) -> Browser:
    browser = Browser(TestClient(app, base_url="http://testserver", follow_redirects=False))
    response = browser.sign_in(username)
    assert response.status_code == 303, response.text
    return browser


@pytest.fixture
def as_admin(app, users) -> Browser:
    return signed_in(app, "admin")


@pytest.fixture
def as_supervisor(app, users) -> Browser:
    return signed_in(app, "supervisor")


def jpeg_bytes() -> bytes:
    """A small JPEG photo."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 120, 0)).save(out, format="JPEG")
    return out.getvalue()
