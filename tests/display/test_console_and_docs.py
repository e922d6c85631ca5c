"""The console indicator, the framed renderer, the generated docs page and `hadir-sim lcd`."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from rich.console import Console

from kiosk.display import events as ev
from kiosk.display.console import ConsoleIndicator, frame
from kiosk.display.indicator import CompositeIndicator, Indicator
from kiosk.errors import DisplayError
from simulator import screens
from simulator.cli import main as sim_main

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 4, 7, 28, 30)


def make_console() -> tuple[ConsoleIndicator, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, width=40, color_system=None, force_terminal=False)
    return ConsoleIndicator(lang="en", console=console), out


def test_console_draws_the_framed_screen() -> None:
    indicator, out = make_console()
    indicator.show(ev.Recorded("Muhammad Rizky Pratama", NOW, late_minutes=3))
    assert out.getvalue().splitlines() == [
        "┌────────────────┐",
        "│M. Rizky Pratama│",
        "│07:28 Late 3 min│",
        "└────────────────┘",
    ]


def test_console_idle_clock_once_a_minute() -> None:
    indicator, out = make_console()
    indicator.show(ev.Idle("Kec. Ciracas", NOW))
    indicator.tick(NOW.replace(second=59))
    assert out.getvalue().count("┌") == 1
    indicator.tick(NOW.replace(minute=29))
    assert out.getvalue().count("┌") == 2
    assert "Fri 04 Dec 07:29" in out.getvalue()
    indicator.close()


def test_console_redraws_in_place_on_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, width=40, force_terminal=True, color_system=None)
    with ConsoleIndicator(lang="id", console=console) as indicator:
        assert indicator.in_place
        indicator.show(ev.Reading())
        indicator.show(ev.NotRecognised())
    drawn = out.getvalue()
    assert "Memindai jari..." in drawn and "│Tidak dikenali  │" in drawn
    assert "\x1b[" in drawn  # cursor movement: the frame was redrawn where it stood
    indicator.close()


def test_frame_without_backlight_and_long_lines() -> None:
    assert frame(("x" * 20, ""), backlight=False).splitlines() == [
        "+----------------+",
        "|" + "x" * 16 + "|",
        "|" + " " * 16 + "|",
        "+----------------+",
    ]


class Broken(Indicator):
    """An indicator whose device fails on every call, as a burnt-out board would."""

    def __init__(self) -> None:
        self.calls = 0

    def show(self, event: ev.Event) -> None:
        self.calls += 1
        raise DisplayError("board gone")

    def tick(self, now: datetime) -> None:
        raise OSError(5, "I/O error")

    def close(self) -> None:
        raise DisplayError("board gone")


def test_composite_keeps_going_past_a_failing_indicator(caplog: pytest.LogCaptureFixture) -> None:
    console, out = make_console()
    broken = Broken()
    with CompositeIndicator([broken, console]) as composite:
        composite.show(ev.NotRecognised())
        composite.tick(NOW)
    assert broken.calls == 1
    assert "Not recognised" in out.getvalue()
    assert "Broken.show failed: board gone" in caplog.text


def test_docs_page_is_generated_from_the_emulator_and_up_to_date() -> None:
    page = ROOT / "docs" / "screens.md"
    assert screens.main(["--check", str(page)]) == 0, (
        "run: python -m simulator.screens --markdown docs/screens.md"
    )
    text = page.read_text(encoding="utf-8")
    for title, _ in screens.SAMPLES:
        assert f"## {title}\n" in text
    assert "│M. Rizky Pratama│  │M. Rizky Pratama│" in text
    assert "│07:42 Telat 12m │  │07:42 Late 12m  │" in text


def test_check_reports_a_stale_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "screens.md"
    stale.write_text("# old\n", encoding="utf-8")
    assert screens.main(["--lang", "en", "--check", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert screens.main(["--check", str(stale)]) == 1
    assert "sudah usang" in capsys.readouterr().err
    assert screens.main(["--markdown", str(stale)]) == 0
    assert screens.main(["--check", str(stale)]) == 0


def test_hadir_sim_lcd_prints_every_screen(capsys: pytest.CaptureFixture[str]) -> None:
    assert sim_main(["lcd", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.count("┌────────────────┐") == len(screens.SAMPLES)
    assert "Not recognised [en]" in out
    assert "│Tidak dikenali  │" not in out
