"""`hadir-kiosk doctor`: every check a technician needs on site, each failure with its fix.

Each check is a function of a :class:`Probe` (the settings plus injectable seams: the serial opener,
the I2C bus factory, the gpiozero pin factory, the disk-usage function, the Pi's boot files), so the
same checks run on a Pi and against the simulator in tests. When the kiosk service is running it
owns the sensor, the pins and the outbox; the device checks then ask it over the control socket
instead of opening the devices a second time.
"""

from __future__ import annotations

import logging
import re
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import serial

from kiosk.app.control import ControlError, NotRunning, request
from kiosk.errors import KioskError
from kiosk.messages import DEFAULT_LANG, t
from kiosk.settings import KioskSettings
from kiosk.sync import clock as sync_clock

log = logging.getLogger(__name__)

MIN_FREE_BYTES = 200 * 1024 * 1024
MIN_FREE_FRACTION = 0.05
BROKER_TIMEOUT_S = 5.0
STALE_BACKLOG = timedelta(days=1)


@dataclass(frozen=True)
class Check:
    """One line of the report: ``ok`` is True (pass), False (fail) or None (skipped).

    ``name`` is the check's stable id (``"serial port"``); :func:`check_label` gives its name in a
    language. ``detail`` and ``fix`` are already in the probe's language.
    """

    name: str
    ok: bool | None
    detail: str
    fix: str = ""


@dataclass
class Probe:
    """What the checks look at; every seam can be replaced (tests use the simulator)."""

    settings: KioskSettings
    serial_opener: Callable[..., Any] = serial.serial_for_url
    bus_factory: Callable[[int], Any] | None = None
    pin_factory: Any = None
    disk_usage: Callable[[str], Any] = shutil.disk_usage
    boot_config: Path = Path("/boot/firmware/config.txt")
    boot_cmdline: Path = Path("/boot/firmware/cmdline.txt")
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    sensor_factory: Callable[[KioskSettings], Any] | None = None
    running: dict[str, Any] | None = None
    lang: str = DEFAULT_LANG

    def say(self, key: str, **params: Any) -> str:
        """A catalog text (:mod:`kiosk.messages`) in this probe's language."""
        return t(key, self.lang, **params)


def check_label(name: str, lang: str) -> str:
    """The name of check ``name`` (its stable id) as shown to a technician in ``lang``."""
    return t("check." + name.replace(" ", "_"), lang)


def _fail(name: str, detail: str, fix: str) -> Check:
    return Check(name, False, detail, fix)


def check_serial_port(probe: Probe) -> Check:
    s = probe.settings.sensor
    if probe.running is not None:
        return Check("serial port", None, probe.say("serial.busy", port=s.port))
    try:
        port = probe.serial_opener(s.port, baudrate=s.baudrate, timeout=0.2)
    except (serial.SerialException, OSError, ValueError) as exc:
        return _fail(
            "serial port",
            probe.say("serial.cannot_open", port=s.port, error=exc),
            probe.say("serial.fix"),
        )
    port.close()
    return Check("serial port", True, probe.say("serial.ok", port=s.port, baudrate=s.baudrate))


def check_uart_config(probe: Probe) -> Check:
    if not probe.boot_config.exists():
        return Check("uart config", None, probe.say("uart.not_pi", path=probe.boot_config))
    config = probe.boot_config.read_text(encoding="utf-8", errors="replace")
    enabled = re.search(r"^\s*enable_uart\s*=\s*1\s*$", config, re.MULTILINE)
    cmdline = (
        probe.boot_cmdline.read_text(encoding="utf-8", errors="replace")
        if probe.boot_cmdline.exists()
        else ""
    )
    console = re.search(r"console=(serial0|ttyAMA0|ttyS0)\b", cmdline)
    if not enabled:
        return _fail(
            "uart config",
            probe.say("uart.disabled", path=probe.boot_config),
            probe.say("uart.disabled_fix"),
        )
    if console:
        return _fail(
            "uart config",
            probe.say("uart.console", console=console.group(0), path=probe.boot_cmdline),
            probe.say("uart.console_fix"),
        )
    return Check("uart config", True, probe.say("uart.ok"))


