"""The JSON API over the rule engine's results."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.db.models_web import User
from server.web.accounts import issue_token
from tests.web.scenario import ANDI, BUDI


@pytest.fixture
def db(year_db):
    return year_db


@pytest.fixture
def client(app, db, users):
    with db.session() as session:
        tokens = {}
        for name in ("admin", "supervisor"):
            user = session.scalar(select(User).where(User.username == name))
            tokens[name] = issue_token(session, user, "t", user.created_at)
    with TestClient(app) as c:
        c.tokens = tokens  # type: ignore[attr-defined]
        yield c


def get(client, url: str, who: str = "admin"):
    return client.get(url, headers={"Authorization": f"Bearer {client.tokens[who]}"})


def test_days_with_reasons_in_both_languages(client) -> None:
    days = get(client, f"/api/v1/employees/{BUDI}/days?year=2026&month=11").json()
    absent = [d for d in days if d["status"] == "absent"]
    assert len(absent) == 5 and absent[0]["reasons"][-1] == "Tidak masuk tanpa alasan yang sah"
    days = get(client, f"/api/v1/employees/{BUDI}/days?year=2026&month=11&lang=en").json()
    assert [d for d in days if d["status"] == "absent"][0]["reasons"][-1] == "Absent without a valid reason"
    assert get(client, f"/api/v1/employees/{BUDI}/days?year=2026&month=13").status_code == 422


def test_proposals_within_scope(client) -> None:
    mine = get(client, "/api/v1/proposals?year=2026&status=proposed", "supervisor").json()
    assert {p["employee_id"] for p in mine} == {BUDI}
    assert [p["sanction"] for p in mine] == ["Teguran lisan", "Teguran tertulis"]
    assert get(client, "/api/v1/proposals?year=2026&status=maybe").status_code == 422


def test_recap_as_json(client) -> None:
    rows = {r["nip"]: r for r in get(client, "/api/v1/reports/recap?year=2026&month=11").json()}
    assert rows[BUDI]["absent"] == 5.0 and rows[ANDI]["late"] == 5
    assert get(client, f"/api/v1/employees/{ANDI}/days?year=2026&month=11", "supervisor").status_code == 404
