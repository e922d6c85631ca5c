"""Puts the kiosk together and runs it: devices, outbox, roster, door loop, sync, commands, systemd.

:class:`KioskRunner` takes the settings and the devices (real ones from :func:`real_devices`, or the
simulator's from ``simulator.kiosk_sim``), so the same start-up and shut-down path runs on a Pi, in
``run --simulate`` and in the end-to-end tests.

Shut-down order on SIGTERM: the door loop finishes its step (a punch already identified is appended
and fsync'd), then the links stop, then the outbox closes. Nothing in flight is lost.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk import __version__
from kiosk.app.clock import Clock, ClockFacts, SystemClock
from kiosk.app.control import ControlServer
from kiosk.app.machine import KioskApp
from kiosk.app.templates import TemplateKeeper
from kiosk.display.indicator import Indicator
from kiosk.errors import KioskError
from kiosk.health import Health
from kiosk.roster import Roster
from kiosk.sensor.base import Sensor
from kiosk.settings import KioskSettings
from kiosk.sync.clock import SystemClockFacts
from kiosk.sync.outbox import Outbox

log = logging.getLogger(__name__)


class Link(Protocol):
    """A background connection to the broker (the sync client, the command link)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    @property
    def connected(self) -> bool: ...


@dataclass
class Devices:
    """The hardware (or its emulation) the runner drives; ``close`` releases what it opened."""

    sensor: Sensor
    indicator: Indicator
    facts: ClockFacts
    close: Callable[[], None] = lambda: None


@dataclass
class Links:
    sync: Link | None = None
    commands: Link | None = None
    extra: list[Link] = field(default_factory=list)


def real_devices(settings: KioskSettings) -> Devices:
    """The Pi's R307, LCD, LEDs and buzzer as configured."""
    from kiosk.display.indicator import CompositeIndicator
    from kiosk.display.lcd import LcdIndicator
    from kiosk.display.leds import LedBuzzer
    from kiosk.sensor.r307 import R307Sensor
    from kiosk.sensor.settings import SensorSettings

    s = settings.sensor
    sensor = R307Sensor(
        SensorSettings(
            port=s.port,
            baudrate=s.baudrate,
            password=s.password_int,
            address=s.address,
            touch_pin=s.touch_pin,
            timeout=s.timeout,
        )
    )
    parts: list[Indicator] = []
    d = settings.display
    if d.lcd:
        parts.append(LcdIndicator(address=d.lcd_address, port=d.i2c_bus, lang=settings.kiosk.lang))
    if d.green_led_pin is not None and d.red_led_pin is not None and d.buzzer_pin is not None:
        parts.append(LedBuzzer(green=d.green_led_pin, red=d.red_led_pin, buzzer=d.buzzer_pin))
    return Devices(sensor, CompositeIndicator(parts), SystemClockFacts(settings.clock.synced_marker))