def check_sensor(probe: Probe) -> Check:
    s = probe.settings.sensor
    if probe.running is not None:
        if probe.running.get("sensor_online"):
            return Check(
                "sensor", True, probe.say("sensor.running_ok", count=probe.running.get("enrolled_here"))
            )
        return _fail("sensor", probe.say("sensor.running_offline"), probe.say("sensor.fix"))
    from kiosk.sensor.errors import WrongPassword

    sensor = probe.sensor_factory(probe.settings) if probe.sensor_factory else _r307(probe.settings)
    try:
        sensor.open()
        if not sensor.online:
            return _fail("sensor", probe.say("sensor.no_answer", port=s.port), probe.say("sensor.fix"))
        params = getattr(sensor, "parameters", None)
        capacity = params.library_size if params is not None else sensor.capacity
        count = sensor.count()
    except WrongPassword:
        return _fail(
            "sensor",
            probe.say("sensor.wrong_password"),
            probe.say("sensor.wrong_password_fix"),
        )
    except KioskError as exc:
        return _fail("sensor", probe.say("sensor.error", error=exc), probe.say("sensor.fix"))
    finally:
        sensor.close()
    return Check("sensor", True, probe.say("sensor.ok", count=count, capacity=capacity))


def _r307(settings: KioskSettings) -> Any:
    from kiosk.sensor.r307 import R307Sensor, SensorSettings

    s = settings.sensor
    return R307Sensor(
        SensorSettings(
            port=s.port, baudrate=s.baudrate, password=s.password_int, address=s.address, timeout=s.timeout
        )
    )


def check_lcd(probe: Probe) -> Check:
    d = probe.settings.display
    if not d.lcd:
        return Check("lcd", None, probe.say("lcd.disabled"))
    factory = probe.bus_factory
    if factory is None:
        from smbus2 import SMBus

        factory = SMBus
    try:
        bus = factory(d.i2c_bus)
    except OSError as exc:
        return _fail(
            "lcd",
            probe.say("lcd.no_bus", bus=d.i2c_bus, error=exc),
            probe.say("lcd.no_bus_fix"),
        )
    try:
        bus.read_byte(d.lcd_address)
    except OSError:
        return _fail(
            "lcd",
            probe.say("lcd.no_answer", address=f"0x{d.lcd_address:02X}", bus=d.i2c_bus),
            probe.say("lcd.no_answer_fix"),
        )
    finally:
        close = getattr(bus, "close", None)
        if close is not None:
            close()
    return Check("lcd", True, probe.say("lcd.ok", address=f"0x{d.lcd_address:02X}", bus=d.i2c_bus))


def check_pins(probe: Probe) -> Check:
    d, s = probe.settings.display, probe.settings.sensor
    wanted = {
        probe.say("pins.green_led"): d.green_led_pin,
        probe.say("pins.red_led"): d.red_led_pin,
        probe.say("pins.buzzer"): d.buzzer_pin,
    }
    wanted = {name: pin for name, pin in wanted.items() if pin is not None}
    if probe.running is not None:
        return Check("gpio pins", None, probe.say("pins.busy"))
    from gpiozero import DigitalInputDevice, DigitalOutputDevice, GPIOZeroError

    devices: list[Any] = []
    try:
        for name, pin in wanted.items():
            try:
                devices.append(DigitalOutputDevice(pin, pin_factory=probe.pin_factory))
            except (GPIOZeroError, OSError, RuntimeError) as exc:
                return _fail(
                    "gpio pins",
                    probe.say("pins.error", device=name, pin=pin, error=exc),
                    probe.say("pins.fix"),
                )
        touch = ""
        if s.touch_pin is not None:
            try:
                wire = DigitalInputDevice(s.touch_pin, pull_up=True, pin_factory=probe.pin_factory)
            except (GPIOZeroError, OSError, RuntimeError) as exc:
                return _fail(
                    "gpio pins",
                    probe.say("pins.touch_error", pin=s.touch_pin, error=exc),
                    probe.say("pins.fix"),
                )
            devices.append(wire)
            touch = probe.say("pins.touch_low" if wire.value else "pins.touch_high", pin=s.touch_pin)
    finally:
        for device in devices:
            device.close()
    pins = ", ".join(f"{name} GPIO{pin}" for name, pin in wanted.items())
    return Check("gpio pins", True, (pins or probe.say("pins.none")) + touch)


