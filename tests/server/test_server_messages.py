"""The server's CLI catalog (server/messages.py) and `hadir-server` output in both languages."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

import server.cli
from server.messages import LANGS, MESSAGES, resolve_lang, t


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_key_has_both_languages_with_the_same_parameters(key: str) -> None:
    entry = MESSAGES[key]
    assert set(entry) == set(LANGS), key
    assert all(entry[lang].strip() for lang in LANGS), key
    assert fields(entry["id"]) == fields(entry["en"]), key


def test_the_language_comes_from_the_option_then_the_environment_then_indonesian() -> None:
    assert resolve_lang("en", {"HADIR_LANG": "id"}) == "en"
    assert resolve_lang(None, {"HADIR_LANG": "en"}) == "en"
    assert resolve_lang(None, {"HADIR_LANG": "xx"}) == "id"
    assert resolve_lang(None, {}) == "id"
    assert t("kiosk.added", "id", kiosk="k1", office="p") == "Kios k1 ditambahkan di kantor p"


def hadir(db: str, *args: str) -> int:
    return server.cli.main(["--db", db, *args])


def test_kiosk_add_and_broker_config_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, var = f"sqlite:///{tmp_path / 'h.sqlite3'}", str(tmp_path / "var")
    add = ["kiosk", "add", "k1", "--office", "p", "--office-name", "P", "--var", var]
    assert hadir(db, *add, "-o", str(tmp_path / "a.toml")) == 0
    out = capsys.readouterr().out
    assert "Kios k1 ditambahkan di kantor p" in out
    assert f"pengaturan kios (beserta rahasianya) ditulis ke {tmp_path / 'a.toml'}" in out
    assert "salin berkas itu ke /etc/hadir/kiosk.toml di kios" in out
    monkeypatch.setenv("HADIR_LANG", "en")
    assert hadir(db, *add, "--rotate", "-o", str(tmp_path / "b.toml")) == 0
    out = capsys.readouterr().out
    assert "kiosk k1 provisioned in office p" in out and "copy that file to /etc/hadir/kiosk.toml" in out
    assert hadir(db, "--lang", "id", *add, "--rotate", "-o", str(tmp_path / "c.toml")) == 0
    assert "Kios k1 ditambahkan" in capsys.readouterr().out  # --lang wins over HADIR_LANG

    with pytest.raises(SystemExit):
        hadir(db, "broker-config", "--var", var)
    assert "hadir-server: error: TLS needs --certfile and --keyfile" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        hadir(db, "--lang", "id", "broker-config", "--var", var)
    assert "hadir-server: kesalahan: TLS memerlukan --certfile dan --keyfile" in capsys.readouterr().err
    out_dir = tmp_path / "mosq"
    assert hadir(db, "--lang", "id", "broker-config", "--var", var, "--no-tls", "-o", str(out_dir)) == 0
    assert f"{out_dir}/passwd (2 pengguna)" in capsys.readouterr().out


EMPLOYEES = "employee_id,name,office,unit,ladder,employed_from\ne1,Budi,plaju,Umum,asn,2026-07-01\n"
PUNCHES = "employee_id,timestamp,kiosk_id\ne1,2026-07-06T07:48:00+07:00,k9\ne1,2026-07-06T16:05:00+07:00,k9\n"


def test_import_and_evaluate_table_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "240")
    db = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    (tmp_path / "e.csv").write_text(EMPLOYEES, encoding="utf-8")
    (tmp_path / "p.csv").write_text(PUNCHES, encoding="utf-8")
    assert hadir(db, "import", "employees", str(tmp_path / "e.csv")) == 0
    assert "employees: 1 baris dibaca, 1 baru" in capsys.readouterr().out
    assert hadir(db, "--lang", "en", "import", "punches", str(tmp_path / "p.csv")) == 0
    assert "punches: 2 rows read, 2 new" in capsys.readouterr().out

    evaluate = ["evaluate", "--year", "2026", "--as-of", "2026-07-10", "--format", "table", "--workers", "1"]
    assert hadir(db, *evaluate) == 0
    out = capsys.readouterr().out
    assert "Pegawai" in out and "Terlambat" in out and "Pulang cepat" in out and "e1" in out
    assert hadir(db, "--lang", "en", *evaluate) == 0
    out = capsys.readouterr().out
    assert "Employee" in out and "Late" in out and "Pegawai" not in out
    assert hadir(db, *evaluate, "--lang", "en") == 0  # the command's own --lang still works
    assert "Employee" in capsys.readouterr().out

    assert hadir(db, *evaluate, "--employee", "zz") == 1
    assert "pegawai tidak dikenal: zz" in capsys.readouterr().err
    assert hadir(db, "--lang", "en", *evaluate, "--employee", "zz") == 1
    assert "unknown employee(s): zz" in capsys.readouterr().err