class KioskRunner:
    """Starts every part, runs the door loop on the calling thread, stops everything in order.

    ``link_factory(runner) -> Links`` builds the broker connections (None: no network, e.g. a bench
    kiosk trying the simulator alone). ``health`` defaults to systemd notify when present.
    """

    def __init__(
        self,
        settings: KioskSettings,
        devices: Devices,
        *,
        clock: Clock | None = None,
        link_factory: Callable[[KioskRunner], Links] | None = None,
        health: Health | None = None,
        control: bool = True,
        identify_poll_s: float | None = None,
    ) -> None:
        self.settings = settings
        self.devices = devices
        self.clock = clock or SystemClock()
        self.health = health or Health(watchdog_usec=None if settings.health.watchdog else 0)
        self._link_factory = link_factory
        self._control_enabled = control
        self._poll = identify_poll_s
        self.outbox = Outbox(
            settings.outbox_dir, retention_days=settings.kiosk.retention_days, clock=self.clock.now
        )
        self.roster = Roster(settings.state_dir)
        self.links = Links()
        self.control: ControlServer | None = None
        self.started = threading.Event()
        extra: dict[str, Any] = {}
        if identify_poll_s is not None:
            extra["identify_poll_s"] = identify_poll_s
        self.app = KioskApp(
            sensor=devices.sensor,
            indicator=devices.indicator,
            outbox=self.outbox,
            roster=self.roster,
            clock=self.clock,
            facts=devices.facts,
            office=settings.kiosk.office,
            timezone=settings.kiosk.timezone,
            repeat_window_s=settings.kiosk.repeat_window_s,
            summary_hold_s=settings.display.summary_s if settings.display.show_summary else None,
            link_up=self._link_up,
            heartbeat=self._heartbeat,
            **extra,
        )
        self.keeper = TemplateKeeper(
            self.app,
            kiosk_id=settings.kiosk.id,
            signing_key=settings.mqtt.key_bytes,
            uploads_dir=settings.state_dir / "uploads",
        )

    def _heartbeat(self) -> None:
        self.health.beat()
        self.health.status(self.app.state.value)

    def _link_up(self) -> bool:
        return self.links.sync is None or self.links.sync.connected

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> None:
        """Open the outbox, roster and devices; start the control socket and the links."""
        self.outbox.open()
        self.roster.load()
        self.devices.indicator.open()
        try:
            self.devices.sensor.open()
        except KioskError as exc:
            # The door loop shows "sensor offline" and keeps retrying; the kiosk still starts.
            log.error("sensor not usable at start: %s", exc)
        self._apply_security_level()
        self._forget_missing_pages()
        if self._control_enabled:
            self.control = ControlServer(self.settings.health.control_socket, self.handlers())
            self.control.start()
        if self._link_factory is not None:
            self.links = self._link_factory(self)
            for link in (self.links.sync, self.links.commands, *self.links.extra):
                if link is not None:
                    link.start()
        self.started.set()

    def _apply_security_level(self) -> None:
        """Set the matching threshold from settings when the sensor's differs (a flash write)."""
        wanted = self.settings.sensor.security_level
        params = getattr(self.devices.sensor, "parameters", None)
        if params is not None and getattr(params, "security_level", wanted) == wanted:
            return
        try:
            self.devices.sensor.set_security_level(wanted)
        except KioskError as exc:
            log.warning("cannot set the sensor's security level yet: %s", exc)

    def _forget_missing_pages(self) -> None:
        """A page the roster remembers but the sensor lost (a new sensor) is not ours any more."""
        try:
            present = set(self.devices.sensor.pages())
        except KioskError as exc:
            log.warning("cannot list the sensor's pages yet: %s", exc)
            return
        for page in self.roster.page_map():
            if page not in present:
                log.warning("page %d is in the roster but not in the sensor; forgetting it", page)
                self.roster.release(page)

    def run(self, *, install_signals: bool = True) -> int:
        """Start, loop until SIGTERM/SIGINT (or :meth:`stop`), shut down. Returns an exit code."""
        previous: dict[int, Any] = {}
        if install_signals and threading.current_thread() is threading.main_thread():
            previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            self.health.ready(f"kiosk {self.settings.kiosk.id} {__version__}")
            self.app.run()
        finally:
            self.health.stopping()
            self.shutdown()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _on_signal(self, signum: int, frame: object) -> None:
        log.info("signal %d: finishing the current step, then stopping", signum)
        self.app.request_stop()

    def stop(self) -> None:
        self.app.request_stop()

    def shutdown(self) -> None:
        """Stop links, control socket, devices and outbox. Idempotent."""
        for link in (self.links.commands, self.links.sync, *self.links.extra):
            if link is not None:
                try:
                    link.stop()
                except (KioskError, OSError) as exc:
                    log.warning("stopping a link failed: %s", exc)
        self.links = Links()
        if self.control is not None:
            self.control.close()
            self.control = None
        for close in (self.devices.sensor.close, self.devices.indicator.close, self.devices.close):
            try:
                close()
            except (KioskError, OSError) as exc:
                log.warning("closing a device failed: %s", exc)
        self.outbox.close()

    # -- control socket ------------------------------------------------------------------------
    def handlers(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {"status": lambda _: self.status(), "outbox": self._outbox_report, "enroll": self._enroll}

    def status(self) -> dict[str, Any]:
        """What `hadir-kiosk status` prints: no template data, no secrets."""
        stats = self.outbox.stats()
        directory = self.roster.directory
        return {
            "kiosk": self.settings.kiosk.id,
            "version": __version__,
            "state": self.app.state.value,
            "sensor_online": bool(self.devices.sensor.online),
            "clock_synced": self.devices.facts.synced(),
            "server_link": self._link_up() if self.links.sync is not None else None,
            "command_link": self.links.commands.connected if self.links.commands is not None else None,
            "unsynced": stats.pending,
            "oldest_unsynced_at": stats.oldest_pending_at,
            "last_seq": stats.last_seq,
            "quarantined": stats.quarantined,
            "roster_version": directory.version,
            "employees": len(directory.employees),
            "enrolled_here": len(self.roster.page_map()),
            "pending_template_uploads": len(self.keeper.pending_uploads()),
        }

    def _outbox_report(self, request: dict[str, Any]) -> dict[str, Any]:
        return outbox_report(self.outbox, int(request.get("pending", 0)))

    def _enroll(self, request: dict[str, Any]) -> dict[str, Any]:
        employee = str(request.get("employee", ""))
        if not employee:
            raise KioskError("enroll: no employee id given")
        report = self.keeper.request_enroll(employee).result(timeout=float(request.get("wait", 120)))
        return {
            "status": report.status,
            "employee": report.employee,
            "page": report.page,
            "reason": report.reason,
        }


def outbox_report(outbox: Outbox, pending: int) -> dict[str, Any]:
    """Outbox stats and, if asked, the oldest pending punches (ids, seqs, employees, times)."""
    stats = outbox.stats()
    report: dict[str, Any] = {
        "pending": stats.pending,
        "oldest_pending_at": stats.oldest_pending_at,
        "last_seq": stats.last_seq,
        "acked_kept": stats.acked,
        "segments": stats.segments,
        "bytes_on_disk": stats.bytes_on_disk,
        "quarantined": stats.quarantined,
    }
    if pending:
        report["punches"] = [
            {k: p.get(k) for k in ("seq", "id", "employee", "at", "clock_synced")}
            for p in outbox.pending(pending)
        ]
    return report
