"""The JSON API: token auth, unit scope, audit of personal data, OpenAPI behind auth."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.db.models_web import AuditEvent, User
from server.web.accounts import issue_token
from tests.web.data import at, punch, seed_core

BUDI = "198001012005011001"
ANDI = "199003032015031003"


@pytest.fixture
def api(app, db, users):
    seed_core(db)
    tokens = {}
    with db.session() as session:
        for name in ("admin", "supervisor", "viewer"):
            user = session.scalar(select(User).where(User.username == name))
            tokens[name] = issue_token(session, user, "test", user.created_at)
    with TestClient(app) as client:
        yield client, tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_api_needs_a_valid_token(api) -> None:
    client, _ = api
    for headers in ({}, bearer("hdr_wrong"), {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/employees", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"].startswith("error.token")


def test_session_cookie_is_not_enough_for_the_api(as_admin) -> None:
    assert as_admin.client.get("/api/v1/employees").status_code == 401


def test_revoked_token_stops_working(api, db) -> None:
    client, tokens = api
    assert client.get("/api/v1/kiosks", headers=bearer(tokens["viewer"])).status_code == 200
    from server.db.models_web import ApiToken
    from server.web.security import api_token_digest

    with db.session() as session:
        row = session.scalar(
            select(ApiToken).where(ApiToken.token_sha256 == api_token_digest(tokens["viewer"]))
        )
        row.revoked_at = row.created_at
    assert client.get("/api/v1/kiosks", headers=bearer(tokens["viewer"])).status_code == 401


def test_employees_are_listed_within_the_token_scope(api) -> None:
    client, tokens = api
    everything = client.get("/api/v1/employees", headers=bearer(tokens["admin"])).json()
    assert everything["total"] == 4
    mine = client.get("/api/v1/employees", headers=bearer(tokens["supervisor"])).json()
    assert {e["id"] for e in mine["items"]} == {BUDI, "198502022010012002"}
    assert client.get(f"/api/v1/employees/{ANDI}", headers=bearer(tokens["supervisor"])).status_code == 404
    found = client.get("/api/v1/employees?q=andi", headers=bearer(tokens["viewer"])).json()
    assert [e["id"] for e in found["items"]] == [ANDI]


def test_punches_are_returned_and_the_read_is_audited(api, db) -> None:
    client, tokens = api
    punch(db, BUDI, at(date(2026, 12, 1), 7, 21))
    punch(db, BUDI, at(date(2026, 12, 1), 16, 5), trusted=False)
    response = client.get(
        f"/api/v1/employees/{BUDI}/punches?from=2026-12-01&to=2026-12-31", headers=bearer(tokens["viewer"])
    )
    assert response.status_code == 200
    rows = response.json()
    assert [r["clock_trusted"] for r in rows] == [True, False]
    assert rows[0]["at"].startswith("2026-12-01T00:21")
    with db.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "api.punches.view"))
        assert event is not None and event.username == "viewer" and event.subject_id == BUDI


def test_bad_query_input_is_a_clear_422_or_400(api) -> None:
    client, tokens = api
    headers = bearer(tokens["admin"])
    assert (
        client.get(
            f"/api/v1/employees/{BUDI}/punches?from=2026-13-01&to=2026-12-31", headers=headers
        ).status_code
        == 422
    )
    response = client.get(f"/api/v1/employees/{BUDI}/punches?from=2026-12-31&to=2026-12-01", headers=headers)
    assert response.status_code == 400 and "from" in response.json()["detail"]
    assert client.get("/api/v1/employees?limit=0", headers=headers).status_code == 422


def test_kiosks_in_the_api(api) -> None:
    client, tokens = api
    kiosks = {k["id"]: k for k in client.get("/api/v1/kiosks", headers=bearer(tokens["viewer"])).json()}
    assert kiosks["plaju-1"]["open_gaps"] == [[121, 125]] and kiosks["plaju-1"]["templates"] == 42
    assert kiosks["plaju-2"]["online"] is False and kiosks["plaju-2"]["clock_alarm"] is True


def test_openapi_schema_and_docs_need_auth(api, as_viewer) -> None:
    client, tokens = api
    assert client.get("/api/openapi.json").status_code == 401
    schema = client.get("/api/openapi.json", headers=bearer(tokens["viewer"])).json()
    assert "/api/v1/employees/{employee_id}/punches" in schema["paths"]
    assert not any(p.startswith(("/employees", "/signin")) for p in schema["paths"])
    assert as_viewer.get("/api/openapi.json").status_code == 200
    assert "swagger" in as_viewer.get("/api/docs").text.lower()
    assert client.get("/api/docs", follow_redirects=False).status_code == 303
