"""`python -m simulator.r307` and `hadir-sim r307`: the ready line, control lines, help."""

from __future__ import annotations

import io
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from kiosk.sensor import Enrolled, EnrollStep, Match, NoMatch
from kiosk.sensor.r307 import R307Sensor
from simulator import cli as sim_cli
from simulator.r307 import R307Emulator
from simulator.r307.cli import control, serve
from tests.sensor.conftest import FakeClock, settings_for

ROOT = Path(__file__).resolve().parents[2]


def test_module_speaks_r307_on_its_link_and_obeys_control_lines(tmp_path: Path, clock: FakeClock) -> None:
    link = tmp_path / "ttyR307"
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator.r307", "--link", str(link)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout

    def say(line: str) -> str:
        stdin.write(line + "\n")
        stdin.flush()
        return stdout.readline().strip()

    try:
        assert stdout.readline().strip() == f"ready {link}"
        with R307Sensor(settings_for(str(link)), clock=clock) as sensor:

            def on_step(step: EnrollStep) -> None:
                assert say("lift" if step is EnrollStep.LIFT else "place alice").startswith("ok")

            assert sensor.enroll(on_step=on_step) == Enrolled(0)
            assert say("place alice") == "ok place"
            assert sensor.identify() == Match(0, 300)
            assert say("place mallory") == "ok place"
            assert sensor.identify() == NoMatch()
            assert say("noise 7") == "ok noise"
            assert sensor.count() == 1
            assert say("status") == "ok status templates=1 finger=mallory plugged=True"
            assert say("fly away").startswith("error:")
        assert say("quit") == "ok quit"
        assert proc.wait(timeout=10) == 0
        assert not link.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stdin.close()
        stdout.close()


def test_hadir_sim_r307_help_documents_the_control_lines(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        sim_cli.main(["r307", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for line in ("--link PATH", "place NAME", "lift", "noise N", "mute / unmute", "quit", "ready PATH"):
        assert line in out


def test_serve_in_process_until_end_of_input(tmp_path: Path) -> None:
    args = Namespace(link=str(tmp_path / "tty"), password=0, address=0xFFFFFFFF, packet_size=64,
                     realistic_timing=False)  # fmt: skip
    out = io.StringIO()
    assert serve(args, io.StringIO("place bob smudged\n\nmute\nunmute\nnoise -1\n"), out) == 0
    assert out.getvalue().splitlines() == [
        f"ready {tmp_path / 'tty'}",
        "ok place",
        "ok mute",
        "ok unmute",
        "error: N must not be negative",
    ]


def test_control_rejects_bad_lines() -> None:
    with R307Emulator() as emulator:
        assert control(emulator, ["place", "a", "sparkly"]).startswith("error: quality must be")
        assert control(emulator, ["noise", "many"]).startswith("error:")
        assert control(emulator, ["lift", "now"]).startswith("error: unknown or malformed")
        assert control(emulator, ["unplug"]) == "ok unplug"
        assert control(emulator, ["replug"]) == "ok replug"
