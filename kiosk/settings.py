"""Typed kiosk settings, read from a TOML file (``/etc/hadir/kiosk.toml`` by default).

The file is the one ``hadir-server kiosk add`` writes for the technician, edited for the wiring on
site. Every value is validated when the kiosk starts; a bad or missing value raises
:class:`kiosk.errors.ConfigError` naming the file, the key and what is wrong. Secrets (the MQTT
password, the signing key, the sensor password) are :class:`pydantic.SecretStr` or kept out of
``repr`` so that they never reach a log line.

Example::

    settings = load_settings("/etc/hadir/kiosk.toml")
    settings.kiosk.id, settings.mqtt.host, settings.sensor.port
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from kiosk.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_PATH = Path("/etc/hadir/kiosk.toml")
ENV_PATH = "HADIR_KIOSK_CONFIG"

_KIOSK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KioskSection(_Section):
    """Who this kiosk is and where it keeps its data."""

    id: str
    office: str = ""
    lang: Literal["id", "en"] = "id"
    timezone: str = "Asia/Jakarta"
    data_dir: Path = Path("/var/lib/hadir")
    repeat_window_s: float = Field(default=60.0, ge=0, le=3600)
    retention_days: int = Field(default=30, ge=1, le=3650)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _KIOSK_ID.match(value):
            raise ValueError("letters, digits, '.', '_' and '-' only, at most 64 characters")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Jakarta, Asia/Makassar)") from exc
        return value


class SensorSection(_Section):
    """The R307 on the UART (a pyserial URL: /dev/serial0, a pty, spy://...)."""

    port: str = "/dev/serial0"
    baudrate: int = 57600
    password: SecretStr = SecretStr("0")
    address: int = Field(default=0xFFFFFFFF, ge=0, le=0xFFFFFFFF)
    touch_pin: int | None = Field(default=None, ge=0, le=27)
    timeout: float = Field(default=1.0, gt=0, le=30)
    security_level: int = Field(default=3, ge=1, le=5)

    @field_validator("baudrate")
    @classmethod
    def _r307_baud(cls, value: int) -> int:
        if value % 9600 or not 1 <= value // 9600 <= 12:
            raise ValueError("the R307 supports 9600 x N for N = 1..12 (57600 by default)")
        return value

    @field_validator("password", mode="before")
    @classmethod
    def _password_text(cls, value: Any) -> Any:
        # TOML gives the sensor password as a number; keep it secret as text.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("password")
    @classmethod
    def _password_word(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value()
        try:
            number = int(text, 0)
        except ValueError as exc:
            raise ValueError("a 32-bit number, decimal or 0x-hex") from exc
        if not 0 <= number <= 0xFFFFFFFF:
            raise ValueError("a 32-bit number, decimal or 0x-hex")
        return value

    @property
    def password_int(self) -> int:
        return int(self.password.get_secret_value(), 0)


class DisplaySection(_Section):
    """The 16x2 LCD behind its PCF8574 backpack, the LEDs and the buzzer (BCM pin numbers).

    ``show_summary`` puts the employee's month so far ("Des: 2x telat") on the LCD for
    ``summary_s`` seconds after the "recorded" screen. Off by default: the screen is visible to
    whoever queues behind, so an office turns it on deliberately.
    """

    lcd: bool = True
    i2c_bus: int = Field(default=1, ge=0)
    lcd_address: int = Field(default=0x27, ge=0x03, le=0x77)
    green_led_pin: int | None = Field(default=5, ge=0, le=27)
    red_led_pin: int | None = Field(default=6, ge=0, le=27)
    buzzer_pin: int | None = Field(default=13, ge=0, le=27)
    show_summary: bool = False
    summary_s: float = Field(default=3.0, ge=1, le=10)


class MqttSection(_Section):
    """The broker and this kiosk's credentials and signing key."""

    host: str = "127.0.0.1"
    port: int = Field(default=1883, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    tls: bool = False
    ca_file: Path | None = None
    key: SecretStr
    keepalive: int = Field(default=30, ge=5, le=3600)

    @field_validator("key")
    @classmethod
    def _hex_key(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value()
        try:
            raw = bytes.fromhex(text)
        except ValueError as exc:
            raise ValueError("the signing key must be hex (as written by `hadir-server kiosk add`)") from exc
        if len(raw) < 16:
            raise ValueError("the signing key must be at least 16 bytes (32 hex digits)")
        return value

    @property
    def key_bytes(self) -> bytes:
        return bytes.fromhex(self.key.get_secret_value())


class ClockSection(_Section):
    """Where the kiosk learns whether the wall clock is trustworthy."""

    synced_marker: Path = Path("/run/systemd/timesync/synchronized")


class HealthSection(_Section):
    """systemd integration."""

    watchdog: bool = True
    control_socket: Path = Path("/run/hadir-kiosk/control.sock")


class KioskSettings(_Section):
    """All of kiosk.toml. Sections other than ``[kiosk]`` and ``[mqtt]`` may be omitted."""

    kiosk: KioskSection
    sensor: SensorSection = SensorSection()
    display: DisplaySection = DisplaySection()
    mqtt: MqttSection
    clock: ClockSection = ClockSection()
    health: HealthSection = HealthSection()
    source: Path | None = Field(default=None, exclude=True)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.kiosk.timezone)

    @property
    def outbox_dir(self) -> Path:
        return self.kiosk.data_dir / "outbox"

    @property
    def state_dir(self) -> Path:
        return self.kiosk.data_dir / "state"


def default_path() -> Path:
    """``$HADIR_KIOSK_CONFIG`` if set, else ``/etc/hadir/kiosk.toml``."""
    env = os.environ.get(ENV_PATH)
    return Path(env) if env else DEFAULT_PATH


def _describe(error: Any) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "missing":
        return f"{key}: missing (required)"
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key (misspelt?)"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{key}: {message}"


def parse_settings(data: dict[str, Any], source: Path | None = None) -> KioskSettings:
    """Validate already-parsed TOML data; raise ConfigError listing every bad key."""
    where = str(source) if source else "settings"
    try:
        settings = KioskSettings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe(err) for err in exc.errors())
        raise ConfigError(f"{where}: {problems}") from None
    return settings.model_copy(update={"source": source})


def load_settings(path: str | os.PathLike[str] | None = None) -> KioskSettings:
    """Read and validate kiosk.toml. Raises ConfigError with the file and key on any problem."""
    file = Path(path) if path is not None else default_path()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{file}: not found; copy the file from `hadir-server kiosk add` there "
            f"or pass --config (see docs/technician.md)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML ({exc})") from None
    settings = parse_settings(data, file)
    log.debug("settings loaded from %s for kiosk %s", file, settings.kiosk.id)
    return settings
