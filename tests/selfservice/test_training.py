"""Training sessions: attendance computed from kiosk punches in the window, reports, certificates, flags."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert, select

from server.db import models_rules as tables
from server.db.models import Punch
from server.db.models_selfservice import TrainingFlag
from server.rules import DEFAULT_PACK, loads_pack
from tests.selfservice.scenario import ANDI, BUDI, SITI, row

DAY = date(2026, 12, 3)


def schedule(as_admin, **overrides: str):
    fields = {
        "title": "Sosialisasi PP 94/2021",
        "day": DAY.isoformat(),
        "start": "09:00",
        "end": "11:00",
        "place": "Aula lantai 2",
        "kiosks": "plaju-2",
        "units": "Umum",
        "employees": ANDI,
        "mandatory": "1",
        **overrides,
    }
    as_admin.get("/training")
    return as_admin.post("/training", fields)


def seed_session_punches(db) -> None:
    with db.session() as session:
        session.execute(
            insert(Punch),
            [
                row(SITI, DAY, 9, 5, kiosk="plaju-2"),  # in the window at the session's kiosk
                row(SITI, DAY, 10, 30, kiosk="plaju-2"),  # a second punch: still one attendance
                row(BUDI, DAY, 9, 10, kiosk="plaju-1"),  # the wrong kiosk
                row(ANDI, DAY, 11, 30, kiosk="plaju-2"),  # after the window
            ],
        )
        session.commit()


def test_attendance_comes_from_punches_at_the_sessions_kiosks_in_its_window(as_admin, db) -> None:
    seed_session_punches(db)
    made = schedule(as_admin)
    assert made.status_code == 303
    report = as_admin.get(made.headers["location"])
    assert report.status_code == 200
    assert "1 dari 3 undangan hadir" in report.text
    assert f'data-employee="{SITI}" data-attended="1"' in report.text
    assert f'data-employee="{BUDI}" data-attended="0"' in report.text
    assert f'data-employee="{ANDI}" data-attended="0"' in report.text
    assert "Hadir 09:05" in report.text
    csv = as_admin.get(made.headers["location"] + "?format=csv").text.splitlines()
    assert csv[0] == "employee_id,name,unit,invited,attended,attended_at"
    assert any(line.startswith(f"{SITI},Siti Aminah,Umum,1,1,2026-12-03T09:05:00+07:00") for line in csv)
    assert any(line.startswith(f"{BUDI},Budi Santoso,Umum,1,0,") for line in csv)


def test_training_punches_still_count_for_the_workday(as_admin, db) -> None:
    seed_session_punches(db)
    schedule(as_admin)
    with db.session() as session:
        queued = {(d.employee_id, d.day) for d in session.scalars(select(tables.DirtyDay))}
    assert (SITI, DAY) in queued  # the ordinary punch path queued the day for the rule engine


def test_a_walk_in_is_listed_apart_from_the_invited(as_admin, db) -> None:
    seed_session_punches(db)
    made = schedule(as_admin, units="", employees=BUDI)
    report = as_admin.get(made.headers["location"]).text
    assert "0 dari 1 undangan hadir" in report and "Tidak diundang" in report


def test_certificates_only_for_those_who_attended(as_admin, as_siti, as_budi, db) -> None:
    seed_session_punches(db)
    location = schedule(as_admin).headers["location"]
    pdf = as_admin.get(f"{location}/certificate/{SITI}")
    assert (
        pdf.status_code == 200
        and pdf.content.startswith(b"%PDF")
        and pdf.headers["content-type"] == "application/pdf"
    )
    assert as_admin.get(f"{location}/certificate/{BUDI}").status_code == 404
    session_id = location.rsplit("/", 1)[1]
    assert as_siti.get(f"/me/training/{session_id}/certificate").content.startswith(b"%PDF")
    assert as_budi.get(f"/me/training/{session_id}/certificate").status_code == 404
    year = as_budi.get("/me/year").text
    assert "Sosialisasi PP 94/2021" in year and "Tidak hadir" in year
    assert "Hadir 09:05" in as_siti.get("/me/year").text


def test_bad_sessions_are_refused_with_the_field_named(as_admin, as_supervisor) -> None:
    for overrides, message in (
        ({"title": " "}, "Isi judul sesi"),
        ({"end": "08:00"}, "Jam selesai harus setelah jam mulai"),
        ({"kiosks": "nowhere"}, "Kios nowhere tidak dikenal"),
        ({"employees": "123", "units": ""}, "Pegawai 123 tidak dikenal"),
        ({"employees": "", "units": ""}, "Undang minimal satu"),
        ({"day": "besok"}, "TTTT-BB-HH"),
    ):
        response = schedule(as_admin, **overrides)
        assert response.status_code == 400, overrides
        assert message in response.text, message
    assert schedule(as_supervisor).status_code == 403


def test_repeatedly_missed_mandatory_sessions_raise_a_flag_as_the_pack_says(
    app, as_admin, as_budi, db, clock
) -> None:
    text = DEFAULT_PACK.read_text(encoding="utf-8").replace(
        "missed_mandatory_flag = 3", "missed_mandatory_flag = 2"
    )
    app.state.pack = loads_pack(text)
    seed_session_punches(db)
    schedule(as_admin)
    schedule(as_admin, start="13:00", end="14:00", title="Sosialisasi kedua")
    schedule(as_admin, start="14:00", end="15:00", title="Tidak wajib", mandatory="")
    listing = as_admin.get("/training").text
    with db.session() as session:
        flags = {
            f.employee_id: f
            for f in session.scalars(select(TrainingFlag).where(TrainingFlag.active.is_(True)))
        }
    assert set(flags) == {BUDI, ANDI}  # Siti attended the first; both mandatory ones missed by Budi and Andi
    assert len(flags[BUDI].sessions) == 2 and "Budi Santoso" in listing
    assert "Tidak mengikuti 2 pelatihan wajib" in as_budi.get("/me/year").text
    # Budi's excuse arrives as a punch inside the second window: the flag is retired.
    with db.session() as session:
        session.execute(insert(Punch), [row(BUDI, DAY, 13, 5, kiosk="plaju-2")])
        session.commit()
    as_admin.get("/training")
    with db.session() as session:
        flag = session.scalars(select(TrainingFlag).where(TrainingFlag.employee_id == BUDI)).one()
        assert flag.active is False
    assert clock.now == datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
