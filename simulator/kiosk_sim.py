"""`hadir-kiosk run --simulate`: the whole kiosk against the simulator, drawn in the terminal.

The real kiosk code runs unchanged -- the R307 driver talks to the byte-level emulator on a pty, the
LCD driver (RPLCD) writes to the emulated PCF8574 whose 16x2 buffer is drawn here, the LEDs and the
buzzer drive gpiozero mock pins -- and keys stand in for fingers:

    1-9  place the finger of employee 1-9 (lifted after a second)   0  a stranger's finger
    e    enroll the next employee who has no finger yet             n  line noise on the UART
    u    unplug / replug the sensor                                 c  clock synced / not synced
    q    quit

Without ``--config`` the kiosk runs offline in a temporary directory with a demo roster (employees
1-5 already enrolled); with ``--config`` it uses that file (broker, data directory) and only the
devices are simulated.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import sys
import tempfile
import termios
import threading
import tty
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from kiosk.app.runner import Devices, KioskRunner
from kiosk.display.console import frame
from kiosk.display.indicator import CompositeIndicator, Indicator
from kiosk.display.lcd import LcdIndicator
from kiosk.display.leds import LedBuzzer
from kiosk.sensor.r307 import R307Sensor, SensorSettings
from kiosk.settings import KioskSettings, load_settings, parse_settings
from kiosk.sync.clock import boottime_ms
from simulator.lcd import PCF8574LCD
from simulator.pins import IndicatorPins
from simulator.r307 import R307Emulator

NAMES = (
    "Siti Aminah",
    "Budi Santoso",
    "Dewi Lestari",
    "Muhammad Rizky Pratama",
    "Ni Putu Ayu Wulandari",
    "Agus Salim",
    "Rina Marlina",
    "Yohanes Kambu",
    "Fitri Handayani",
)
PRE_ENROLLED = 5
LIFT_AFTER_S = 1.0
REPLACE_AFTER_S = 0.6
HELP = "keys: 1-9 finger, 0 stranger, e enroll, n noise, u unplug/replug, c clock, q quit"


def employee_id(n: int) -> str:
    return f"19870{n}122010011{n:03d}"


def finger(n: int) -> str:
    return f"employee-{n}-right-index"


def demo_config() -> dict[str, Any]:
    """The roster the demo kiosk starts with (as the server's retained config would bring it)."""
    return {
        "roster_version": "demo",
        "schedule": {day: ["07:30", "16:00"] for day in ("mon", "tue", "wed", "thu")}
        | {"fri": ["07:30", "16:30"]},
        "settings": {
            "office": "Kantor Simulasi",
            "timezone": "Asia/Jakarta",
            "roster": [{"employee": employee_id(n), "name": name} for n, name in enumerate(NAMES, 1)],
        },
    }


class SimFacts:
    """Clock facts with a switch: ``c`` toggles whether the clock counts as synced."""

    def __init__(self) -> None:
        self.is_synced = True
        self._boot = str(uuid.uuid4())

    def synced(self) -> bool:
        return self.is_synced

    def boot_id(self) -> str:
        return self._boot

    def boottime_ms(self) -> int:
        return boottime_ms()


class Screen(Indicator):
    """Draws the emulated LCD's buffer (and the LEDs) whenever it changes."""

    def __init__(self, lcd: PCF8574LCD, pins: IndicatorPins, out: TextIO) -> None:
        self.lcd = lcd
        self.pins = pins
        self.out = out
        self._last: tuple[Any, ...] | None = None
        self._lock = threading.Lock()

    def draw(self) -> None:
        leds = tuple(bool(self.pins.pin(role).state) for role in ("green", "red"))
        state = (tuple(self.lcd.lines), self.lcd.backlight, leds)
        with self._lock:
            if state == self._last:
                return
            self._last = state
            lamps = f"green {'●' if leds[0] else '○'}  red {'●' if leds[1] else '○'}"
            self.out.write(frame(self.lcd.lines, self.lcd.backlight) + f"\n{lamps}\n")
            self.out.flush()

    def show(self, event: Any) -> None:
        self.draw()

    def tick(self, now: datetime) -> None:
        self.draw()

    def close(self) -> None:
        """Nothing to release."""


@contextlib.contextmanager
def simulated_devices(settings: KioskSettings, directory: Path, out: TextIO) -> Iterator[tuple[Devices, Any]]:
    """The emulated R307, LCD and pins behind the real drivers; yields (devices, emulator parts)."""
    emulator = R307Emulator(link=directory / "ttyR307", password=settings.sensor.password_int).start()
    lcd = PCF8574LCD(settings.display.i2c_bus, address=settings.display.lcd_address)
    pins = IndicatorPins()
    sensor = R307Sensor(
        SensorSettings(port=emulator.port, password=settings.sensor.password_int, timeout=0.5)
    )
    screen = Screen(lcd, pins, out)
    indicator = CompositeIndicator(
        [
            LcdIndicator(
                settings.display.lcd_address,
                settings.display.i2c_bus,
                settings.kiosk.lang,
                bus_factory=lcd.bus_factory,
            ),
            LedBuzzer(pin_factory=pins.factory, **pins.numbers),
            screen,
        ]
    )
    facts = SimFacts()
    try:
        yield (
            Devices(sensor, indicator, facts, close=emulator.close),
            {
                "emulator": emulator,
                "facts": facts,
                "screen": screen,
            },
        )
    finally:
        emulator.close()


class Keys:
    """Turns key presses into actions on the emulator and the kiosk."""

    def __init__(self, runner: KioskRunner, parts: dict[str, Any], out: TextIO) -> None:
        self.runner = runner
        self.emulator: R307Emulator = parts["emulator"]
        self.facts: SimFacts = parts["facts"]
        self.out = out
        self._lift: threading.Timer | None = None

    def say(self, text: str) -> None:
        self.out.write(f"-- {text}\n")
        self.out.flush()

    def press(self, key: str) -> bool:
        """Apply one key; False means quit."""
        if key == "q":
            self.runner.stop()
            return False
        if key.isdigit():
            n = int(key)
            if self._lift is not None:
                self._lift.cancel()
            if self.emulator.device.finger is not None:
                # A new touch means the last finger left the glass first; let the kiosk see that.
                self.emulator.lift()
                self._later(REPLACE_AFTER_S, lambda: self._place(n))
            else:
                self._place(n)
        elif key == "e":
            self.enroll_next()
        elif key == "n":
            self.emulator.noise(8)
            self.say("8 bytes of noise on the line")
        elif key == "u":
            if self.emulator.plugged:
                self.emulator.unplug()
                self.say("sensor unplugged")
            else:
                self.emulator.replug()
                self.say("sensor plugged back in")
        elif key == "c":
            self.facts.is_synced = not self.facts.is_synced
            self.say(f"clock {'synced' if self.facts.is_synced else 'NOT synced'}")
        elif key.strip():
            self.say(HELP)
        return True

    def _place(self, n: int) -> None:
        self.emulator.place(finger(n) if n else "a-stranger")
        self._later(LIFT_AFTER_S, self.emulator.lift)

    def _later(self, delay: float, action: Any) -> None:
        self._lift = threading.Timer(delay, action)
        self._lift.daemon = True
        self._lift.start()

    def enroll_next(self) -> None:
        enrolled = set(self.runner.roster.page_map().values())
        for n in range(1, len(NAMES) + 1):
            if employee_id(n) not in enrolled:
                self.say(f"enrolling {NAMES[n - 1]}: press {n} when the LCD asks for the finger (twice)")
                self.runner.keeper.request_enroll(employee_id(n), allow_unknown=True)
                return
        self.say("everyone is enrolled")


def read_keys(stream: TextIO, keys: Keys, stop: threading.Event) -> None:
    """Single keys from a terminal (no Enter needed) or one key per line from a pipe."""
    interactive = stream.isatty()
    fd = stream.fileno() if interactive else -1
    saved = termios.tcgetattr(fd) if interactive else None
    try:
        if interactive:
            tty.setcbreak(fd)
        while not stop.is_set():
            if interactive:
                ready, _, _ = select.select([fd], [], [], 0.2)
                if not ready:
                    continue
                key = os.read(fd, 1).decode(errors="replace")
            else:
                line = stream.readline()
                if not line:  # end of a scripted session
                    keys.runner.stop()
                    return
                key = line.strip()[:1]
            if key and not keys.press(key):
                return
    finally:
        if saved is not None:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def demo_settings(directory: Path) -> KioskSettings:
    return parse_settings(
        {
            "kiosk": {"id": "sim-01", "office": "Kantor Simulasi", "data_dir": str(directory / "data")},
            "mqtt": {"key": os.urandom(32).hex()},
            "clock": {"synced_marker": str(directory / "synchronized")},
            "health": {"control_socket": str(directory / "control.sock"), "watchdog": False},
        }
    )


def simulate(
    settings: KioskSettings | None,
    *,
    offline: bool = False,
    keys_in: TextIO | None = None,
    out: TextIO | None = None,
    directory: Path | None = None,
) -> int:
    """Run the kiosk on simulated devices until ``q`` (or end of input). Returns the exit code."""
    from kiosk.commands.run import network_links

    stream = out or sys.stdout
    with contextlib.ExitStack() as stack:
        work = directory or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hadir-sim-")))
        demo = settings is None
        settings = settings or demo_settings(work)
        devices, parts = stack.enter_context(simulated_devices(settings, work, stream))
        runner = KioskRunner(
            settings, devices, link_factory=None if (demo or offline) else network_links, identify_poll_s=0.2
        )
        if demo:
            runner.roster.load()
            runner.roster.update(demo_config())
            for n in range(1, PRE_ENROLLED + 1):
                parts["emulator"].preload(n - 1, finger(n))
                runner.roster.assign(n - 1, employee_id(n))
        keys = Keys(runner, parts, stream)
        stop = threading.Event()
        reader = threading.Thread(
            target=read_keys, args=(keys_in or sys.stdin, keys, stop), name="keys", daemon=True
        )
        stream.write(f"Hadir kiosk simulator ({settings.kiosk.id}); {HELP}\n")
        reader.start()
        try:
            runner.run(install_signals=threading.current_thread() is threading.main_thread())
        finally:
            stop.set()
            reader.join(1.0)
    return 0


def main_from_args(args: argparse.Namespace) -> int:
    """Entry from ``hadir-kiosk run --simulate [--config FILE] [--offline]``."""
    settings = load_settings(args.config) if args.config else None
    return simulate(settings, offline=args.offline)
