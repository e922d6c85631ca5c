"""`hadir-kiosk doctor` against the simulator: a healthy kiosk and each common fault, with its fix."""

from __future__ import annotations

import argparse
import getpass
import io
import subprocess
from collections import namedtuple
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gpiozero.pins.mock import MockFactory

from kiosk.app.doctor import Check, Probe, run_checks
from kiosk.commands import doctor as doctor_command
from kiosk.settings import KioskSettings, parse_settings
from kiosk.sync.outbox import Outbox
from simulator.lcd import PCF8574LCD
from simulator.r307 import R307Emulator
from tests.conftest import free_tcp_port, require_binary

pytestmark = pytest.mark.mosquitto

Usage = namedtuple("Usage", "total used free")
GIB = 1024**3
KEY = "ab" * 32


@pytest.fixture
def broker(make_mosquitto: Callable[..., Any], tmp_path: Path) -> Any:
    passwd = require_binary("/usr/bin/mosquitto_passwd", "mosquitto")
    password_file = tmp_path / "passwd"
    subprocess.run([passwd, "-c", "-b", str(password_file), "k1", "right-password"], check=True)
    password_file.chmod(0o644)
    # Started as root, Mosquitto drops to its own user, which cannot enter pytest's private tmp dirs.
    return make_mosquitto(f"allow_anonymous false\npassword_file {password_file}\nuser {getpass.getuser()}")


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[R307Emulator]:
    with R307Emulator(link=tmp_path / "ttyR307", password=0x1234) as emu:
        emu.preload(0, "siti")
        yield emu


def make_settings(tmp_path: Path, port: str, broker_port: int, **changes: Any) -> KioskSettings:
    marker = tmp_path / "synchronized"
    marker.touch()
    data: dict[str, Any] = {
        "kiosk": {"id": "k1", "data_dir": str(tmp_path / "data")},
        "sensor": {"port": port, "password": 0x1234, "touch_pin": 17, "timeout": 0.3},
        "display": {"lcd_address": 0x27},
        "mqtt": {
            "host": "127.0.0.1",
            "port": broker_port,
            "username": "k1",
            "password": "right-password",
            "key": KEY,
        },
        "clock": {"synced_marker": str(marker)},
        "health": {"control_socket": str(tmp_path / "control.sock")},
    }
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        data[section][key] = value
    return parse_settings(data)


def probe_for(settings: KioskSettings, tmp_path: Path, **overrides: Any) -> Probe:
    boot = tmp_path / "boot"
    boot.mkdir(exist_ok=True)
    (boot / "config.txt").write_text("[all]\nenable_uart=1\ndtparam=i2c_arm=on\n", encoding="utf-8")
    (boot / "cmdline.txt").write_text("console=tty1 root=PARTUUID=abc rootwait\n", encoding="utf-8")
    lcd = PCF8574LCD(None, address=0x27)
    lcd.bus_number = 1
    values: dict[str, Any] = {
        "bus_factory": lcd.bus_factory,
        "pin_factory": MockFactory(),
        "disk_usage": lambda path: Usage(32 * GIB, 8 * GIB, 24 * GIB),
        "boot_config": boot / "config.txt",
        "boot_cmdline": boot / "cmdline.txt",
    }
    values.update(overrides)
    return Probe(settings, lang="en", **values)


def results(probe: Probe) -> dict[str, Check]:
    return {check.name: check for check in run_checks(probe)}


def test_a_healthy_kiosk_passes_everything(tmp_path: Path, emulator: R307Emulator, broker: Any) -> None:
    settings = make_settings(tmp_path, emulator.port, broker.port)
    out = io.StringIO()
    code = doctor_command.run(None, probe_for(settings, tmp_path), out)  # type: ignore[arg-type]
    text = out.getvalue()
    assert code == 0, text
    assert "FAIL" not in text
    for name in (
        "serial port",
        "uart config",
        "sensor",
        "lcd",
        "gpio pins",
        "broker",
        "clock",
        "disk",
        "outbox",
    ):
        assert f"PASS  {name}" in text
    assert "1 of 1000 templates stored" in text
    assert "all checks passed" in text
    assert "right-password" not in text and KEY not in text


def expect_failure(probe: Probe, name: str, detail: str, fix: str) -> None:
    found = results(probe)
    failed = {n for n, c in found.items() if c.ok is False}
    assert failed == {name}, found
    assert detail in found[name].detail
    assert fix in found[name].fix


def test_no_sensor(tmp_path: Path, broker: Any) -> None:
    settings = make_settings(tmp_path, str(tmp_path / "ttyNothing"), broker.port)
    found = results(probe_for(settings, tmp_path))
    assert found["serial port"].ok is False and "enable the UART" in found["serial port"].fix
    assert found["sensor"].ok is False and "Pi TX (pin 8)" in found["sensor"].fix
    assert {n for n, c in found.items() if c.ok is False} == {"serial port", "sensor"}


def test_wrong_sensor_password(tmp_path: Path, emulator: R307Emulator, broker: Any) -> None:
    settings = make_settings(tmp_path, emulator.port, broker.port, sensor__password=0)
    expect_failure(probe_for(settings, tmp_path), "sensor", "refused the password", "[sensor] password")


