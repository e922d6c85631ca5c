"""An employee sees only their own data: every portal route, tried with another employee's ids."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime

from sqlalchemy import insert, select

from server.db.models import Punch
from server.db.models_selfservice import CorrectionRequest
from tests.selfservice.scenario import BUDI, SITI, row
from tests.selfservice.test_signin import portal_routes

PDF = b"%PDF-1.4\n% test\n"
PROBES = ("employee_id", "employee", "id", "nip", "emp")


def budi_has_data(app, as_budi, as_admin, db) -> tuple[int, int]:
    """Budi asks for a correction with an attachment and attends a training; returns their ids."""
    as_budi.get("/me/corrections")
    sent = as_budi.post(
        "/me/corrections",
        {"kind": "forgot_out", "start": "2026-12-02", "punch_time": "16:10", "reason": "Lupa absen pulang"},
        files={"attachment": ("surat.pdf", PDF, "application/pdf")},
    )
    assert sent.status_code == 303, sent.text
    with db.session() as session:
        request_id = session.scalars(
            select(CorrectionRequest.id).where(CorrectionRequest.employee_id == BUDI)
        ).one()
        session.execute(insert(Punch), [row(BUDI, datetime(2026, 12, 3).date(), 9, 5, kiosk="plaju-2")])
        session.commit()
    as_admin.get("/training")
    made = as_admin.post(
        "/training",
        {
            "title": "Sosialisasi PP 94",
            "day": "2026-12-03",
            "start": "09:00",
            "end": "11:00",
            "place": "Aula",
            "kiosks": "plaju-2",
            "employees": BUDI,
            "mandatory": "1",
        },
    )
    assert made.status_code == 303, made.text
    session_id = int(made.headers["location"].rsplit("/", 1)[1])
    return request_id, session_id


def test_every_portal_route_refuses_another_employees_data(app, as_budi, as_siti, as_admin, db) -> None:
    request_id, session_id = budi_has_data(app, as_budi, as_admin, db)
    # Budi can open his own things.
    assert as_budi.get(f"/me/corrections/{request_id}/attachment").content == PDF
    assert as_budi.get(f"/me/training/{session_id}/certificate").content.startswith(b"%PDF")
    checked = 0
    for path, methods in portal_routes():
        if "GET" not in methods or path in ("/me/signin", "/me/link/{token}"):
            continue
        url = path.replace("{request_id}", str(request_id)).replace("{session_id}", str(session_id))
        query = "&".join(f"{p}={BUDI}" for p in PROBES)
        for target in (url, f"{url}?{query}", f"{url}?format=zip&{query}"):
            response = as_siti.get(target)
            assert response.status_code in (200, 404), (target, response.status_code)
            body = response.content
            if response.headers.get("content-type") == "application/zip":
                with zipfile.ZipFile(io.BytesIO(body)) as archive:
                    body = b"".join(archive.read(n) for n in archive.namelist())
            # The language switch sends the visitor back to the same URL: drop that echo of the query.
            body = re.sub(rb'name="next" value="[^"]*"', b"", body)
            assert BUDI.encode() not in body, target
            assert b"Budi" not in body, target
            if "{" in path:
                assert response.status_code == 404, target
            checked += 1
    assert checked >= 20
    # Nor can Siti act on Budi's request.
    assert as_siti.post(f"/me/corrections/{request_id}/withdraw").status_code == 404
    with db.session() as session:
        assert session.get(CorrectionRequest, request_id).status == "pending"


def test_the_export_holds_only_the_employees_own_data(as_siti, db) -> None:
    data = json.loads(as_siti.get("/me/export?format=json").content)
    assert data["employee"]["id"] == SITI
    assert data["punches"] and {p["employee_id"] for p in data["punches"]} == {SITI}
    assert data["day_records"] and {d["employee_id"] for d in data["day_records"]} == {SITI}
    assert all(d["reasons"] for d in data["day_records"])
    assert "template" not in json.dumps(data["punches"])
    assert "not included" in data["fingerprint_templates"]
    archive = zipfile.ZipFile(io.BytesIO(as_siti.get("/me/export?format=zip").content))
    names = set(archive.namelist())
    assert {"data.json", "employee.json", "punches.csv", "day_records.csv"} <= names
    header, *lines = archive.read("punches.csv").decode().splitlines()
    assert header.startswith("id,kiosk_id,seq,employee_id") and len(lines) == len(data["punches"])
    assert as_siti.get("/me/export?format=exe").status_code == 404


def test_audit_records_the_employees_own_views(as_siti, db) -> None:
    from server.db.models_web import AuditEvent

    as_siti.get("/me/year")
    as_siti.get("/me/export?format=json")
    with db.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.subject_id == SITI)).all()
    actions = [e.action for e in events]
    assert {"me.signin", "me.view_month", "me.view_year", "me.export"} <= set(actions)
    assert all(e.username == f"nip:{SITI}" for e in events)
    assert events[0].at == datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
