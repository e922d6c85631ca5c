"""Correction requests: from the employee's request through the supervisor's decision to re-evaluated days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from server.db import models_rules as tables
from server.db.models import Punch
from server.db.models_selfservice import CorrectionRequest
from server.db.models_web import AuditEvent
from tests.selfservice.scenario import BUDI, SITI
from tests.web.conftest import add_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def day_status(db, employee: str, day: date) -> str:
    with db.session() as session:
        record = session.get(tables.DayRecord, (employee, day))
        assert record is not None
        return record.status


def ask(browser, **fields: str):
    browser.get("/me/corrections")
    return browser.post("/me/corrections", fields)


def only_request(db, employee: str = BUDI) -> CorrectionRequest:
    with db.session() as session:
        found = session.scalars(
            select(CorrectionRequest).where(CorrectionRequest.employee_id == employee)
        ).all()
        assert len(found) == 1
        session.expunge_all()
        return found[0]


def test_forgot_to_punch_out_becomes_a_manual_punch_and_the_day_is_re_evaluated(
    as_budi, as_super, db
) -> None:
    day = date(2026, 12, 2)
    assert day_status(db, BUDI, day) == "missing_out"
    sent = ask(as_budi, kind="forgot_out", start="2026-12-02", punch_time="16:10", reason="Lupa absen pulang")
    assert sent.status_code == 303
    assert "Menunggu" in as_budi.get("/me/corrections").text
    req = only_request(db)
    queue = as_super.get("/corrections")
    assert f"/corrections/{req.id}" in queue.text and "Budi Santoso" in queue.text
    detail = as_super.get(f"/corrections/{req.id}")
    assert detail.status_code == 200 and 'data-status="missing_out"' in detail.text
    decided = as_super.post(f"/corrections/{req.id}/decide", {"decision": "approve", "note": "Sesuai CCTV"})
    assert decided.status_code == 303
    # Re-evaluated through the incremental path: the day is complete now, and nothing is left queued.
    assert day_status(db, BUDI, day) == "present"
    with db.session() as session:
        punch = session.scalars(
            select(Punch).where(Punch.employee_id == BUDI, Punch.source == "manual")
        ).one()
        assert punch.local_date == day and punch.kiosk_id is None
        assert session.scalars(select(tables.DirtyDay)).all() == []
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "correction.request" in actions and "correction.decide" in actions
    month = as_budi.get("/me?year=2026&month=12")
    assert "Manual (koreksi disetujui)" in month.text and "Disetujui" in as_budi.get("/me/corrections").text
    assert "Sesuai CCTV" in as_budi.get("/me/corrections").text


def test_official_travel_becomes_an_excuse_and_lowers_the_ledger(as_budi, as_super, db) -> None:
    with db.session() as session:
        before = session.get(tables.YearSummary, (BUDI, 2026))
        assert before.unexcused_days == 3
        proposal = session.scalars(select(tables.Proposal).where(tables.Proposal.employee_id == BUDI)).one()
        assert proposal.threshold == 3
    year = as_budi.get("/me/year")
    assert "Teguran lisan" in year.text and 'id="reached"' in year.text
    assert (
        ask(
            as_budi, kind="official_travel", start="2026-12-01", end="2026-12-01", reason="SPT 12/2026"
        ).status_code
        == 303
    )
    req = only_request(db)
    as_super.get(f"/corrections/{req.id}")
    as_super.post(f"/corrections/{req.id}/decide", {"decision": "approve", "note": ""})
    assert day_status(db, BUDI, date(2026, 12, 1)) == "excused"
    excuse_id = only_request(db).excuse_id
    with db.session() as session:
        after = session.get(tables.YearSummary, (BUDI, 2026))
        assert after.unexcused_days == 2
        excuse = session.get(tables.Excuse, excuse_id)
        assert excuse.kind == "dinas_luar" and excuse.created_by == "supervisor"
        assert session.scalars(select(tables.Proposal).where(tables.Proposal.employee_id == BUDI)).all() == []
    year = as_budi.get("/me/year")
    assert "1 hari lagi tanpa alasan sah akan berujung pada: Teguran lisan" in year.text


def test_refusal_needs_a_note_and_changes_nothing(as_budi, as_super, db) -> None:
    ask(as_budi, kind="kiosk_down", start="2026-12-01", reason="Mesin mati")
    req = only_request(db)
    as_super.get(f"/corrections/{req.id}")
    missing = as_super.post(f"/corrections/{req.id}/decide", {"decision": "refuse", "note": " "})
    assert missing.status_code == 400 and "alasan penolakan" in missing.text
    assert only_request(db).status == "pending"
    assert (
        as_super.post(
            f"/corrections/{req.id}/decide", {"decision": "refuse", "note": "Mesin normal"}
        ).status_code
        == 303
    )
    assert only_request(db).status == "refused" and day_status(db, BUDI, date(2026, 12, 1)) == "absent"
    again = as_super.post(f"/corrections/{req.id}/decide", {"decision": "approve", "note": ""})
    assert again.status_code == 403
    assert as_super.post(f"/corrections/{req.id}/decide", {"decision": "maybe"}).status_code == 400


def test_bad_requests_get_clear_errors_and_nothing_is_saved(as_budi, db) -> None:
    cases = [
        ({"kind": "holiday", "start": "2026-12-02", "reason": "x"}, "Pilih jenis koreksi"),
        ({"kind": "forgot_out", "start": "2-12-2026", "reason": "x"}, "TTTT-BB-HH"),
        ({"kind": "forgot_out", "start": "2026-12-02", "punch_time": "25:00", "reason": "x"}, "JJ:MM"),
        (
            {
                "kind": "forgot_out",
                "start": "2026-12-01",
                "end": "2026-12-02",
                "punch_time": "16:00",
                "reason": "x",
            },
            "satu tanggal",
        ),
        (
            {"kind": "kiosk_down", "start": "2026-12-02", "end": "2026-12-01", "reason": "x"},
            "sebelum tanggal mulai",
        ),
        ({"kind": "kiosk_down", "start": "2026-12-10", "reason": "x"}, "belum lewat"),
        ({"kind": "kiosk_down", "start": "2026-11-20", "reason": "x"}, "7 hari"),
        ({"kind": "kiosk_down", "start": "2026-12-02", "reason": "  "}, "Tuliskan alasannya"),
    ]
    for fields, message in cases:
        response = ask(as_budi, **fields)
        assert response.status_code == 400, fields
        assert message in response.text, (fields, message)
    as_budi.get("/me/corrections")
    fake = as_budi.post(
        "/me/corrections",
        {"kind": "kiosk_down", "start": "2026-12-02", "reason": "x"},
        files={"attachment": ("surat.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
    )
    assert fake.status_code == 400 and "PDF, JPG atau PNG" in fake.text
    big = as_budi.post(
        "/me/corrections",
        {"kind": "kiosk_down", "start": "2026-12-02", "reason": "x"},
        files={"attachment": ("foto.png", PNG + b"\x00" * (2 * 1024 * 1024), "image/png")},
    )
    assert big.status_code == 400 and "2 MB" in big.text
    with db.session() as session:
        assert session.scalars(select(CorrectionRequest)).all() == []


def test_monthly_limit_and_withdrawal(as_budi, db) -> None:
    for n in range(3):
        assert ask(as_budi, kind="kiosk_down", start="2026-12-02", reason=f"#{n}").status_code == 303
    over = ask(as_budi, kind="kiosk_down", start="2026-12-02", reason="#4")
    assert over.status_code == 400 and "Batas 3 pengajuan per bulan" in over.text
    with db.session() as session:
        first = session.scalars(select(CorrectionRequest.id).order_by(CorrectionRequest.id)).first()
    as_budi.get("/me/corrections")
    assert as_budi.post(f"/me/corrections/{first}/withdraw").status_code == 303
    assert ask(as_budi, kind="kiosk_down", start="2026-12-02", reason="#4").status_code == 303
    as_budi.get("/me/corrections")
    assert as_budi.post(f"/me/corrections/{first}/withdraw").status_code == 404  # already withdrawn


def test_supervisors_decide_only_in_their_units_and_viewers_not_at_all(app, as_budi, as_viewer, db) -> None:
    from tests.web.conftest import _signed_in

    ask(
        as_budi,
        kind="kiosk_down",
        start="2026-12-02",
        reason="Mesin mati",
    )
    req = only_request(db)
    add_user(db, "keuangan", "supervisor", ("Keuangan",))
    other = _signed_in(app, "keuangan")
    assert f"/corrections/{req.id}" not in other.get("/corrections").text
    assert other.get(f"/corrections/{req.id}").status_code == 403
    assert other.post(f"/corrections/{req.id}/decide", {"decision": "approve"}).status_code == 403
    assert as_viewer.get(f"/corrections/{req.id}").status_code == 200
    assert as_viewer.post(f"/corrections/{req.id}/decide", {"decision": "approve"}).status_code == 403
    assert only_request(db).status == "pending"


def test_supervisor_sees_the_attachment_and_the_employee_cannot_see_others(
    as_budi, as_super, as_siti, db
) -> None:
    as_budi.get("/me/corrections")
    as_budi.post(
        "/me/corrections",
        {"kind": "kiosk_down", "start": "2026-12-02", "reason": "foto"},
        files={"attachment": ("foto.png", PNG, "image/png")},
    )
    req = only_request(db)
    got = as_super.get(f"/corrections/{req.id}/attachment")
    assert got.status_code == 200 and got.content == PNG and got.headers["content-type"] == "image/png"
    assert as_siti.get(f"/me/corrections/{req.id}/attachment").status_code == 404
    assert only_request(db, BUDI).attachment_type == "image/png"
    assert SITI
