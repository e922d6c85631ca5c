"""The employee's own month and year, as the rule engine stored them, and the kiosk's monthly summary."""

from __future__ import annotations

from datetime import UTC, datetime

from server.roster import RosterConfig
from tests.selfservice.scenario import BUDI, NOW, SITI


def test_the_month_shows_each_day_with_the_engines_reasons(as_budi) -> None:
    page = as_budi.get("/me?year=2026&month=11").text
    assert "Kehadiran November 2026" in page
    # Mondays at 07:50: 20 minutes late, band TL1, with the engine's own explanation.
    assert 'data-day="2026-11-02" data-status="late"' in page
    assert "Terlambat 20 menit (masuk 07:50, jadwal 07:30): TL1" in page
    assert (
        'data-day="2026-11-24" data-status="absent"' in page and "Tidak masuk tanpa alasan yang sah" in page
    )
    assert '<div class="stat" id="late-days"><b>5</b>' in page
    assert '<div class="stat" id="late-minutes"><b>100</b>' in page
    assert '<div class="stat" id="unexcused-days"><b>2</b>' in page


def test_the_year_shows_the_ledger_against_the_pp94_ladder(as_siti, as_budi) -> None:
    siti = as_siti.get("/me/year").text
    assert "Belum ada hari tanpa alasan sah" in siti
    assert "3 hari lagi tanpa alasan sah akan berujung pada: Teguran lisan" in siti
    budi = as_budi.get("/me/year").text
    assert "Sudah mencapai: Teguran lisan" in budi
    assert "1 hari lagi tanpa alasan sah akan berujung pada: Teguran tertulis" in budi
    assert "posisi Anda" in budi and "diusulkan" in budi
    assert "Belum memenuhi syarat penghargaan" in budi
    as_budi.post("/lang", {"lang": "en", "next": "/me/year"})
    english = as_budi.get("/me/year").text
    assert "1 more days without a valid reason lead to: Teguran tertulis" in english


def test_the_kiosk_roster_carries_each_employees_monthly_summary(db) -> None:
    config = RosterConfig(db, clock=lambda: NOW)("plaju-1")
    entries = {e["employee"]: e for e in config["settings"]["roster"]}
    # 1–3 December: Budi absent on the 1st, no out-punch on the 2nd; Siti clean.
    assert entries[BUDI]["summary"] == {"month": 12, "late": 0, "early": 0, "absent": 1}
    assert entries[SITI]["summary"] == {"month": 12, "late": 0, "early": 0, "absent": 0}
    november = RosterConfig(db, clock=lambda: datetime(2026, 11, 30, 5, 0, tzinfo=UTC))("plaju-1")
    budi = next(e for e in november["settings"]["roster"] if e["employee"] == BUDI)
    assert budi["summary"] == {"month": 11, "late": 5, "early": 0, "absent": 2}
