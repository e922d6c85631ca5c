"""The kiosk's CLI catalog (kiosk/messages.py): both languages everywhere, and how the language is chosen."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

import simulator.cli
from kiosk.messages import LANGS, MESSAGES, resolve_lang, t


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_key_has_both_languages_with_the_same_parameters(key: str) -> None:
    entry = MESSAGES[key]
    assert set(entry) == set(LANGS), key
    assert all(entry[lang].strip() for lang in LANGS), key
    assert fields(entry["id"]) == fields(entry["en"]), key


def test_the_two_languages_differ_where_words_are_translated() -> None:
    assert t("doctor.all_passed", "id") == "semua pemeriksaan lulus"
    assert t("doctor.all_passed", "en") == "all checks passed"
    assert t("doctor.failed", "id", count=2) == "2 pemeriksaan gagal"
    assert t("doctor.fix", "en", fix="reboot") == "fix: reboot"


def test_the_language_comes_from_the_option_then_the_environment_then_indonesian() -> None:
    assert resolve_lang("en", {"HADIR_LANG": "id"}) == "en"
    assert resolve_lang(None, {"HADIR_LANG": "en"}) == "en"
    assert resolve_lang(None, {"HADIR_LANG": " EN "}) == "en"
    assert resolve_lang(None, {"HADIR_LANG": "fr"}) == "id"
    assert resolve_lang(None, {}) == "id"


def test_a_missing_parameter_is_an_error_not_a_silent_gap() -> None:
    with pytest.raises(KeyError):
        t("enroll.start", "id")


@pytest.mark.parametrize("command", [[], ["lcd"], ["demo"], ["r307"]])
def test_hadir_sim_help_paths(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        simulator.cli.main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: hadir-sim")
    if not command:
        assert "--lang {id,en}" in out


def test_hadir_sim_lcd_check_in_both_languages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "screens.md"
    stale.write_text("# old\n", encoding="utf-8")
    assert simulator.cli.main(["lcd", "--check", str(stale)]) == 1
    assert f"{stale} sudah usang" in capsys.readouterr().err
    assert simulator.cli.main(["--lang", "en", "lcd", "--check", str(stale)]) == 1
    assert f"{stale} is out of date" in capsys.readouterr().err
    page = tmp_path / "new.md"
    assert simulator.cli.main(["lcd", "--markdown", str(page)]) == 0
    assert f"{page} ditulis" in capsys.readouterr().out
    assert simulator.cli.main(["lcd", "--check", str(page)]) == 0


def test_hadir_sim_demo_errors_in_both_languages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    var = str(tmp_path / "demo")
    with pytest.raises(SystemExit):
        simulator.cli.main(["demo", "--headless", "--days", "0", "--var", var])
    assert "hadir-sim: kesalahan: --days minimal 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        simulator.cli.main(["--lang", "en", "demo", "--headless", "--days", "0", "--var", var])
    assert "hadir-sim: error: --days must be at least 1" in capsys.readouterr().err
