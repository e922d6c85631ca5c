"""Rewards (eligibility, confirmation, PDF certificate) and reports (recap CSV/XLSX, yearly ledger)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.db.models_web import AuditEvent, RewardConfirmation
from tests.web.scenario import ANDI, BUDI, SITI


@pytest.fixture
def db(year_db):
    return year_db


def test_eligible_employees_with_evidence_confirm_and_certificate(as_supervisor, db) -> None:
    page = as_supervisor.get("/rewards?year=2026")
    assert page.status_code == 200
    assert "Siti Aminah" in page.text and "Budi Santoso" not in page.text
    assert "Tahun belum selesai" in page.text
    response = as_supervisor.post("/rewards/confirm", {"employee_id": SITI, "year": "2026"})
    assert response.status_code == 303
    as_supervisor.post("/rewards/confirm", {"employee_id": SITI, "year": "2026"})  # twice: still one
    with db.session() as session:
        confirmations = session.scalars(select(RewardConfirmation)).all()
        assert len(confirmations) == 1 and confirmations[0].certificate_no == "HDR/2026/00001"
    pdf = as_supervisor.get(f"/rewards/{confirmations[0].id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 1000
    with db.session() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
        assert {"reward.confirm", "certificate.download"} <= actions


def test_an_ineligible_employee_cannot_be_confirmed(as_supervisor, as_viewer, db) -> None:
    as_supervisor.get("/rewards")
    response = as_supervisor.post("/rewards/confirm", {"employee_id": BUDI, "year": "2026"})
    assert response.status_code == 400 and "tidak memenuhi syarat" in response.text
    as_viewer.get("/rewards")
    assert as_viewer.post("/rewards/confirm", {"employee_id": SITI, "year": "2026"}).status_code == 403
    assert as_supervisor.post("/rewards/confirm", {"employee_id": SITI, "year": "x"}).status_code == 404
    with db.session() as session:
        assert session.scalar(select(RewardConfirmation)) is None


def test_monthly_recap_page_and_files(as_admin, db) -> None:
    page = as_admin.get("/reports?year=2026&month=11")
    assert page.status_code == 200 and "Rekap absensi November 2026" in page.text
    csv = as_admin.get("/reports/recap.csv?year=2026&month=11")
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    text = csv.content.decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[0].startswith("NIP;Nama;Unit kerja;Hari kerja")
    budi = next(line for line in lines if line.startswith(BUDI)).split(";")
    assert budi[3] == "21" and budi[10] == "5.0"  # 21 working days in Nov 2026, 5 absent
    andi = next(line for line in lines if line.startswith(ANDI)).split(";")
    assert andi[5] == "5"  # late on five Mondays
    xlsx = as_admin.get("/reports/recap.xlsx?year=2026&month=11")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert set(book.sheetnames) >= {"Umum", "Keuangan"}
    sheet = book["Umum"]
    assert sheet["A1"].value.startswith("Rekap absensi November 2026")
    assert [c.value for c in sheet[2]][:2] == ["NIP", "Nama"]
    assert {sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)} == {BUDI, SITI}
    with db.session() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "report.export"))


def test_recap_follows_scope_and_language(as_supervisor) -> None:
    as_supervisor.post("/lang", {"lang": "en"})
    text = as_supervisor.get("/reports/recap.csv?year=2026&month=11").content.decode("utf-8-sig")
    assert text.startswith("Employee no.;Name;Unit;Working days")
    assert ANDI not in text and BUDI in text


def test_bad_period_falls_back_to_this_month(as_admin) -> None:
    page = as_admin.get("/reports?year=abc&month=13")
    assert page.status_code == 200 and "Desember 2026" in page.text


def test_yearly_ledger(as_admin) -> None:
    page = as_admin.get("/reports/ledger?year=2026")
    assert page.status_code == 200 and "Buku kehadiran 2026" in page.text
    csv = as_admin.get("/reports/ledger.csv?year=2026").content.decode("utf-8-sig")
    siti = next(line for line in csv.split("\r\n") if line.startswith(SITI)).split(";")
    assert siti[-1] == "Ya"
