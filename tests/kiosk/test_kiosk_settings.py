"""kiosk.toml: validated at start-up, errors name the key, secrets never shown."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.errors import ConfigError
from kiosk.settings import load_settings, parse_settings

KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

GOOD = f"""
[kiosk]
id = "plaju-01"
office = "Kantor Camat Plaju"
data_dir = "/var/lib/hadir"

[sensor]
port = "/dev/serial0"
password = 0x1234
touch_pin = 17

[mqtt]
host = "10.0.0.2"
port = 8883
username = "plaju-01"
password = "s3cret-broker-pass"
tls = true
key = "{KEY}"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_complete_file_loads_with_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD))
    assert settings.kiosk.id == "plaju-01"
    assert settings.kiosk.repeat_window_s == 60
    assert settings.sensor.password_int == 0x1234
    assert settings.sensor.baudrate == 57600
    assert settings.display.lcd_address == 0x27
    assert settings.mqtt.key_bytes == bytes.fromhex(KEY)
    assert settings.outbox_dir == Path("/var/lib/hadir/outbox")
    assert str(settings.tz) == "Asia/Jakarta"


def test_secrets_never_appear_in_repr_or_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    settings = load_settings(write(tmp_path, GOOD))
    shown = repr(settings) + str(settings) + caplog.text
    for secret in ("s3cret-broker-pass", KEY, "4660", "0x1234"):
        assert secret not in shown


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("port = 8883", 'port = "eighty"'), "mqtt.port"),
        (('id = "plaju-01"', 'id = "plaju 01!"'), "kiosk.id: letters, digits"),
        (("password = 0x1234", 'password = "abc"'), "sensor.password: a 32-bit number"),
        (('port = "/dev/serial0"', 'port = "/dev/serial0"\nbaudrate = 56000'), "sensor.baudrate"),
        ((f'key = "{KEY}"', 'key = "zz"'), "mqtt.key: the signing key must be hex"),
        ((f'key = "{KEY}"', 'key = "abcd"'), "mqtt.key: the signing key must be at least 16 bytes"),
        (("touch_pin = 17", "touch_pin = 17\ntuch = 3"), "sensor.tuch: unknown key"),
        (('office = "Kantor Camat Plaju"', 'timezone = "Mars/Olympus"'), "kiosk.timezone: unknown time zone"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, GOOD.replace(*change)))
    assert expected in str(info.value)
    assert str(tmp_path / "kiosk.toml") in str(info.value)
    assert KEY not in str(info.value)


def test_missing_sections_are_reported_together() -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings({})
    assert "kiosk: missing" in str(info.value)
    assert "mqtt: missing" in str(info.value)


def test_missing_file_says_where_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="hadir-server kiosk add"):
        load_settings(tmp_path / "nope.toml")


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[kiosk\nid="))


def test_env_variable_names_the_default_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HADIR_KIOSK_CONFIG", str(write(tmp_path, GOOD)))
    assert load_settings().kiosk.office == "Kantor Camat Plaju"


def test_the_example_in_deploy_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "deploy" / "kiosk.toml.example"
    settings = load_settings(example)
    assert settings.kiosk.lang == "id"
