"""Reviewers: who may see and do what, CSRF, bad input, the audit trail, the counseling link."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from server.db.models_web import AuditEvent, CounselingCase
from server.db.models_whistle import WhistleReport
from tests.whistle.conftest import Reporter, jpeg_bytes, signed_in


def new_report(reporter: Reporter, db, unit: str | None = None, assignee: int | None = None) -> int:
    reporter.file_ok()
    with db.session() as session:
        report = session.scalars(select(WhistleReport).order_by(WhistleReport.id.desc())).first()
        assert report is not None
        report.unit = unit
        report.assignee_id = assignee
        return report.id


def actions(db) -> list[tuple[str, str]]:
    with db.session() as session:
        return [
            (e.action, e.subject_id)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if e.action.startswith("whistle.")
        ]


def test_review_pages_need_sign_in(app, reporter: Reporter, db) -> None:
    rid = new_report(reporter, db)
    for url in ("/whistle", f"/whistle/{rid}", f"/whistle/{rid}/evidence/1"):
        response = reporter.client.get(url)
        assert response.status_code == 303 and response.headers["location"].startswith("/signin"), url


def test_viewers_see_no_reports(app, users, reporter: Reporter, db) -> None:
    rid = new_report(reporter, db, unit="Umum")
    viewer = signed_in(app, "viewer")
    assert viewer.get("/whistle").status_code == 403
    assert viewer.get(f"/whistle/{rid}").status_code == 403
    assert viewer.post(f"/whistle/{rid}/ask", {"question": "?"}).status_code == 403


def test_supervisors_see_their_units_and_their_assignments_only(
    app, users, reporter: Reporter, db, as_supervisor
) -> None:
    untriaged = new_report(reporter, db)
    mine = new_report(reporter, db, unit="Umum")
    theirs = new_report(reporter, db, unit="Keuangan")
    assigned = new_report(reporter, db, unit="Keuangan", assignee=users["supervisor"])
    listing = as_supervisor.get("/whistle").text
    shown = {int(n) for n in re.findall(r'href="/whistle/(\d+)"', listing)}
    assert shown == {mine, assigned}
    assert as_supervisor.get(f"/whistle/{theirs}").status_code == 404
    assert as_supervisor.get(f"/whistle/{untriaged}").status_code == 404
    assert (
        as_supervisor.post(f"/whistle/{theirs}/close", {"outcome": "referred", "note": "x"}).status_code
        == 404
    )
    assert as_supervisor.get(f"/whistle/{mine}").status_code == 200
    admin = signed_in(app, "admin")
    assert {int(n) for n in re.findall(r'href="/whistle/(\d+)"', admin.get("/whistle").text)} == {
        untriaged,
        mine,
        theirs,
        assigned,
    }


def test_only_admins_assign(app, users, reporter: Reporter, db, as_supervisor, as_admin) -> None:
    rid = new_report(reporter, db, unit="Umum")
    assert (
        as_supervisor.post(f"/whistle/{rid}/assign", {"assignee": str(users["supervisor"])}).status_code
        == 403
    )
    assert as_admin.post(f"/whistle/{rid}/assign", {"assignee": str(users["viewer"])}).status_code == 400
    assert as_admin.post(f"/whistle/{rid}/assign", {"assignee": str(users["other"])}).status_code == 303
    with db.session() as session:
        assert session.get(WhistleReport, rid).assignee_id == users["other"]  # type: ignore[union-attr]
    assert ("whistle.assign", str(rid)) in actions(db)


def test_forms_without_the_csrf_token_are_rejected(app, users, reporter: Reporter, db, as_admin) -> None:
    rid = new_report(reporter, db)
    for path, data in (
        (f"/whistle/{rid}/ask", {"question": "?"}),
        (f"/whistle/{rid}/close", {"outcome": "referred", "note": "x"}),
        (f"/whistle/{rid}/triage", {"status": "triaged", "category": "other"}),
        (f"/whistle/{rid}/assign", {"assignee": str(users["admin"])}),
    ):
        response = as_admin.client.post(path, data=data)
        assert response.status_code == 403 and "Formulir kedaluwarsa" in response.text, path
    with db.session() as session:
        report = session.get(WhistleReport, rid)
        assert report is not None and report.status == "new" and report.messages == []


def test_triage_links_an_employee_and_their_counseling_case(
    app, users, reporter: Reporter, db, as_supervisor
) -> None:
    rid = new_report(reporter, db, unit="Umum")
    with db.session() as session:
        case = CounselingCase(
            employee_id="198001012005011001",
            opened_at=datetime(2026, 11, 1, tzinfo=UTC),
            opened_by=users["admin"],
            cause="",
            agreed_action="",
            outcome="",
        )
        other_case = CounselingCase(
            employee_id="199003032015031003",
            opened_at=datetime(2026, 11, 1, tzinfo=UTC),
            opened_by=users["admin"],
            cause="",
            agreed_action="",
            outcome="",
        )
        session.add_all([case, other_case])
        session.flush()
        case_id, other_case_id = case.id, other_case.id
    base = {"status": "investigating", "category": "proxy_punch", "unit": "Umum"}
    bad = as_supervisor.post(f"/whistle/{rid}/triage", {**base, "employee_id": "000"})
    assert bad.status_code == 400 and "Tidak ada pegawai dengan NIP ini" in bad.text
    outside = as_supervisor.post(f"/whistle/{rid}/triage", {**base, "employee_id": "199003032015031003"})
    assert outside.status_code == 400 and "di luar unit kerja Anda" in outside.text
    moved = as_supervisor.post(f"/whistle/{rid}/triage", {**base, "unit": "Keuangan"})
    assert moved.status_code == 400
    wrong_case = as_supervisor.post(
        f"/whistle/{rid}/triage", {**base, "employee_id": "198001012005011001", "case_id": str(other_case_id)}
    )
    assert wrong_case.status_code == 400 and "bukan milik pegawai" in wrong_case.text
    ok = as_supervisor.post(
        f"/whistle/{rid}/triage", {**base, "employee_id": "198001012005011001", "case_id": str(case_id)}
    )
    assert ok.status_code == 303
    detail = as_supervisor.get(f"/whistle/{rid}").text
    assert "Budi Santoso" in detail and "/employees/198001012005011001" in detail and f"#{case_id}" in detail
    with db.session() as session:
        report = session.get(WhistleReport, rid)
        assert report is not None
        assert (report.status, report.employee_id, report.counseling_case_id) == (
            "investigating",
            "198001012005011001",
            case_id,
        )
    assert ("whistle.triage", str(rid)) in actions(db)


def test_bad_close_input_is_clear_and_changes_nothing(reporter: Reporter, db, as_admin) -> None:
    rid = new_report(reporter, db)
    response = as_admin.post(f"/whistle/{rid}/close", {"outcome": "maybe", "note": ""})
    assert (
        response.status_code == 400
        and "Pilih hasilnya." in response.text
        and "Tulis keterangan hasil" in response.text
    )
    empty = as_admin.post(f"/whistle/{rid}/ask", {"question": "   "})
    assert empty.status_code == 400 and "Tulis pertanyaannya." in empty.text
    with db.session() as session:
        report = session.get(WhistleReport, rid)
        assert report is not None and report.status == "new" and report.messages == []
    assert as_admin.get("/whistle/abc").status_code == 404
    assert as_admin.get("/whistle/999").status_code == 404


def test_views_and_actions_are_audited_and_evidence_is_served_safely(
    reporter: Reporter, db, as_admin
) -> None:
    reporter.file_ok(files={"evidence": ("bukti.png", jpeg_bytes(), "image/png")})
    rid = re.findall(r'href="/whistle/(\d+)"', as_admin.get("/whistle").text)[0]
    detail = as_admin.get(f"/whistle/{rid}").text
    link = re.search(rf'href="(/whistle/{rid}/evidence/\d+)"', detail)
    assert link
    file = as_admin.get(link.group(1))
    assert file.status_code == 200 and file.headers["content-type"] == "image/jpeg"
    assert file.headers["content-disposition"].startswith("attachment;")
    assert file.content.startswith(b"\xff\xd8\xff")
    as_admin.post(f"/whistle/{rid}/ask", {"question": "Kapan?"})
    as_admin.post(f"/whistle/{rid}/close", {"outcome": "referred", "note": "Diteruskan."})
    assert [a for a, _ in actions(db)] == ["whistle.view", "whistle.evidence", "whistle.ask", "whistle.close"]
    with db.session() as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action.like("whistle.%"))))
        assert {e.username for e in events} == {"admin"}
    assert as_admin.post(f"/whistle/{rid}/ask", {"question": "Lagi?"}).status_code == 403  # closed


@pytest.mark.parametrize("lang", ["id", "en"])
def test_review_pages_in_both_languages(app, users, reporter: Reporter, db, lang) -> None:
    rid = new_report(reporter, db)
    admin = signed_in(app, "admin")
    admin.post("/lang", {"lang": lang, "next": "/whistle"})
    page = admin.get(f"/whistle/{rid}").text
    expected = {
        "id": "Identitas pelapor tidak disimpan",
        "en": "identity is not stored, so nobody can see it",
    }[lang]
    assert expected in page
    title = {"id": "Laporan anonim", "en": "Anonymous reports"}[lang]
    assert title in admin.get("/whistle").text
