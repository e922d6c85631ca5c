"""Every event in both languages, through LcdIndicator and the real RPLCD driver into the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from kiosk.display import events as ev
from kiosk.display.catalog import render
from kiosk.display.lcd import LcdIndicator
from simulator.lcd import PCF8574LCD

AT = datetime(2026, 12, 4, 7, 28, 41)
LATE = datetime(2026, 12, 4, 7, 42)
EARLY = datetime(2026, 12, 4, 15, 30)

# (event, id lines, en lines): the exact 16x2 contents on the glass.
CASES: list[tuple[ev.Event, tuple[str, str], tuple[str, str]]] = [
    (
        ev.Summary(month=12, late_days=2, early_days=0, absent_days=1),
        ("Des: 2x telat   ", "Awal 0x Alpa 1x "),
        ("Dec: 2x late    ", "Early 0x Abs 1x "),
    ),
    (
        ev.Idle("Kec. Ciracas", AT),
        ("  Kec. Ciracas  ", "Jum 04 Des 07:28"),
        ("  Kec. Ciracas  ", "Fri 04 Dec 07:28"),
    ),
    (
        ev.Idle("Dinas Kependudukan dan Pencatatan Sipil", datetime(2026, 8, 17, 0, 5)),
        ("Dinas Kependudu.", "Sen 17 Agu 00:05"),
        ("Dinas Kependudu.", "Mon 17 Aug 00:05"),
    ),
    (ev.Reading(), ("Memindai jari...", "Mohon tunggu    "), ("Reading finger  ", "Please wait...  ")),
    (
        ev.Recorded("Siti Aminah", AT),
        ("Siti Aminah     ", "07:28 Tepat     "),
        ("Siti Aminah     ", "07:28 On time   "),
    ),
    (
        ev.Recorded("Muhammad Rizky Pratama", LATE, late_minutes=12),
        ("M. Rizky Pratama", "07:42 Telat 12m "),
        ("M. Rizky Pratama", "07:42 Late 12m  "),
    ),
    (
        ev.Recorded("Budi", datetime(2026, 12, 4, 9, 35), late_minutes=125),
        ("Budi            ", "09:35 Telat 125m"),
        ("Budi            ", "09:35 Late 125m "),
    ),
    (
        ev.Recorded("Budi", datetime(2026, 12, 4, 23, 59), late_minutes=1439),
        ("Budi            ", "23:59 Telat     "),
        ("Budi            ", "23:59 Late 1439m"),
    ),
    (
        ev.Recorded("Dr. Ir. H. Bambang Sutrisno, M.Sc.", EARLY, early_minutes=30),
        ("Bambang Sutrisno", "15:30 Awal 30m  "),
        ("Bambang Sutrisno", "15:30 Early 30m "),
    ),
    (
        ev.Recorded("José “Pepe” Müller–Ñuñez", AT),
        ("J. Muller-Nunez ", "07:28 Tepat     "),
        ("J. Muller-Nunez ", "07:28 On time   "),
    ),
    (
        ev.AlreadyRecorded("Muhammad Rizky Pratama", AT),
        ("Sudah tercatat  ", "07:28 M. Pratama"),
        ("Already recorded", "07:28 M. Pratama"),
    ),
    (
        ev.AlreadyRecorded("Ani", AT),
        ("Sudah tercatat  ", "07:28 Ani       "),
        ("Already recorded", "07:28 Ani       "),
    ),
    (ev.NotRecognised(), ("Tidak dikenali  ", "Coba lagi       "), ("Not recognised  ", "Try again       ")),
    (ev.PoorImage(), ("Sidik jari buram", "Coba lagi       "), ("Print unclear   ", "Try again       ")),
    (ev.SensorOffline(), ("Sensor gangguan ", "Hubungi petugas "), ("Sensor fault    ", "Call technician ")),
    (
        ev.WorkingOffline(3),
        ("Mode luring     ", "3 belum terkirim"),
        ("Working offline ", "3 not yet sent  "),
    ),
    (
        ev.WorkingOffline(27),
        ("Mode luring     ", "27 blm terkirim "),
        ("Working offline ", "27 not yet sent "),
    ),
    (
        ev.WorkingOffline(1234567),
        ("Mode luring     ", "1234567 antre   "),
        ("Working offline ", "1234567 not sent"),
    ),
    (
        ev.ClockNotTrusted(),
        ("Jam blm sinkron ", "Data tetap aman "),
        ("Clock not synced", "Punches are kept"),
    ),
    (
        ev.NotRecorded("disk_full"),
        ("Tidak tercatat! ", "Memori penuh    "),
        ("Not recorded!   ", "Storage full    "),
    ),
    (
        ev.NotRecorded("Kartu SD rusak – ganti"),
        ("Tidak tercatat! ", "Kartu SD rusak. "),
        ("Not recorded!   ", "Kartu SD rusak. "),
    ),
    (
        ev.EnrollPlace("Siti Aminah"),
        ("Siti Aminah     ", "Tempelkan jari  "),
        ("Siti Aminah     ", "Place finger    "),
    ),
    (ev.EnrollLift(), ("Angkat jari     ", " " * 16), ("Lift finger     ", " " * 16)),
    (
        ev.EnrollPlaceAgain(),
        ("Tempelkan lagi  ", "jari yang sama  "),
        ("Place again     ", "the same finger "),
    ),
    (
        ev.EnrollDone("Siti Aminah", 42),
        ("Siti Aminah     ", "Terdaftar #42   "),
        ("Siti Aminah     ", "Enrolled #42    "),
    ),
    (
        ev.EnrollAlreadyEnrolled(7),
        ("Sudah terdaftar ", "di slot #7      "),
        ("Already enrolled", "in slot #7      "),
    ),
    (
        ev.EnrollFailed("mismatch"),
        ("Gagal mendaftar ", "Jari tidak sama "),
        ("Enrolment failed", "Prints differ   "),
    ),
    (
        ev.EnrollFailed("timeout"),
        ("Gagal mendaftar ", "Waktu habis     "),
        ("Enrolment failed", "Timed out       "),
    ),
]


@pytest.fixture(scope="module")
def screens() -> Iterator[dict[str, tuple[LcdIndicator, PCF8574LCD]]]:
    """One indicator per language, going from screen to screen like a kiosk does."""
    made = {}
    for lang in ("id", "en"):
        bus = PCF8574LCD(1)
        made[lang] = (LcdIndicator(port=1, lang=lang, bus_factory=bus.bus_factory), bus)
    yield made
    for indicator, _ in made.values():
        indicator.close()


def test_every_event_type_is_covered() -> None:
    covered = {type(event) for event, _, _ in CASES}
    assert covered == set(ev.Event.__args__)  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("event", "id_lines", "en_lines"), CASES, ids=[repr(c[0])[:40] for c in CASES])
def test_screen_on_the_glass(
    screens: dict[str, tuple[LcdIndicator, PCF8574LCD]],
    lang: str,
    event: ev.Event,
    id_lines: tuple[str, str],
    en_lines: tuple[str, str],
) -> None:
    indicator, bus = screens[lang]
    indicator.show(event)
    expected = id_lines if lang == "id" else en_lines
    assert bus.lines == expected
    assert indicator.screen == expected
    assert bus.backlight and bus.display_on


def test_default_language_is_indonesian() -> None:
    assert render(ev.NotRecognised()) == ("Tidak dikenali  ", "Coba lagi       ")


def test_unknown_language_and_non_event_are_rejected() -> None:
    with pytest.raises(ValueError, match="id, en"):
        render(ev.Reading(), "fr")
    with pytest.raises(ValueError, match="unsupported language"):
        LcdIndicator(lang="jv")
    with pytest.raises(TypeError, match="not a display event"):
        render("Recorded", "id")  # type: ignore[arg-type]
