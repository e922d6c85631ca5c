"""The employee page on an evaluated year: heatmap, day records with reasons, leave, adjusted hours."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server.db import models_rules as tables
from tests.web.scenario import BUDI


@pytest.fixture
def db(year_db):
    return year_db


def test_heatmap_has_a_square_per_day_coloured_by_status(as_viewer) -> None:
    page = as_viewer.get(f"/employees/{BUDI}?year=2026&month=11")
    assert page.status_code == 200
    text = page.text
    cells = re.findall(r'<a href="\?year=2026&amp;month=\d+#days" class="(s-[a-z]+)"', text)
    assert len(cells) == 365 and cells.count("s-absent") == 5
    assert cells[0] == "s-holiday"  # 1 January
    assert "Tidak masuk (5)" in text
    assert "Tidak masuk tanpa alasan yang sah" in text  # a day record's reason
    assert "5.0 hari" in text  # the ledger


def test_day_reasons_follow_the_language(as_viewer) -> None:
    as_viewer.post("/lang", {"lang": "en"})
    page = as_viewer.get(f"/employees/{BUDI}?year=2026&month=11")
    assert "Absent without a valid reason" in page.text and "Attendance 2026" in page.text


def test_supervisor_records_leave_and_the_days_are_queued(as_supervisor, db) -> None:
    as_supervisor.get(f"/employees/{BUDI}")
    response = as_supervisor.post(
        f"/employees/{BUDI}/leave",
        {
            "kind": "sakit",
            "start": "2026-11-09",
            "end": "2026-11-10",
            "portion": "full",
            "note": "Surat dokter",
        },
    )
    assert response.status_code == 303
    with db.session() as session:
        excuse = session.scalar(select(tables.Excuse))
        assert excuse is not None and excuse.kind == "sakit" and excuse.created_by == "supervisor"
        queued = set(session.scalars(select(tables.DirtyDay.day).where(tables.DirtyDay.employee_id == BUDI)))
        assert len(queued) == 2
    page = as_supervisor.get(f"/employees/{BUDI}?year=2026&month=11")
    assert "Surat dokter" in page.text and "Sakit" in page.text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"kind": "liburan", "start": "2026-11-09"}, "Pilih jenis cuti"),
        ({"kind": "sakit", "start": "kemarin"}, "Tanggal tidak sah"),
        ({"kind": "sakit", "start": "2026-11-10", "end": "2026-11-09"}, "sebelum tanggal mulai"),
        ({"kind": "izin", "start": "2026-11-09", "end": "2026-11-10", "portion": "am"}, "satu tanggal"),
        ({"kind": "izin", "start": "2026-11-09", "portion": "night"}, "Pilih sehari penuh"),
    ],
)
def test_bad_leave_input_saves_nothing(as_supervisor, db, form, message) -> None:
    as_supervisor.get(f"/employees/{BUDI}")
    response = as_supervisor.post(f"/employees/{BUDI}/leave", form)
    assert response.status_code == 400 and message in response.text
    with db.session() as session:
        assert session.scalar(select(tables.Excuse)) is None


def test_viewer_cannot_record_leave(as_viewer) -> None:
    as_viewer.get(f"/employees/{BUDI}")
    assert "Catat cuti/izin" not in as_viewer.get(f"/employees/{BUDI}").text
    assert (
        as_viewer.post(f"/employees/{BUDI}/leave", {"kind": "sakit", "start": "2026-11-09"}).status_code
        == 403
    )
