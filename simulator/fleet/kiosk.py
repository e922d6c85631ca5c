"""One simulated kiosk: an emulated R307 and LCD behind the real kiosk code, on simulated time.

The chain is the production one: the R307 emulator on a pty, :class:`kiosk.sensor.r307.R307Sensor`
(adafruit_fingerprint over pyserial), the kiosk app's door loop :class:`kiosk.app.machine.KioskApp`
(identify, roster lookup, repeat window, durable :class:`kiosk.sync.outbox.Outbox` append before the
screen says "recorded"), the :class:`kiosk.roster.Roster` filled from the server's retained config,
and the :class:`kiosk.sync.client.SyncClient` sending batches over a
:class:`~simulator.fleet.netlink.NetLink` to the broker and applying the server's acks. Only time and
hands are simulated: :class:`~simulator.fleet.clock.KioskClock` and the driver placing fingers.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.app.machine import KioskApp, PunchRecorded, Rejected, RepeatScan
from kiosk.display.catalog import Screen
from kiosk.display.lcd import LcdIndicator
from kiosk.display.screen import ScreenIndicator
from kiosk.errors import KioskError
from kiosk.roster import Roster
from kiosk.sensor.r307 import R307Sensor, SensorSettings
from kiosk.sync.client import SyncClient, SyncSettings
from kiosk.sync.outbox import Outbox
from kiosk.sync.protocol import Config
from simulator.fleet.clock import KioskClock, SensorClock, SimClock
from simulator.fleet.netlink import NetLink
from simulator.fleet.org import KioskSpec, Office, Person
from simulator.lcd import PCF8574LCD
from simulator.r307.emulator import R307Emulator

log = logging.getLogger(__name__)

REPEAT_WINDOW_S = 60.0
FEEDBACK_HOLD = timedelta(seconds=3)


@dataclass(frozen=True)
class KioskAccess:
    """What ``hadir-server kiosk add`` hands the technician: signing key and broker login."""

    key: bytes
    username: str
    password: str


@dataclass(frozen=True)
class ScanResult:
    """What one finger on the glass led to: ``recorded``, ``repeat``, ``not_recognised``, ``poor_image``,
    ``not_recorded`` or ``sensor_offline``; ``seq`` of the punch when recorded."""

    outcome: str
    employee: str | None = None
    seq: int | None = None


class SimKiosk:
    """A kiosk at an office entrance. ``start()``, ``scan(finger)``, ``power_cut()``/``boot()``, ``stop()``.

    ``people`` are the office's employees; their fingers are already in the sensor (page = index)
    and in the kiosk's page map, as after the technician's enrollment day. Names and the office
    schedule (for "late 12 min" on the screen) come from the server's retained config.
    """

    def __init__(
        self,
        spec: KioskSpec,
        office: Office,
        people: Sequence[Person],
        *,
        directory: Path,
        sim: SimClock,
        broker: tuple[str, int],
        access: KioskAccess,
        lang: str = "id",
    ) -> None:
        self.spec = spec
        self.office = office
        self.tz = ZoneInfo(office.tz)
        self.people = list(people)
        self.pages = {page: person for page, person in enumerate(self.people)}
        self.directory = directory
        self.sim = sim
        self.clock = KioskClock(sim)
        self.emulator = R307Emulator(seed=sum(spec.id.encode()))
        self.glass = Glass(lang)
        self.lcd = PCF8574LCD(1)
        self.lcd_indicator = LcdIndicator(
            lang=lang, bus_factory=self.lcd.bus_factory, clock=self.clock.monotonic
        )
        self._mirrored: object = None
        self.roster = Roster(directory / "state")
        self.outbox = Outbox(directory / "outbox", clock=self.clock.now)  # a new one after each boot
        self.link = NetLink(broker)
        self._access = access
        self.sensor: R307Sensor | None = None
        self.sync: SyncClient | None = None
        self.app: KioskApp | None = None
        self.powered = False
        self._feedback_until: datetime | None = None
        self.counts: dict[str, int] = {}

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> None:
        """Plug in the sensor (with the office's fingers), open the outbox, connect the sync client."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.emulator.start()
        self.roster.load()
        known = self.roster.page_map()
        for page, person in self.pages.items():
            self.emulator.preload(page, person.finger)
            if known.get(page) != person.id:
                self.roster.assign(page, person.id)
        self.link.start()
        self._power_on()

    def _power_on(self) -> None:
        self.outbox = Outbox(self.directory / "outbox", clock=self.clock.now)
        self.outbox.open()
        self.roster.load()
        self.glass.open()
        self.lcd_indicator.open()
        self.sensor = R307Sensor(
            SensorSettings(port=self.emulator.port, timeout=2.0), clock=SensorClock(self.clock)
        )
        self.sensor.open()
        self.sync = SyncClient(
            self.outbox,
            SyncSettings(
                kiosk_id=self.spec.id,
                key=self._access.key,
                port=self.link.port,
                username=self._access.username,
                password=self._access.password,
                ack_timeout=5.0,
                backoff_min=0.1,
                backoff_max=1.0,
                status_interval=10.0,
            ),
            facts=self.clock,
            # The sync thread lives on the shared clock (the door may be held at a finger's time).
            now=self.clock.wall_now,
            on_config=self._on_config,
        )
        self.app = KioskApp(
            sensor=self.sensor,
            indicator=self.glass,
            outbox=self.outbox,
            roster=self.roster,
            clock=self.clock,
            facts=self.clock,
            office=self.office.name,
            timezone=self.office.tz,
            repeat_window_s=REPEAT_WINDOW_S,
            link_up=self._link_up,
            identify_poll_s=2.0,
            feedback_hold_s=FEEDBACK_HOLD.total_seconds(),
        )
        self.sync.start()
        self.powered = True
        self.show_idle()

    def _on_config(self, config: Config) -> None:
        """The server's retained config (names, office, schedule): into the roster, as the app does."""
        try:
            self.roster.update(config.model_dump(mode="json"))
        except KioskError as exc:
            log.error("kiosk %s: server config rejected: %s", self.spec.id, exc)

    def _link_up(self) -> bool:
        return self.sync is not None and self.sync.connected

    def wait_ready(self, timeout: float = 30.0) -> bool:
        """Wait until the kiosk is connected and knows its office's people (the server's config)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._link_up() and self.roster.directory.employees:
                return True
            time.sleep(0.02)
        return False

    def _power_off(self) -> None:
        self.powered = False
        self.app = None
        if self.sync is not None:
            self.sync.stop()
            self.sync = None
        if self.sensor is not None:
            self.sensor.close()
            self.sensor = None
        self.glass.close()
        self.lcd_indicator.close()
        self._mirrored = None
        self.outbox.close()

    def power_cut(self) -> None:
        """The mains go: everything stops at once (the outbox is durable, nothing else survives)."""
        log.info("kiosk %s: power cut", self.spec.id)
        self._power_off()
        self.lcd.reconnect(power_cycled=True)

    def boot(self, *, clock_behind: timedelta) -> None:
        """Power is back: a new boot, the wall clock ``clock_behind`` and unsynced."""
        self.clock.boot(behind=clock_behind)
        self._power_on()
        log.info("kiosk %s: booted, clock reads %s (unsynced)", self.spec.id, self.clock.now().isoformat())

    def stop(self) -> None:
        """Stop the sync client and release every device (idempotent)."""
        if self.powered:
            self._power_off()
        self.link.close()
        self.emulator.close()

    def wipe(self) -> None:
        """Forget the kiosk's disk (a fresh demo)."""
        shutil.rmtree(self.directory, ignore_errors=True)

    # -- the door ------------------------------------------------------------------------------
    def scan(self, finger: str) -> ScanResult:
        """A finger on the glass for one turn of the kiosk app's door loop."""
        app = self.app
        if not self.powered or app is None:
            return self._count(ScanResult("sensor_offline"))
        self.emulator.place(finger)
        try:
            outcome = app.step()
        finally:
            self.emulator.lift()
        self._feedback_until = self.clock.now() + FEEDBACK_HOLD
        if isinstance(outcome, PunchRecorded):
            return self._count(ScanResult("recorded", outcome.employee, outcome.seq))
        if isinstance(outcome, RepeatScan):
            return self._count(ScanResult("repeat", outcome.employee))
        if isinstance(outcome, Rejected):
            kind = outcome.reason.split(":")[0].split(" ")[0]
            name = {
                "poor": "poor_image",
                "not": "not_recorded" if "recorded" in outcome.reason else "not_recognised",
            }
            return self._count(ScanResult(name.get(kind, "not_recognised")))
        return self._count(
            ScanResult("sensor_offline" if getattr(outcome, "offline", False) else "no_finger")
        )

    def name_of(self, employee_id: str) -> str:
        """The display name of one of this office's people (the id when unknown)."""
        return next((p.name for p in self.people if p.id == employee_id), employee_id)

    def _count(self, result: ScanResult) -> ScanResult:
        self.counts[result.outcome] = self.counts.get(result.outcome, 0) + 1
        return result

    # -- the idle screen -----------------------------------------------------------------------
    @property
    def link_up(self) -> bool:
        return self.sync is not None and self.sync.connected

    def pending(self) -> int:
        """Punches in the outbox not yet acknowledged by the server (0 while the power is off)."""
        if not self.powered:
            return 0
        try:
            return int(self.outbox.stats().pending)
        except KioskError:  # closed by a power cut in the meantime
            return 0

    def show_idle(self) -> None:
        """Between fingers: the app's idle screen once any feedback has been held long enough."""
        app = self.app
        if not self.powered or app is None:
            return
        if self._feedback_until is not None and self.clock.now() < self._feedback_until:
            return
        self._feedback_until = None
        app.show(app.idle_screen())

    @property
    def screen(self) -> tuple[str, str]:
        """The two lines the kiosk means to show right now (the catalog's 16x2 rendering)."""
        return self.glass.screen or (" " * 16, " " * 16)

    def mirror(self) -> tuple[str, str]:
        """Copy the current screen through RPLCD onto the emulated HD44780 and read the glass back.

        RPLCD waits for the controller's timing on every nibble (tens of milliseconds a screen), so
        the fleet draws on a :class:`Glass` and the demo mirrors the watched kiosk a few times a
        second: what the terminal shows is what the real driver put on the emulated LCD.
        """
        event = self.glass.event
        if event is not None and event != self._mirrored:
            self.lcd_indicator.show(event)
            self._mirrored = event
        return self.lcd.lines


class Glass(ScreenIndicator):
    """A 16x2 indicator without a device: keeps the screen the catalog renders (``screen``)."""

    def _draw(self, screen: Screen) -> None:
        return None

    def close(self) -> None:
        return None
