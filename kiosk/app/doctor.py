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
from kiosk.settings import KioskSettings
from kiosk.sync import clock as sync_clock

log = logging.getLogger(__name__)

MIN_FREE_BYTES = 200 * 1024 * 1024
MIN_FREE_FRACTION = 0.05
BROKER_TIMEOUT_S = 5.0
STALE_BACKLOG = timedelta(days=1)


@dataclass(frozen=True)
class Check:
    """One line of the report: ``ok`` is True (pass), False (fail) or None (skipped)."""

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


def _fail(name: str, detail: str, fix: str) -> Check:
    return Check(name, False, detail, fix)


def check_serial_port(probe: Probe) -> Check:
    s = probe.settings.sensor
    if probe.running is not None:
        return Check("serial port", None, f"{s.port} is in use by the running kiosk")
    try:
        port = probe.serial_opener(s.port, baudrate=s.baudrate, timeout=0.2)
    except (serial.SerialException, OSError, ValueError) as exc:
        return _fail(
            "serial port",
            f"cannot open {s.port}: {exc}",
            "enable the UART (sudo raspi-config nonint do_serial_hw 0), reboot, and check [sensor] port; "
            "the user needs the dialout group",
        )
    port.close()
    return Check("serial port", True, f"{s.port} opens at {s.baudrate} baud")


def check_uart_config(probe: Probe) -> Check:
    if not probe.boot_config.exists():
        return Check("uart config", None, f"no {probe.boot_config}: not a Raspberry Pi")
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
            f"enable_uart=1 missing from {probe.boot_config}",
            "sudo raspi-config nonint do_serial_hw 0 (or add enable_uart=1), then reboot",
        )
    if console:
        return _fail(
            "uart config",
            f"a login console runs on the sensor's UART ({console.group(0)} in {probe.boot_cmdline})",
            "sudo raspi-config nonint do_serial_cons 1, then reboot",
        )
    return Check("uart config", True, "enable_uart=1, no serial console")


def check_sensor(probe: Probe) -> Check:
    s = probe.settings.sensor
    if probe.running is not None:
        if probe.running.get("sensor_online"):
            return Check(
                "sensor", True, f"online in the running kiosk, {probe.running.get('enrolled_here')} fingers"
            )
        return _fail("sensor", "the running kiosk reports the sensor offline", _SENSOR_FIX)
    from kiosk.sensor.errors import WrongPassword

    sensor = probe.sensor_factory(probe.settings) if probe.sensor_factory else _r307(probe.settings)
    try:
        sensor.open()
        if not sensor.online:
            return _fail("sensor", f"no answer on {s.port}", _SENSOR_FIX)
        params = getattr(sensor, "parameters", None)
        capacity = params.library_size if params is not None else sensor.capacity
        count = sensor.count()
    except WrongPassword:
        return _fail(
            "sensor",
            "the sensor refused the password",
            "set [sensor] password in kiosk.toml to the module's password (0 unless it was changed)",
        )
    except KioskError as exc:
        return _fail("sensor", f"{exc}", _SENSOR_FIX)
    finally:
        sensor.close()
    return Check("sensor", True, f"handshake ok, {count} of {capacity} templates stored")


_SENSOR_FIX = (
    "check the wiring: Pi TX (pin 8) -> sensor RX (wire 4), Pi RX (pin 10) -> sensor TX (wire 3), "
    "5 V (pin 2) and GND (pin 6); check [sensor] port and baudrate"
)


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
        return Check("lcd", None, "disabled in [display]")
    factory = probe.bus_factory
    if factory is None:
        from smbus2 import SMBus

        factory = SMBus
    try:
        bus = factory(d.i2c_bus)
    except OSError as exc:
        return _fail(
            "lcd",
            f"no I2C bus {d.i2c_bus} ({exc})",
            "enable I2C (sudo raspi-config nonint do_i2c 0), reboot; the user needs the i2c group",
        )
    try:
        bus.read_byte(d.lcd_address)
    except OSError:
        return _fail(
            "lcd",
            f"nothing answers at 0x{d.lcd_address:02X} on I2C bus {d.i2c_bus}",
            "check SDA (pin 3), SCL (pin 5), 5 V and GND; `i2cdetect -y 1` shows the address "
            "(0x27, or 0x3F on PCF8574A backpacks): set [display] lcd_address",
        )
    finally:
        close = getattr(bus, "close", None)
        if close is not None:
            close()
    return Check("lcd", True, f"found at 0x{d.lcd_address:02X} on I2C bus {d.i2c_bus}")


