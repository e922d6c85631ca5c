"""Today: live counts per unit from today's punches, leave and adjusted hours; offline kiosks."""

from __future__ import annotations

from datetime import date, time

import pytest

from server.evaluation import record_excuse, set_adjusted_hours
from tests.web.data import at, punch
from tests.web.scenario import ANDI, BUDI, SITI

TODAY = date(2026, 12, 4)  # a Friday; the clock says 08:00 WIB


@pytest.fixture
def db(year_db):
    return year_db


def row(page_text: str, unit: str) -> list[str]:
    import re

    match = re.search(rf'<td><a href="/employees\?unit={unit}">{unit}</a></td>(.*?)</tr>', page_text, re.S)
    assert match, unit
    return re.findall(r'<td class="num">(\d+)</td>', match.group(1))


def test_counts_per_unit(as_admin, db) -> None:
    punch(db, SITI, at(TODAY, 7, 20))
    punch(db, BUDI, at(TODAY, 7, 52))
    page = as_admin.get("/today")
    assert page.status_code == 200
    assert page.headers["refresh"] == "60"
    # present, late, absent, excused, off, total
    assert row(page.text, "Umum") == ["1", "1", "0", "0", "0", "2"]
    assert row(page.text, "Keuangan") == ["0", "0", "1", "0", "0", "1"]  # Andi not in; Rahmat has left
    assert "Budi Santoso</a> (22 menit)" in page.text
    assert "1 kios luring" in page.text and "plaju-2" in page.text


def test_leave_and_adjusted_hours_are_respected(as_admin, db) -> None:
    with db.session() as session:
        record_excuse(session, ANDI, TODAY, TODAY, "dinas_luar")
        set_adjusted_hours(session, BUDI, date(2026, 12, 1), None, {4: (time(9, 0), time(17, 0))})
    punch(db, BUDI, at(TODAY, 7, 52))
    page = as_admin.get("/today")
    assert row(page.text, "Keuangan") == ["0", "0", "0", "1", "0", "1"]
    assert row(page.text, "Umum")[:3] == ["1", "0", "1"]  # Budi is early for his 09:00; Siti not in


def test_supervisor_sees_only_own_units(as_supervisor) -> None:
    page = as_supervisor.get("/today")
    assert "Umum" in page.text and "Keuangan" not in page.text


def test_a_holiday_is_off_duty(anon, users, clock) -> None:
    from datetime import UTC, datetime

    clock.now = datetime(2026, 12, 25, 2, 0, tzinfo=UTC)  # Christmas
    anon.sign_in("admin")
    page = anon.get("/today")
    assert row(page.text, "Umum") == ["0", "0", "0", "0", "2", "2"]
