"""`hadir-kiosk enroll`, `status` and `outbox` against a running kiosk (over its control socket)
and, for `outbox` and `status`, with the kiosk stopped."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.app.runner import Devices, KioskRunner
from kiosk.cli import main
from kiosk.sensor.r307 import R307Sensor, SensorSettings
from kiosk.settings import load_settings
from simulator.r307 import R307Emulator
from tests.kiosk.conftest import ROSTER
from tests.kiosk.helpers import Facts, Screens
from tests.kiosk.helpers import wait_until as wait_for


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f"""
[kiosk]
id = "k1"
data_dir = "{tmp_path / "data"}"

[mqtt]
key = "{"cd" * 32}"

[clock]
synced_marker = "{tmp_path / "synchronized"}"

[health]
control_socket = "{tmp_path / "control.sock"}"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def kiosk(config: Path, tmp_path: Path) -> Iterator[tuple[KioskRunner, R307Emulator, Screens]]:
    settings = load_settings(config)
    with R307Emulator(link=tmp_path / "ttyR307") as emulator:
        screens = Screens(emulator)
        sensor = R307Sensor(SensorSettings(port=emulator.port, timeout=0.5))
        runner = KioskRunner(settings, Devices(sensor, screens, Facts()), identify_poll_s=0.1)
        runner.roster.update(ROSTER)
        thread = threading.Thread(target=runner.run, kwargs={"install_signals": False})
        thread.start()
        assert runner.started.wait(10)
        try:
            yield runner, emulator, screens
        finally:
            runner.stop()
            thread.join(10)


def test_enroll_status_and_outbox_through_the_running_kiosk(kiosk, config: Path, capsys) -> None:
    runner, emulator, screens = kiosk
    screens.finger = "siti"
    assert main(["enroll", "--config", str(config), "E1"]) == 0
    assert "Enrolled E1 in page 0" in capsys.readouterr().out
    screens.finger = ""

    emulator.lift()
    wait_for(lambda: not runner.app.awaiting_lift, "the lift")
    emulator.place("siti")
    wait_for(lambda: runner.outbox.stats().pending == 1, "the punch")

    assert main(["status", "--config", str(config), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["kiosk"] == "k1" and status["state"] == "idle" and status["sensor_online"] is True
    assert (
        status["unsynced"] == 1 and status["enrolled_here"] == 1 and status["pending_template_uploads"] == 1
    )
    assert "cd" * 32 not in json.dumps(status)

    assert main(["outbox", "--config", str(config), "--pending", "5"]) == 0
    out = capsys.readouterr().out
    assert "pending" in out and "#1" in out and "E1" in out

    with pytest.raises(SystemExit) as refused:
        main(["enroll", "--config", str(config), "NOBODY"])
    assert refused.value.code == 1
    assert "hadir-kiosk: error: employee NOBODY is not in this kiosk's roster" in capsys.readouterr().err


def test_with_the_kiosk_stopped(config: Path, capsys) -> None:
    assert main(["status", "--config", str(config)]) == 3
    assert "not running" in capsys.readouterr().out
    assert main(["outbox", "--config", str(config)]) == 0
    assert "pending" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        main(["enroll", "--config", str(config), "E1"])
    assert refused.value.code == 1
    assert "systemctl start hadir-kiosk" in capsys.readouterr().err