def test_no_lcd(tmp_path: Path, emulator: R307Emulator, broker: Any) -> None:
    settings = make_settings(tmp_path, emulator.port, broker.port, display__lcd_address=0x3F)
    expect_failure(probe_for(settings, tmp_path), "lcd", "nothing answers at 0x3F", "i2cdetect -y 1")


def test_no_i2c_bus(tmp_path: Path, emulator: R307Emulator, broker: Any) -> None:
    settings = make_settings(tmp_path, emulator.port, broker.port, display__i2c_bus=3)
    expect_failure(probe_for(settings, tmp_path), "lcd", "no I2C bus 3", "do_i2c 0")


def test_broker_unreachable(tmp_path: Path, emulator: R307Emulator) -> None:
    settings = make_settings(tmp_path, emulator.port, free_tcp_port())
    expect_failure(probe_for(settings, tmp_path), "broker", "cannot reach 127.0.0.1", "hadir-server")


def test_bad_broker_credentials(tmp_path: Path, emulator: R307Emulator, broker: Any) -> None:
    settings = make_settings(tmp_path, emulator.port, broker.port, mqtt__password="wrong")
    expect_failure(
        probe_for(settings, tmp_path), "broker", "refused the credentials", "hadir-server kiosk add"
    )


def test_clock_unsynced(tmp_path: Path, emulator: R307Emulator, broker: Any) -> None:
    settings = make_settings(tmp_path, emulator.port, broker.port)
    settings.clock.synced_marker.unlink()
    expect_failure(probe_for(settings, tmp_path), "clock", "not synchronised", "timesyncd")


def test_disk_nearly_full(tmp_path: Path, emulator: R307Emulator, broker: Any) -> None:
    settings = make_settings(tmp_path, emulator.port, broker.port)
    probe = probe_for(
        settings, tmp_path, disk_usage=lambda path: Usage(32 * GIB, 32 * GIB - 50 * 2**20, 50 * 2**20)
    )
    expect_failure(probe, "disk", "only 50 MB free", "journalctl --vacuum-size")


def test_serial_console_on_the_uart(tmp_path: Path, emulator: R307Emulator, broker: Any) -> None:
    settings = make_settings(tmp_path, emulator.port, broker.port)
    probe = probe_for(settings, tmp_path)
    probe.boot_cmdline.write_text("console=serial0,115200 console=tty1 root=x\n", encoding="utf-8")
    expect_failure(probe, "uart config", "console=serial0", "do_serial_cons 1")


def test_pin_in_use(tmp_path: Path, emulator: R307Emulator, broker: Any) -> None:
    settings = make_settings(tmp_path, emulator.port, broker.port, display__red_led_pin=5)
    expect_failure(probe_for(settings, tmp_path), "gpio pins", "GPIO5", "pin numbers")


def test_damaged_outbox_files_are_reported(tmp_path: Path, emulator: R307Emulator, broker: Any) -> None:
    settings = make_settings(tmp_path, emulator.port, broker.port)
    with Outbox(settings.outbox_dir) as outbox:
        outbox.append({"employee": "E1", "at": "2026-12-07T07:42:30+07:00"})
    segments = list((settings.outbox_dir / "segments").iterdir())
    segments[0].write_bytes(b"")
    expect_failure(probe_for(settings, tmp_path), "outbox", "damaged", "quarantine")


def test_a_broken_settings_file_is_the_first_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "kiosk.toml"
    bad.write_text('[kiosk]\nid = "k1"\n', encoding="utf-8")
    from kiosk.cli import main

    assert main(["--lang", "en", "doctor", "--config", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  settings" in out and "mqtt: missing" in out and "fix: fix the key named above" in out
    assert main(["doctor", "--config", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "GAGAL pengaturan" in out and "perbaikan: perbaiki kunci yang disebut di atas" in out


def test_a_healthy_kiosk_in_indonesian(tmp_path: Path, emulator: R307Emulator, broker: Any) -> None:
    settings = make_settings(tmp_path, emulator.port, broker.port)
    out = io.StringIO()
    args = argparse.Namespace(lang="id")
    assert doctor_command.run(args, probe_for(settings, tmp_path), out) == 0
    text = out.getvalue()
    assert "GAGAL" not in text and "semua pemeriksaan lulus" in text
    for label in (
        "port serial",
        "konfig UART",
        "sensor",
        "lcd",
        "pin GPIO",
        "broker",
        "jam",
        "disk",
        "outbox",
    ):
        assert f"LULUS {label}" in text
    assert "1 dari 1000 templat tersimpan" in text and "tersinkron sejak boot ini" in text


def test_a_failure_in_indonesian_names_its_fix(tmp_path: Path, emulator: R307Emulator, broker: Any) -> None:
    settings = make_settings(tmp_path, emulator.port, broker.port, display__lcd_address=0x3F)
    out = io.StringIO()
    assert doctor_command.run(argparse.Namespace(lang="id"), probe_for(settings, tmp_path), out) == 1
    text = out.getvalue()
    assert "GAGAL lcd" in text and "tidak ada yang menjawab di 0x3F pada bus I2C 1" in text
    assert "perbaikan: periksa SDA (pin 3)" in text and "1 pemeriksaan gagal" in text