def check_broker(probe: Probe) -> Check:
    m = probe.settings.mqtt
    where = f"{m.host}:{m.port}"
    try:
        with socket.create_connection((m.host, m.port), timeout=BROKER_TIMEOUT_S):
            pass
    except OSError as exc:
        return _fail(
            "broker",
            probe.say("broker.unreachable", where=where, error=exc.strerror or exc),
            probe.say("broker.unreachable_fix"),
        )
    result: dict[str, Any] = {}
    done = threading.Event()
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=f"{probe.settings.kiosk.id}-doctor",
        protocol=mqtt.MQTTv311,
    )
    if m.username:
        client.username_pw_set(m.username, m.password.get_secret_value() if m.password else None)
    if m.tls:
        client.tls_set(ca_certs=str(m.ca_file) if m.ca_file else None)

    def on_connect(c: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        result["reason"] = reason
        done.set()

    client.on_connect = on_connect
    try:
        client.connect(m.host, m.port, keepalive=10)
        client.loop_start()
        answered = done.wait(BROKER_TIMEOUT_S)
    except OSError as exc:
        return _fail(
            "broker",
            probe.say("broker.connect_failed", where=where, error=exc),
            probe.say("broker.connect_failed_fix"),
        )
    finally:
        client.disconnect()
        client.loop_stop()
    if not answered:
        return _fail("broker", probe.say("broker.silent", where=where), probe.say("broker.silent_fix"))
    reason = result["reason"]
    if reason.is_failure:
        return _fail(
            "broker",
            probe.say("broker.refused", where=where, reason=reason),
            probe.say("broker.refused_fix"),
        )
    return Check(
        "broker", True, probe.say("broker.ok", where=where, user=m.username or probe.say("broker.anonymous"))
    )


def check_clock(probe: Probe) -> Check:
    if sync_clock.clock_synced(probe.settings.clock.synced_marker):
        return Check("clock", True, probe.say("clock.ok"))
    return _fail(
        "clock",
        probe.say("clock.unsynced"),
        probe.say("clock.fix"),
    )


def check_disk(probe: Probe) -> Check:
    path = probe.settings.kiosk.data_dir
    existing = next((p for p in (path, *path.parents) if p.exists()), Path("/"))
    usage = probe.disk_usage(str(existing))
    free_mb = usage.free // (1024 * 1024)
    if usage.free < MIN_FREE_BYTES or usage.free < usage.total * MIN_FREE_FRACTION:
        return _fail(
            "disk",
            probe.say("disk.low", free_mb=free_mb, path=existing),
            probe.say("disk.fix"),
        )
    return Check("disk", True, probe.say("disk.ok", free_mb=free_mb, path=existing))


def check_outbox(probe: Probe) -> Check:
    if probe.running is not None:
        report = request(probe.settings.health.control_socket, "outbox")
    else:
        from kiosk.app.runner import outbox_report
        from kiosk.sync.outbox import Outbox

        try:
            with Outbox(probe.settings.outbox_dir, retention_days=probe.settings.kiosk.retention_days) as box:
                report = outbox_report(box, 0)
        except (KioskError, OSError) as exc:
            return _fail(
                "outbox",
                probe.say("outbox.cannot_open", path=probe.settings.outbox_dir, error=exc),
                probe.say("outbox.cannot_open_fix"),
            )
    pending, quarantined = int(report["pending"]), int(report["quarantined"])
    if quarantined:
        return _fail(
            "outbox",
            probe.say("outbox.damaged", quarantined=quarantined, pending=pending),
            probe.say("outbox.damaged_fix", path=probe.settings.outbox_dir),
        )
    oldest = report.get("oldest_pending_at")
    if isinstance(oldest, str):
        oldest = datetime.fromisoformat(oldest)
    if pending and isinstance(oldest, datetime) and probe.now() - oldest > STALE_BACKLOG:
        return _fail(
            "outbox",
            probe.say("outbox.stale", pending=pending, oldest=f"{oldest:%Y-%m-%d %H:%M}"),
            probe.say("outbox.stale_fix"),
        )
    return Check("outbox", True, probe.say("outbox.ok", pending=pending, last_seq=report["last_seq"]))


CHECKS: tuple[Callable[[Probe], Check], ...] = (
    check_serial_port,
    check_uart_config,
    check_sensor,
    check_lcd,
    check_pins,
    check_broker,
    check_clock,
    check_disk,
    check_outbox,
)


def run_checks(probe: Probe) -> Iterator[Check]:
    """Every check in order; a check that crashes is reported as a failure, never hides the rest."""
    if probe.running is None:
        try:
            probe.running = request(probe.settings.health.control_socket, "status", timeout=2.0)
        except NotRunning:
            probe.running = None
        except ControlError as exc:
            log.warning("the running kiosk did not answer: %s", exc)
    for check in CHECKS:
        try:
            yield check(probe)
        except Exception as exc:  # noqa: BLE001 - a doctor reports, it does not crash
            name = check.__name__.removeprefix("check_").replace("_", " ")
            yield _fail(
                name,
                probe.say("check.crashed", error=f"{type(exc).__name__}: {exc}"),
                probe.say("check.crashed_fix"),
            )
