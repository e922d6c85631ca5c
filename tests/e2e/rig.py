"""The end-to-end rig: the real server (embedded broker, ingest, template distribution, SQLite) and
kiosks running the real app on the emulated R307, the emulated LCD and mock pins, connected to the
broker through a gate that can take the network down."""

from __future__ import annotations

import os
import socket
import threading
import time
import tomllib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kiosk.app.runner import Devices, KioskRunner
from kiosk.commands.run import network_links
from kiosk.display.indicator import CompositeIndicator
from kiosk.display.lcd import LcdIndicator
from kiosk.display.leds import LedBuzzer
from kiosk.sensor.r307 import R307Sensor, SensorSettings
from kiosk.settings import KioskSettings, parse_settings
from server import template_worker
from server.commands.kiosks import kiosk_toml
from server.config import ServerSettings
from server.db.models import Employee, Punch
from server.keys import KeyBox
from server.kiosks import Credentials, ensure_office, provision
from server.service import HadirServer
from simulator.lcd import PCF8574LCD
from simulator.pins import IndicatorPins
from simulator.r307 import R307Emulator
from tests.conftest import free_tcp_port
from tests.kiosk.helpers import Screens
from tests.sync.proxy import Pair, TcpProxy

OFFICE = "plaju"
EMPLOYEES = {"E1": "Siti Aminah", "E2": "Budi Santoso"}


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    """Poll ``condition`` until it is truthy (returned) or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        pause.wait(0.05)


class Gate(TcpProxy):
    """A loopback proxy in front of the broker whose network can go down (connections cut and
    refused) and come back."""

    def __init__(self, target_port: int) -> None:
        self.blocked = False
        super().__init__(target_port)

    def down(self) -> None:
        self.blocked = True
        self.cut()

    def up(self) -> None:
        self.blocked = False

    def _accept(self) -> None:
        while True:
            try:
                downstream, _ = self._listener.accept()
            except OSError:
                return
            if self.blocked:
                downstream.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                downstream.close()
                continue
            pair = Pair(self, downstream, upstream)
            with self._lock:
                self._pairs.append(pair)
                self.connections += 1
            for args in ((downstream, upstream, True), (upstream, downstream, False)):
                threading.Thread(target=pair.pump, args=args, daemon=True).start()


class Facts:
    """Clock facts of a kiosk: one boot, real boot-time milliseconds, a switch for "synced"."""

    def __init__(self) -> None:
        self.is_synced = True
        self._boot = str(uuid.uuid4())
        self._t0 = time.monotonic()

    def synced(self) -> bool:
        return self.is_synced

    def boot_id(self) -> str:
        return self._boot

    def boottime_ms(self) -> int:
        return 5_000_000 + int((time.monotonic() - self._t0) * 1000)


class Site:
    """The server of one office, with its employees, and the kiosks started against it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.settings = ServerSettings(
            db_url=f"sqlite:///{directory}/hadir.sqlite3",
            var_dir=directory / "var",
            embedded_port=free_tcp_port(),
        )
        self.server = HadirServer(self.settings)
        self.server.add_service(template_worker.service(self.server, None))  # type: ignore[arg-type]
        self.server.start()
        assert self.server.db is not None
        self.db = self.server.db
        ensure_office(self.db, OFFICE, "Kantor Camat Plaju", "Asia/Jakarta")
        with self.db.session() as session:
            for employee, name in EMPLOYEES.items():
                session.add(Employee(id=employee, name=name, office_id=OFFICE))
        self.box = KeyBox.from_file(self.settings.secret_path)
        self.gate = Gate(self.settings.embedded_port)
        self.kiosks: list[Kiosk] = []

    def provision(self, kiosk_id: str) -> Credentials:
        return provision(self.db, self.box, kiosk_id, OFFICE)

    def kiosk(self, kiosk_id: str, **options: Any) -> Kiosk:
        kiosk = Kiosk(self, kiosk_id, self.provision(kiosk_id), **options)
        self.kiosks.append(kiosk)
        return kiosk

    def punches(self, employee: str | None = None) -> list[Punch]:
        with self.db.session() as session:
            query = select(Punch).order_by(Punch.received_at)
            if employee:
                query = query.where(Punch.employee_id == employee)
            return list(session.scalars(query))

    def close(self) -> None:
        for kiosk in self.kiosks:
            kiosk.stop()
        self.gate.close()
        self.server.stop()


