"""Kiosk fleet health, the employee list, search, scope, CSV import and the detail page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from server.db.models import Employee
from server.db.models_rules import DirtyDay
from server.db.models_web import AuditEvent
from server.evaluation.loading import last_employed_day
from tests.web.data import at, punch, seed_core

BUDI = "198001012005011001"
ANDI = "199003032015031003"


@pytest.fixture
def seeded(db):
    seed_core(db)
    return db


def test_fleet_shows_health_and_raises_alarms(as_viewer, seeded) -> None:
    page = as_viewer.get("/kiosks")
    assert page.status_code == 200
    text = page.text
    assert "1 / 2" in text  # plaju-2 has not been heard of for 3 hours: offline
    assert "5 hilang" in text and "#121–125" in text
    assert "Tidak sinkron" in text and "-95.0 s" in text
    assert "42" in text  # templates on the sensor
    assert "celah nomor urut" in text  # the alarm banner


def test_fleet_page_with_no_kiosks(as_viewer) -> None:
    assert "Belum ada kios" in as_viewer.get("/kiosks").text


def test_list_search_and_filters(as_admin, seeded) -> None:
    page = as_admin.get("/employees")
    assert "4 pegawai" in page.text and "Budi Santoso" in page.text
    assert "Siti Aminah" in as_admin.get("/employees?q=siti").text
    assert "1 pegawai" in as_admin.get("/employees?q=siti").text
    assert "1 pegawai" in as_admin.get(f"/employees?q={ANDI[:8]}").text
    assert "2 pegawai" in as_admin.get("/employees?unit=Keuangan").text
    assert "1 pegawai" in as_admin.get("/employees?office=makassar").text
    assert as_admin.get("/employees?page=abc").status_code == 200


def test_pagination(as_admin, seeded, db) -> None:
    with db.session() as session:
        session.add_all(
            Employee(id=f"9{n:05d}", name=f"Pegawai {n:03d}", office_id="plaju", unit="Umum")
            for n in range(120)
        )
    first = as_admin.get("/employees")
    assert "Halaman 1 dari 3" in first.text
    last = as_admin.get("/employees?page=99")
    assert "Halaman 3 dari 3" in last.text


def test_supervisor_sees_only_own_units(as_supervisor, seeded) -> None:
    page = as_supervisor.get("/employees")
    assert "2 pegawai" in page.text and "Andi Wijaya" not in page.text
    assert as_supervisor.get(f"/employees/{BUDI}").status_code == 200
    denied = as_supervisor.get(f"/employees/{ANDI}")
    assert denied.status_code == 403 and "di luar unit kerja" in denied.text


def test_detail_shows_punches_with_clock_marks_and_is_audited(as_viewer, seeded, db) -> None:
    punch(db, BUDI, at(date(2026, 12, 1), 7, 21))
    punch(db, BUDI, at(date(2026, 12, 1), 16, 5), trusted=False)
    punch(db, BUDI, at(date(2026, 12, 2), 7, 40), corrected_from=datetime(2026, 1, 1, 0, 0, tzinfo=UTC))
    page = as_viewer.get(f"/employees/{BUDI}?year=2026&month=12")
    assert page.status_code == 200
    assert "07:21" in page.text and "16:05" in page.text
    assert "Jam tidak tepercaya" in page.text and "Dikoreksi" in page.text
    with db.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "employee.view"))
        assert event is not None and event.username == "viewer" and event.subject_id == BUDI


def test_detail_of_unknown_employee_is_404(as_admin) -> None:
    assert as_admin.get("/employees/nobody").status_code == 404


def test_detail_with_nonsense_month_falls_back(as_admin, seeded) -> None:
    page = as_admin.get(f"/employees/{BUDI}?year=abc&month=99")
    assert page.status_code == 200 and "Desember" in page.text


CSV_OK = (
    "nip;nama;kantor;unit;aktif\n"
    "200001012020011001;Dewi Lestari;plaju;Umum;ya\n"
    f"{BUDI};Budi Santoso, S.E.;plaju;Umum;1\n"
).encode()


def upload(browser, content: bytes, name: str = "pegawai.csv"):
    return browser.client.post(
        "/employees/import", data={"csrf_token": browser.csrf}, files={"file": (name, content, "text/csv")}
    )


def test_import_creates_and_updates(as_admin, seeded, db) -> None:
    as_admin.get("/employees")
    response = upload(as_admin, CSV_OK)
    assert response.status_code == 200
    assert "1 pegawai baru, 1 diperbarui" in response.text
    with db.session() as session:
        assert session.get(Employee, BUDI).name == "Budi Santoso, S.E."
        assert session.get(Employee, "200001012020011001").unit == "Umum"
        assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "employees.import"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"nama,unit\nX,Umum\n", "Kolom wajib tidak ada: nip, kantor"),
        (b"nip,nama,kantor\n1,Ana,mars\n", "Kantor mars tidak dikenal"),
        (b"nip,nama,kantor\n1,Ana,plaju\n1,Ani,plaju\n", "sudah muncul di baris 2"),
        (b"nip,nama,kantor\n,Ana,plaju\n", "NIP kosong"),
        (b"nip,nama,kantor\n1,,plaju\n", "Nama kosong"),
        (b"nip,nama,kantor,aktif\n1,Ana,plaju,mungkin\n", "Nilai aktif mungkin"),
        (b"\xff\xfe\x00n", "bukan teks UTF-8"),
        (b"", "tidak berisi data"),
        (b"nip,nama,kantor\n", "tidak berisi data"),
    ],
)
def test_bad_csv_is_rejected_whole_with_reasons(as_admin, seeded, db, content, message) -> None:
    as_admin.get("/employees")
    response = upload(as_admin, content)
    assert response.status_code == 400
    assert message in response.text
    with db.session() as session:
        assert session.query(Employee).count() == 4


def test_one_bad_row_saves_nothing(as_admin, seeded, db) -> None:
    as_admin.get("/employees")
    content = CSV_OK + b"300001012020011001;Tanpa Kantor;;Umum;ya\n"
    response = upload(as_admin, content)
    assert response.status_code == 400 and "Baris" in response.text
    with db.session() as session:
        assert session.get(Employee, "200001012020011001") is None
        assert session.get(Employee, BUDI).name == "Budi Santoso"


def test_only_admins_import(as_supervisor, seeded) -> None:
    as_supervisor.get("/employees")
    assert upload(as_supervisor, CSV_OK).status_code == 403
    assert "Impor pegawai" not in as_supervisor.get("/employees").text


def test_import_without_a_file_is_a_clear_error(as_admin, seeded) -> None:
    as_admin.get("/employees")
    response = as_admin.post("/employees/import", {})
    assert response.status_code == 400 and "Isian tidak sah: file" in response.text


def test_templates_on_the_sensor_against_the_server(as_viewer, seeded, db) -> None:
    from server.db.models_templates import EmployeeTemplate

    with db.session() as session:
        session.add(
            EmployeeTemplate(employee_id=BUDI, office_id="plaju", page=1, sealed="x", source_kiosk="plaju-1")
        )
    text = as_viewer.get("/kiosks").text
    assert "42 / 1" in text and "Belum sama" in text


def test_import_deactivating_an_employee_queues_re_evaluation_from_the_leaving_date(
    as_admin, seeded, db
) -> None:
    as_admin.get("/employees")
    response = upload(
        as_admin, f"nip;nama;kantor;unit;aktif\n{BUDI};Budi Santoso;plaju;Umum;tidak\n".encode()
    )
    assert response.status_code == 200
    with db.session() as session:
        budi = session.get(Employee, BUDI)
        assert budi is not None and not budi.active and budi.left_at is not None
        queued = session.scalars(select(DirtyDay.day).where(DirtyDay.employee_id == BUDI)).all()
        assert queued == [last_employed_day(budi.left_at, "Asia/Jakarta") + timedelta(days=1)]
