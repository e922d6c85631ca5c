"""Discipline on a year evaluated by the real rule engine: queue, evidence, decisions, counseling."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from server.db import models_rules as tables
from server.db.models_web import AuditEvent, CounselingCase
from tests.web.scenario import ANDI, BUDI


@pytest.fixture
def db(year_db):
    return year_db


def budi_proposal(db, sanction: str = "Teguran lisan") -> tables.Proposal:
    with db.session() as session:
        return session.scalar(
            select(tables.Proposal).where(
                tables.Proposal.employee_id == BUDI, tables.Proposal.sanction == sanction
            )
        )


def budi_flag(db) -> tables.Flag:
    with db.session() as session:
        return session.scalar(select(tables.Flag).where(tables.Flag.employee_id == BUDI))


def test_queue_lists_proposals_and_flags_within_the_units(as_supervisor, as_admin) -> None:
    page = as_supervisor.get("/discipline")
    assert page.status_code == 200
    assert "Budi Santoso" in page.text and "Teguran lisan" in page.text and "Teguran tertulis" in page.text
    assert "Andi Wijaya" not in page.text and "Tidak masuk berturut-turut" in page.text
    assert "Andi Wijaya" in as_admin.get("/discipline").text


def test_proposal_shows_its_evidence_and_is_audited(as_viewer, db) -> None:
    proposal = budi_proposal(db)
    page = as_viewer.get(f"/discipline/proposals/{proposal.id}")
    assert page.status_code == 200
    assert "2026-11-02" in page.text and "Pasal" in page.text
    assert "Belum ada pembinaan" in page.text
    assert "Simpan keputusan" not in page.text  # a viewer cannot decide
    with db.session() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "proposal.view"))


def test_supervisor_decides_with_a_reason(as_supervisor, db) -> None:
    proposal = budi_proposal(db)
    page = as_supervisor.get(f"/discipline/proposals/{proposal.id}")
    assert "Simpan keputusan" in page.text
    response = as_supervisor.post(
        f"/discipline/proposals/{proposal.id}/decide",
        {"decision": "approve", "note": "Sudah dibina; tidak ada alasan sah."},
    )
    assert response.status_code == 303
    decided = budi_proposal(db)
    assert decided.status == "approved" and decided.reviewer == "supervisor"
    assert decided.note == "Sudah dibina; tidak ada alasan sah."
    with db.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "proposal.decide"))
        assert event is not None and '"decision": "approved"' in event.detail
    again = as_supervisor.post(
        f"/discipline/proposals/{proposal.id}/decide", {"decision": "dismiss", "note": "x"}
    )
    assert again.status_code == 400 and budi_proposal(db).status == "approved"


def test_adjusting_needs_the_new_sanction(as_supervisor, db) -> None:
    proposal = budi_proposal(db, "Teguran tertulis")
    as_supervisor.get(f"/discipline/proposals/{proposal.id}")
    response = as_supervisor.post(
        f"/discipline/proposals/{proposal.id}/decide", {"decision": "adjust", "note": "Sakit tanpa surat"}
    )
    assert response.status_code == 400 and "hukuman setelah disesuaikan" in response.text
    assert budi_proposal(db, "Teguran tertulis").status == "proposed"
    ok = as_supervisor.post(
        f"/discipline/proposals/{proposal.id}/decide",
        {"decision": "adjust", "note": "Sakit tanpa surat", "adjusted_sanction": "Teguran lisan"},
    )
    assert ok.status_code == 303
    assert budi_proposal(db, "Teguran tertulis").adjusted_sanction == "Teguran lisan"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"decision": "approve", "note": "  "}, "Tuliskan alasan keputusan"),
        ({"decision": "destroy", "note": "x"}, "Pilih setujui, sesuaikan atau batalkan"),
        ({"note": "x"}, "Pilih setujui"),
        ({"decision": "approve", "note": "x" * 2001}, "Terlalu panjang"),
    ],
)
def test_bad_decisions_are_explained_and_nothing_changes(as_supervisor, db, form, message) -> None:
    proposal = budi_proposal(db)
    as_supervisor.get(f"/discipline/proposals/{proposal.id}")
    response = as_supervisor.post(f"/discipline/proposals/{proposal.id}/decide", form)
    assert response.status_code == 400 and message in response.text
    assert budi_proposal(db).status == "proposed"


def test_viewers_and_other_units_cannot_decide(as_viewer, db, app) -> None:
    from tests.web.conftest import _signed_in, add_user

    proposal = budi_proposal(db)
    as_viewer.get("/discipline")
    assert (
        as_viewer.post(
            f"/discipline/proposals/{proposal.id}/decide", {"decision": "dismiss", "note": "x"}
        ).status_code
        == 403
    )
    add_user(db, "keuangan", "supervisor", ("Keuangan",))
    other = _signed_in(app, "keuangan")
    assert other.get(f"/discipline/proposals/{proposal.id}").status_code == 403
    assert (
        other.post(
            f"/discipline/proposals/{proposal.id}/decide", {"decision": "dismiss", "note": "x"}
        ).status_code
        == 403
    )
    assert budi_proposal(db).status == "proposed"


def test_decision_without_csrf_token_is_refused(as_supervisor, db) -> None:
    proposal = budi_proposal(db)
    response = as_supervisor.client.post(
        f"/discipline/proposals/{proposal.id}/decide", data={"decision": "dismiss", "note": "x"}
    )
    assert response.status_code == 403 and budi_proposal(db).status == "proposed"


def test_unknown_proposal_flag_and_case_are_404(as_admin) -> None:
    for url in ("/discipline/proposals/999", "/discipline/flags/999", "/discipline/cases/999"):
        assert as_admin.get(url).status_code == 404


def test_counseling_case_from_a_flag_with_adjusted_hours_and_outcome(as_supervisor, db) -> None:
    flag = budi_flag(db)
    as_supervisor.get(f"/discipline/flags/{flag.id}")
    response = as_supervisor.post("/discipline/cases", {"employee_id": BUDI, "flag_id": str(flag.id)})
    assert response.status_code == 303
    case_url = response.headers["location"]
    assert budi_flag(db).status == "counseling"
    page = as_supervisor.get(case_url)
    assert "Kehadiran sebelum dan sesudah" in page.text

    bad = as_supervisor.post(
        case_url,
        {
            "counseled_on": "2026-11-31",
            "adjusted_start": "9:00",
            "adjusted_end": "08:00",
            "adjusted_from": "2026-11-12",
        },
    )
    assert bad.status_code == 400 and "Tanggal tidak sah" in bad.text
    bad = as_supervisor.post(
        case_url,
        {
            "counseled_on": "2026-11-11",
            "adjusted_start": "09:00",
            "adjusted_end": "08:00",
            "adjusted_from": "2026-11-12",
        },
    )
    assert bad.status_code == 400 and "Jam pulang harus setelah jam masuk" in bad.text
    with db.session() as session:
        assert session.scalar(select(tables.AdjustedHours)) is None

    ok = as_supervisor.post(
        case_url,
        {
            "counseled_on": "2026-11-11",
            "cause": "Mengantar anak sekolah",
            "agreed_action": "Masuk 08:00",
            "adjusted_start": "08:00",
            "adjusted_end": "16:30",
            "adjusted_from": "2026-11-12",
            "follow_up_on": "2026-12-11",
        },
    )
    assert ok.status_code == 303
    with db.session() as session:
        hours = session.scalar(select(tables.AdjustedHours))
        assert hours is not None and hours.hours["0"] == ["08:00", "16:30"] and "4" in hours.hours
        assert hours.start_date == date(2026, 11, 12) and hours.end_date is None
        assert session.scalar(select(tables.DirtyDay).where(tables.DirtyDay.employee_id == BUDI))
        case = session.scalar(select(CounselingCase))
        assert case.cause == "Mengantar anak sekolah" and case.adjusted_hours_id == hours.id
    page = as_supervisor.get(case_url)
    assert "Jam kerja 08:00–16:30" in page.text

    note = as_supervisor.post(case_url + "/notes", {"text": "Pegawai menyanggupi."})
    assert note.status_code == 303
    assert as_supervisor.post(case_url + "/notes", {"text": " "}).status_code == 400
    assert as_supervisor.post(case_url, {"close": "1"}).status_code == 400  # outcome first
    done = as_supervisor.post(
        case_url, {"counseled_on": "2026-11-11", "outcome": "Tepat waktu sejak itu", "close": "1"}
    )
    assert done.status_code == 303
    assert budi_flag(db).status == "closed"
    page = as_supervisor.get(case_url)
    assert "Pegawai menyanggupi." in page.text and "Tepat waktu sejak itu" in page.text


def test_attendance_before_and_after_counseling(as_supervisor, db) -> None:
    as_supervisor.get("/discipline")
    url = as_supervisor.post("/discipline/cases", {"employee_id": BUDI}).headers["location"]
    as_supervisor.post(url, {"counseled_on": "2026-11-11"})
    with db.session() as session:
        case = session.scalar(select(CounselingCase))
        from server.web.routes.counseling import before_after

        effect = before_after(session, case, date(2026, 12, 4))
    assert effect["before"]["absent"] == 5 and effect["after"]["absent"] == 0
    assert effect["after"]["present_rate"] == 100.0


def test_cases_cannot_be_opened_outside_the_units(as_supervisor) -> None:
    as_supervisor.get("/discipline")
    assert as_supervisor.post("/discipline/cases", {"employee_id": ANDI}).status_code == 403
    assert as_supervisor.post("/discipline/cases", {"employee_id": "nobody"}).status_code == 404