def check_pins(probe: Probe) -> Check:
    d, s = probe.settings.display, probe.settings.sensor
    wanted = {"green LED": d.green_led_pin, "red LED": d.red_led_pin, "buzzer": d.buzzer_pin}
    wanted = {name: pin for name, pin in wanted.items() if pin is not None}
    if probe.running is not None:
        return Check("gpio pins", None, "in use by the running kiosk")
    from gpiozero import DigitalInputDevice, DigitalOutputDevice, GPIOZeroError

    devices: list[Any] = []
    try:
        for name, pin in wanted.items():
            try:
                devices.append(DigitalOutputDevice(pin, pin_factory=probe.pin_factory))
            except (GPIOZeroError, OSError, RuntimeError) as exc:
                return _fail("gpio pins", f"{name} on GPIO{pin}: {exc}", _PIN_FIX)
        touch = ""
        if s.touch_pin is not None:
            try:
                wire = DigitalInputDevice(s.touch_pin, pull_up=True, pin_factory=probe.pin_factory)
            except (GPIOZeroError, OSError, RuntimeError) as exc:
                return _fail("gpio pins", f"touch wire on GPIO{s.touch_pin}: {exc}", _PIN_FIX)
            devices.append(wire)
            touch = f", touch GPIO{s.touch_pin} {'LOW (finger on the glass?)' if wire.value else 'high'}"
    finally:
        for device in devices:
            device.close()
    pins = ", ".join(f"{name} GPIO{pin}" for name, pin in wanted.items())
    return Check("gpio pins", True, (pins or "no LEDs or buzzer configured") + touch)


_PIN_FIX = "another program holds the pin, or it is not a GPIO: check [display]/[sensor] pin numbers (BCM)"


def check_broker(probe: Probe) -> Check:
    m = probe.settings.mqtt
    where = f"{m.host}:{m.port}"
    try:
        with socket.create_connection((m.host, m.port), timeout=BROKER_TIMEOUT_S):
            pass
    except OSError as exc:
        return _fail(
            "broker",
            f"cannot reach {where} ({exc.strerror or exc})",
            "check the network and [mqtt] host/port; is hadir-server (or Mosquitto) running?",
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
        return _fail("broker", f"MQTT connection to {where} failed: {exc}", "check [mqtt] tls and ca_file")
    finally:
        client.disconnect()
        client.loop_stop()
    if not answered:
        return _fail("broker", f"{where} accepts TCP but does not answer MQTT", "check [mqtt] port and tls")
    reason = result["reason"]
    if reason.is_failure:
        return _fail(
            "broker",
            f"{where} refused the credentials ({reason})",
            "copy [mqtt] username, password and key from the `hadir-server kiosk add` file again",
        )
    return Check("broker", True, f"{where} accepted {m.username or 'anonymous'}")


def check_clock(probe: Probe) -> Check:
    if sync_clock.clock_synced(probe.settings.clock.synced_marker):
        return Check("clock", True, "synchronised this boot (systemd-timesyncd)")
    return _fail(
        "clock",
        "not synchronised since boot; punches are kept but flagged",
        "systemctl status systemd-timesyncd; set NTP= in /etc/systemd/timesyncd.conf to a reachable server",
    )


def check_disk(probe: Probe) -> Check:
    path = probe.settings.kiosk.data_dir
    existing = next((p for p in (path, *path.parents) if p.exists()), Path("/"))
    usage = probe.disk_usage(str(existing))
    free_mb = usage.free // (1024 * 1024)
    if usage.free < MIN_FREE_BYTES or usage.free < usage.total * MIN_FREE_FRACTION:
        return _fail(
            "disk",
            f"only {free_mb} MB free on {existing}",
            "free space: sudo journalctl --vacuum-size=50M; sudo apt-get clean; remove old files",
        )
    return Check("disk", True, f"{free_mb} MB free on {existing}")


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
                "outbox", f"cannot open {probe.settings.outbox_dir}: {exc}", "check [kiosk] data_dir"
            )
    pending, quarantined = int(report["pending"]), int(report["quarantined"])
    if quarantined:
        return _fail(
            "outbox",
            f"{quarantined} damaged file(s) set aside, {pending} unsynced",
            f"keep {probe.settings.outbox_dir}/quarantine for the server admin; punches there need review",
        )
    oldest = report.get("oldest_pending_at")
    if isinstance(oldest, str):
        oldest = datetime.fromisoformat(oldest)
    if pending and isinstance(oldest, datetime) and probe.now() - oldest > STALE_BACKLOG:
        return _fail(
            "outbox",
            f"{pending} unsynced, the oldest since {oldest:%Y-%m-%d %H:%M}",
            "the kiosk cannot deliver: check the broker check above and `hadir-kiosk status`",
        )
    return Check("outbox", True, f"{pending} unsynced, last seq {report['last_seq']}")


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
            yield _fail(name, f"check crashed: {type(exc).__name__}: {exc}", "run with --debug and report it")