class Kiosk:
    """One kiosk: the real KioskRunner on emulated devices, its broker traffic through the gate."""

    def __init__(self, site: Site, kiosk_id: str, creds: Credentials, *, realistic: bool = False) -> None:
        self.site = site
        self.directory = site.directory / kiosk_id
        self.directory.mkdir()
        bundle = kiosk_toml(
            creds, host="127.0.0.1", port=site.gate.port, tls=False, ca_file=None, tz="Asia/Jakarta"
        )
        data = tomllib.loads(bundle)  # exactly what the technician copies to the Pi
        data["kiosk"]["data_dir"] = str(self.directory / "data")
        data["clock"] = {"synced_marker": str(self.directory / "synchronized")}
        data["health"] = {"control_socket": str(self.directory / "control.sock"), "watchdog": False}
        self.settings: KioskSettings = parse_settings(data)
        self.emulator = R307Emulator(link=self.directory / "ttyR307", realistic_timing=realistic).start()
        self.lcd = PCF8574LCD(1)
        self.pins = IndicatorPins()
        self.screens = Screens(self.emulator)
        self.facts = Facts()
        self.runner: KioskRunner | None = None
        self.thread: threading.Thread | None = None

    def devices(self) -> Devices:
        sensor = R307Sensor(SensorSettings(port=self.emulator.port, timeout=1.0))
        indicator = CompositeIndicator(
            [
                LcdIndicator(0x27, 1, "id", bus_factory=self.lcd.bus_factory),
                LedBuzzer(pin_factory=self.pins.factory, **self.pins.numbers),
                self.screens,
            ]
        )
        return Devices(sensor, indicator, self.facts)

    def start(self) -> KioskRunner:
        self.runner = KioskRunner(
            self.settings, self.devices(), link_factory=network_links, identify_poll_s=0.2
        )
        self.thread = threading.Thread(target=self.runner.run, kwargs={"install_signals": False}, daemon=True)
        self.thread.start()
        wait_until(self.runner.started.is_set, f"kiosk {self.settings.kiosk.id} started")
        return self.runner

    def online(self) -> None:
        """Wait until both links are up and the server's roster arrived."""
        runner = self.runner
        assert runner is not None
        wait_until(lambda: runner.links.sync is not None and runner.links.sync.connected, "sync link")
        wait_until(
            lambda: runner.links.commands is not None and runner.links.commands.connected, "command link"
        )
        wait_until(lambda: set(EMPLOYEES) <= set(runner.roster.directory.employees), "the roster")

    def stop(self) -> None:
        if self.runner is not None:
            self.runner.stop()
        if self.thread is not None:
            self.thread.join(15)
            assert not self.thread.is_alive(), "the kiosk did not stop"
        self.runner = self.thread = None
        self.emulator.close()

    @property
    def screen(self) -> str:
        """The emulated LCD's two lines, as an employee reads them."""
        return "\n".join(self.lcd.lines)

    def touch(self, finger: str) -> None:
        """A new touch: lift whatever is on the glass, let the kiosk notice, then place ``finger``."""
        self.emulator.lift()
        runner = self.runner
        assert runner is not None
        wait_until(lambda: not runner.app.awaiting_lift, "the kiosk to see the finger lifted")
        self.emulator.place(finger)


def set_synced(kiosk: Kiosk, synced: bool) -> None:
    kiosk.facts.is_synced = synced
    marker = kiosk.settings.clock.synced_marker
    if synced:
        marker.touch()
    elif marker.exists():
        os.unlink(marker)
