"""Transliteration to the HD44780 A00 ROM and the name-shortening rule."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.display import events as ev
from kiosk.display.catalog import render
from kiosk.display.text import cut, first_fitting, name_candidates, pad, shorten_name, transliterate

ROM_SAFE = {chr(code) for code in range(0x20, 0x7E)} - {"\\"}


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("José Müller", "Jose Muller"),
        ("“Hadir” – ‘ok’…", "\"Hadir\" - 'ok'..."),
        ("Straße Øresund Łódź", "Strasse Oresund Lodz"),
        ("C:\\path ~home", "C:/path -home"),
        ("Ñuñez Çelik Ångström", "Nunez Celik Angstrom"),
        ("tab\there\nnewline", "tab herenewline"),
        ("日本", "??"),
        ("ﬁ ½", "fi 1/2"),
    ],
)
def test_transliterate(raw: str, shown: str) -> None:
    assert transliterate(raw) == shown


@pytest.mark.parametrize(
    ("name", "width", "shown"),
    [
        ("Muhammad Rizky Pratama", 16, "M. Rizky Pratama"),
        ("Muhammad Rizky Pratama", 15, "M. R. Pratama"),
        ("Muhammad Rizky Pratama", 12, "M. Pratama"),
        ("Muhammad Rizky Pratama", 8, "M. Prat."),
        ("Siti Aminah, S.Kom., M.T.", 16, "Siti Aminah"),
        ("Siti Aminah, S.Kom.", 20, "Siti Aminah, S.Kom."),
        ("Dr. Ir. H. Bambang Sutrisno, M.Sc.", 16, "Bambang Sutrisno"),
        ("Dr. Ir. H. Bambang Sutrisno Wibowo", 16, "B. S. Wibowo"),
        ("Sukarno", 16, "Sukarno"),
        ("Pratamawijayakusumaningrat", 16, "Pratamawijayaku."),
        ("Ahmad Pratamawijayakusumaningrat", 16, "A. Pratamawijay."),
        ("  siti   aminah  ", 16, "siti aminah"),
        ("Ni Luh Putu Ayu Kartika Dewi", 16, "N. Dewi"),
        ("I Gede Made Wirawan", 16, "I. G. M. Wirawan"),
    ],
)
def test_shorten_name(name: str, width: int, shown: str) -> None:
    assert shorten_name(name, width) == shown


def test_shortening_steps_are_listed_longest_first() -> None:
    assert name_candidates("Dr. Muhammad Rizky Pratama, S.T.") == [
        "Dr. Muhammad Rizky Pratama, S.T.",
        "Dr. Muhammad Rizky Pratama",
        "Muhammad Rizky Pratama",
        "M. Rizky Pratama",
        "M. R. Pratama",
        "M. Pratama",
    ]


def test_first_fitting_and_cut() -> None:
    assert first_fitting(("{n} belum terkirim", "{n} antre"), n=5) == "5 belum terkirim"
    assert first_fitting(("{n} belum terkirim", "{n} antre"), n=12345) == "12345 antre"
    assert first_fitting(("x" * 20,)) == "x" * 15 + "."
    assert cut("abc") == "abc"
    assert pad("abc", align="right") == " " * 13 + "abc"
    assert pad("abc", align="center") == "      abc       "


@given(st.text(max_size=60), st.integers(min_value=3, max_value=16))
def test_shortened_names_never_overflow_and_stay_in_rom(name: str, width: int) -> None:
    shown = shorten_name(name, width)
    assert len(shown) <= width
    assert set(shown) <= ROM_SAFE


@given(
    name=st.text(max_size=60),
    minutes=st.integers(min_value=0, max_value=1439),
    reason=st.text(max_size=40),
    unsynced=st.integers(min_value=0, max_value=10**9),
    page=st.integers(min_value=0, max_value=1999),
    lang=st.sampled_from(["id", "en"]),
)
def test_every_screen_is_exactly_16x2_rom_safe(
    name: str, minutes: int, reason: str, unsynced: int, page: int, lang: str
) -> None:
    at = datetime(2026, 1, 1, minutes // 60, minutes % 60)
    for event in (
        ev.Idle(name, at),
        ev.Recorded(name, at, late_minutes=minutes),
        ev.Recorded(name, at, early_minutes=minutes),
        ev.AlreadyRecorded(name, at),
        ev.WorkingOffline(unsynced),
        ev.NotRecorded(reason),
        ev.EnrollPlace(name),
        ev.EnrollDone(name, page),
        ev.EnrollAlreadyEnrolled(page),
        ev.EnrollFailed(reason),
    ):
        lines = render(event, lang)
        assert len(lines) == 2
        assert all(len(line) == 16 and set(line) <= ROM_SAFE for line in lines), (event, lines)
