"""``hadir-server import`` and ``hadir-server evaluate``, run in-process on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

import server.cli
from server.db import connect
from server.db import models as core
from server.db import models_rules as tables


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    out = {
        "employees": "employee_id,name,office,unit,ladder,employed_from\n"
        "e1,Budi,plaju,Umum,asn,2026-07-01\ne2,Siti,plaju,Keuangan,contract,2026-07-01\n",
        "punches": "employee_id,timestamp,kiosk_id\n"
        "e1,2026-07-06T07:28:00+07:00,k9\ne1,2026-07-06T16:05:00+07:00,k9\n"
        "e2,2026-07-06T00:45:00Z,\ne2,2026-07-06T16:00:00+07:00,\n",
        "leaves": "employee_id,start,end,kind,portion\ne1,2026-07-07,2026-07-08,cuti_tahunan,full\n"
        "e2,2026-07-09,2026-07-09,izin,am\n",
        "bad_punches": "employee_id,timestamp,kiosk_id\ne1,2026-07-07T07:30:00+07:00,\n"
        "e1,2026-07-07 16:00,\nzz,2026-07-07T07:30:00+07:00,\ne1,2026-07-08T07:30:00+07:00\n",
        "bad_leaves": "employee_id,start,end,kind\n"
        "e1,2026-07-10,2026-07-09,cuti\ne2,10/07/2026,2026-07-10,sakit\n",
        "wrong_header": "nip,waktu\ne1,2026-07-07T07:30:00+07:00\n",
    }
    paths = {}
    for name, text in out.items():
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def hadir(db_url: str, *args: str) -> int:
    return server.cli.main(["--db", db_url, *args])


def count(db_url: str, table: type) -> int:
    db = connect(db_url)
    try:
        with db.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()
    finally:
        db.close()


def test_import_and_evaluate(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    assert hadir(url, "import", "employees", str(files["employees"])) == 0
    assert hadir(url, "import", "punches", str(files["punches"])) == 0
    assert hadir(url, "import", "punches", str(files["punches"])) == 0  # idempotent
    assert count(url, core.Punch) == 4
    assert hadir(url, "import", "leaves", str(files["leaves"]), "--lang", "en") == 0
    out = capsys.readouterr().out
    assert "punches: 4 baris dibaca, 4 baru" in out and "punches: 4 baris dibaca, 0 baru" in out
    assert "leaves: 2 rows read, 2 new" in out
    capsys.readouterr()
    assert (
        hadir(url, "evaluate", "--year", "2026", "--as-of", "2026-07-10", "--format", "json", "--lang", "en")
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["year"] == 2026 and report["as_of"] == "2026-07-10"
    e1, e2 = report["employees"]
    assert e1["employee_id"] == "e1"
    assert e1["days"]["present"] == 1 and e1["days"]["excused"] == 2 and e1["unexcused_days"] == 5
    assert e1["proposal"]["level"] == "light" and e1["proposal"]["threshold"] == 4
    assert e1["proposal"]["status"] == "proposed" and e1["proposal"]["reasons"]
    assert {f["kind"] for f in e1["flags"]} == {"consecutive_absence"}
    assert all(isinstance(f["reason"], str) for f in e1["flags"])
    assert e1["reward_eligible"] is False and e1["reward_reasons"][0] == "8 working days evaluated"
    assert e2["late_minutes"] == 15 and e2["proposal"]["article"].startswith("Peraturan daerah")
    assert set(e1) >= {
        "employee_id",
        "days",
        "late_minutes",
        "early_minutes",
        "unexcused_days",
        "converted_days",
        "total_days",
        "proposal",
        "flags",
        "reward_eligible",
    }
    assert hadir(url, "evaluate", "--year", "2026", "--as-of", "2026-07-10", "--employee", "e2") == 0
    assert "e2" in capsys.readouterr().out


def test_bad_files_import_nothing_and_name_each_line(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    hadir(url, "import", "employees", str(files["employees"]))
    with pytest.raises(SystemExit) as info:
        hadir(url, "import", "punches", str(files["bad_punches"]), "--lang", "en")
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert "nothing imported, 3 bad rows" in err
    assert "line 3: timestamp '2026-07-07 16:00' must be ISO 8601" in err
    assert "line 4: employee 'zz' is unknown" in err and "line 5: wrong number of columns" in err
    assert count(url, core.Punch) == 0  # the good first row was not kept either
    with pytest.raises(SystemExit):
        hadir(url, "import", "leaves", str(files["bad_leaves"]))
    err = capsys.readouterr().err
    assert "baris 2: tanggal selesai sebelum tanggal mulai" in err and "baris 3: tanggal '10/07/2026'" in err
    assert count(url, tables.Excuse) == 0 and count(url, tables.DirtyDay) == 0
    with pytest.raises(SystemExit):
        hadir(url, "import", "punches", str(files["wrong_header"]), "--lang", "en")
    assert (
        "line 1: the columns must be employee_id,timestamp,kiosk_id, not nip,waktu" in capsys.readouterr().err
    )


def test_evaluate_refuses_a_future_year_and_unknown_employees(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    hadir(url, "import", "employees", str(files["employees"]))
    with pytest.raises(SystemExit):
        hadir(url, "evaluate", "--year", "2999")
    assert "has not started" in capsys.readouterr().err
    assert hadir(url, "evaluate", "--year", "2026", "--as-of", "2026-07-10", "--employee", "nobody") == 1
