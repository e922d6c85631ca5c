"""One simulated kiosk: an emulated R307 and LCD behind the real kiosk code, on simulated time.

The chain is the production one: the R307 emulator on a pty, :class:`kiosk.sensor.r307.R307Sensor`
(adafruit_fingerprint over pyserial) identifying the finger, the durable
:class:`kiosk.sync.outbox.Outbox` (fsync before the LCD says "recorded"), the LCD through RPLCD into
the PCF8574/HD44780 emulator, and the :class:`kiosk.sync.client.SyncClient` sending batches over a
:class:`~simulator.fleet.netlink.NetLink` to the broker and applying the server's acks. Only time and
hands are simulated: :class:`~simulator.fleet.clock.KioskClock` and the driver placing fingers.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.display import events as ev
from kiosk.display.catalog import Screen
from kiosk.display.lcd import LcdIndicator
from kiosk.display.screen import ScreenIndicator
from kiosk.errors import KioskError
from kiosk.sensor.base import Match, NoFinger, NoMatch, PoorImage
from kiosk.sensor.r307 import R307Sensor, SensorSettings
from kiosk.sync.client import SyncClient, SyncSettings
from kiosk.sync.outbox import Outbox
from simulator.fleet.clock import KioskClock, SimClock
from simulator.fleet.netlink import NetLink
from simulator.fleet.org import KioskSpec, Office, Person
from simulator.lcd import PCF8574LCD
from simulator.r307.emulator import R307Emulator

log = logging.getLogger(__name__)

REPEAT_WINDOW = timedelta(seconds=60)
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

    ``people`` are the office's employees; their fingers are already in the sensor (page = index),
    as after the technician's enrollment day. ``schedule`` maps weekday -> (start, end) minutes, for
    the courtesy "late N min" on the LCD (the server decides).
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
        schedule: dict[int, tuple[int, int]],
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
        self.schedule = schedule
        self.emulator = R307Emulator(seed=hash(spec.id) & 0xFFFF)
        self.glass = Glass(lang)
        self.indicator = self.glass
        self.lcd = PCF8574LCD(1)
        self.lcd_indicator = LcdIndicator(
            lang=lang, bus_factory=self.lcd.bus_factory, clock=self.clock.monotonic
        )
        self._mirrored: object = None
        self.outbox = Outbox(directory / "outbox", clock=self.clock.now)  # a new one after each boot
        self.link = NetLink(broker)
        self._access = access
        self.sensor: R307Sensor | None = None
        self.sync: SyncClient | None = None
        self.powered = False
        self._recent: dict[str, tuple[float, datetime]] = {}
        self._feedback_until: datetime | None = None
        self.counts: dict[str, int] = {}

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> None:
        """Plug in the sensor (with the office's fingers), open the outbox, connect the sync client."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.emulator.start()
        for page, person in self.pages.items():
            self.emulator.preload(page, person.finger)
        self.link.start()
        self._power_on()
        self.show_idle()

    def _power_on(self) -> None:
        self.outbox = Outbox(self.directory / "outbox", clock=self.clock.now)
        self.outbox.open()
        self.indicator.open()
        self.lcd_indicator.open()
        self.sensor = R307Sensor(SensorSettings(port=self.emulator.port, timeout=2.0))
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
                status_interval=5.0,
            ),
            facts=self.clock,
            now=self.clock.now,
        )
        self.sync.start()
        self.powered = True

    def _power_off(self) -> None:
        self.powered = False
        if self.sync is not None:
            self.sync.stop()
            self.sync = None
        if self.sensor is not None:
            self.sensor.close()
            self.sensor = None
        self.indicator.close()
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
        self._recent.clear()
        self._power_on()
        log.info("kiosk %s: booted, clock reads %s (unsynced)", self.spec.id, self.clock.now().isoformat())
        self.show_idle()

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
        """A finger on the glass: identify, punch durably, then tell the employee."""
        if not self.powered or self.sensor is None:
            return self._count(ScanResult("sensor_offline"))
        self.indicator.show(ev.Reading())
        self.emulator.place(finger)
        try:
            result = self.sensor.identify(timeout=2.0)
        except KioskError as exc:
            log.warning("kiosk %s: sensor failed: %s", self.spec.id, exc)
            self._feedback(ev.SensorOffline())
            return self._count(ScanResult("sensor_offline"))
        finally:
            self.emulator.lift()
        if isinstance(result, PoorImage | NoFinger):
            self._feedback(ev.PoorImage())
            return self._count(ScanResult("poor_image"))
        if isinstance(result, NoMatch) or not isinstance(result, Match) or result.page not in self.pages:
            self._feedback(ev.NotRecognised())
            return self._count(ScanResult("not_recognised"))
        person = self.pages[result.page]
        mono = self.clock.monotonic()
        earlier = self._recent.get(person.id)
        if earlier is not None and mono - earlier[0] < REPEAT_WINDOW.total_seconds():
            self._feedback(ev.AlreadyRecorded(name=person.name, at=earlier[1].astimezone(self.tz)))
            return self._count(ScanResult("repeat", person.id))
        at = self.clock.now()
        punch: dict[str, Any] = {
            "employee": person.id,
            "page": result.page,
            "score": result.score,
            "at": at.isoformat(),
            "clock_synced": self.clock.synced(),
            "boot_id": self.clock.boot_id(),
            "boottime_ms": self.clock.boottime_ms(),
        }
        try:
            seq = self.outbox.append(punch)
        except (KioskError, OSError) as exc:
            log.error("kiosk %s: punch for %s NOT recorded: %s", self.spec.id, person.id, exc)
            self._feedback(ev.NotRecorded(reason="storage_error"))
            return self._count(ScanResult("not_recorded", person.id))
        self._recent[person.id] = (mono, at)
        late, early = self._lateness(at.astimezone(self.tz))
        self._feedback(
            ev.Recorded(name=person.name, at=at.astimezone(self.tz), late_minutes=late, early_minutes=early)
        )
        return self._count(ScanResult("recorded", person.id, seq))

    def _count(self, result: ScanResult) -> ScanResult:
        self.counts[result.outcome] = self.counts.get(result.outcome, 0) + 1
        return result

    def _lateness(self, local: datetime) -> tuple[int, int]:
        """The kiosk's courtesy estimate from the office hours (the server's engine decides)."""
        hours = self.schedule.get(local.weekday())
        if hours is None:
            return 0, 0
        minute = local.hour * 60 + local.minute
        start, end = hours
        if minute < (start + end) // 2:
            return max(0, minute - start), 0
        return 0, max(0, end - minute)

    def _feedback(
        self,
        event: ev.Recorded
        | ev.AlreadyRecorded
        | ev.NotRecognised
        | ev.PoorImage
        | ev.NotRecorded
        | ev.SensorOffline,
    ) -> None:
        self.indicator.show(event)
        self._feedback_until = self.clock.now() + FEEDBACK_HOLD

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

    def idle_event(self) -> ev.Idle | ev.ClockNotTrusted | ev.WorkingOffline | ev.SensorOffline:
        """What the LCD shows when nobody is at the door, most urgent condition first."""
        if not self.powered:
            return ev.SensorOffline()
        if not self.clock.synced():
            return ev.ClockNotTrusted()
        if not self.link.up:
            return ev.WorkingOffline(unsynced=self.pending())
        return ev.Idle(office=self.office.name, now=self.clock.now().astimezone(self.tz))

    def show_idle(self) -> None:
        """Refresh the idle screen once any feedback has been held long enough."""
        if not self.powered:
            return
        if self._feedback_until is not None and self.clock.now() < self._feedback_until:
            return
        self._feedback_until = None
        self.indicator.show(self.idle_event())

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
