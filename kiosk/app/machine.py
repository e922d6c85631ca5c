"""The kiosk's state machine: idle -> finger -> identify -> punch (durable) -> feedback.

One thread (the *door loop*) owns the sensor and the indicator. Everything else that needs the
sensor -- an enrollment asked for by the CLI or the server, a template to import or delete -- is
submitted as a job and runs on that thread between two identifications, so nothing ever talks to the
UART concurrently.

A punch is appended to the outbox (fsync'd) *before* the LCD says "recorded", and a stop request
(SIGTERM) is only honoured between two loop iterations, so a punch that has been identified is
always finished before the process exits.
"""

from __future__ import annotations

import enum
import errno
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from queue import Empty, SimpleQueue
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from kiosk.app.clock import Clock, ClockFacts
from kiosk.app.repeat import RepeatWindow
from kiosk.display import events as ev
from kiosk.display.indicator import Indicator
from kiosk.errors import KioskError, SensorError
from kiosk.roster import Employee, Roster
from kiosk.sensor.base import Match, NoFinger, NoMatch, PoorImage, Sensor
from kiosk.sync.errors import OutboxFull

log = logging.getLogger(__name__)

# How long one identify call may wait for a finger before the loop looks at its jobs again.
IDENTIFY_POLL_S = 0.5
# How long a feedback screen (recorded, not recognised...) stays before the idle screen returns.
FEEDBACK_HOLD_S = 3.0
# A finger left resting on the glass is answered again after this long (seconds).
LIFT_HOLD_S = 5.0
# Reconnection to an offline sensor: first wait, then doubling up to the cap.
OFFLINE_BACKOFF_S = (1.0, 30.0)


class PunchStore(Protocol):
    """The part of kiosk.sync.outbox.Outbox the door loop uses."""

    def append(self, punch: dict[str, Any]) -> int: ...

    def stats(self) -> Any: ...


class State(enum.Enum):
    IDLE = "idle"
    SENSOR_OFFLINE = "sensor_offline"
    STOPPED = "stopped"


# What one turn of the loop did; returned by KioskApp.step() for callers and tests.
@dataclass(frozen=True)
class Waited:
    """No finger (or the sensor is offline and it is not yet time to retry)."""

    offline: bool = False


@dataclass(frozen=True)
class PunchRecorded:
    employee: str
    seq: int
    at: datetime
    clock_synced: bool


@dataclass(frozen=True)
class RepeatScan:
    employee: str
    at: datetime


@dataclass(frozen=True)
class Rejected:
    """No punch: not recognised, poor image, unknown page, or the punch could not be stored."""

    reason: str


Outcome = Waited | PunchRecorded | RepeatScan | Rejected


@dataclass
class _Job:
    run: Callable[[], Any]
    future: Future[Any] = field(default_factory=Future)


class KioskApp:
    """The door loop. Construct with the devices, call :meth:`run` (or :meth:`step` in tests).

    Parameters: ``sensor`` (opened by the caller or by :meth:`run`), ``indicator``, ``outbox``
    (durable punch store), ``roster``, ``clock`` and ``facts`` (injected time), ``office`` and
    ``timezone`` (fallbacks until the server's config names them), ``repeat_window_s``,
    ``link_up`` (is the server reachable; decides the "working offline" screen),
    ``summary_hold_s`` (show the employee's monthly summary for this long after "recorded"; None
    never shows it).
    """

    def __init__(
        self,
        *,
        sensor: Sensor,
        indicator: Indicator,
        outbox: PunchStore,
        roster: Roster,
        clock: Clock,
        facts: ClockFacts,
        office: str = "",
        timezone: str = "Asia/Jakarta",
        repeat_window_s: float = 60.0,
        link_up: Callable[[], bool] = lambda: True,
        identify_poll_s: float = IDENTIFY_POLL_S,
        feedback_hold_s: float = FEEDBACK_HOLD_S,
        heartbeat: Callable[[], None] = lambda: None,
        lift_hold_s: float = LIFT_HOLD_S,
        summary_hold_s: float | None = None,
    ) -> None:
        self.sensor = sensor
        self.indicator = indicator
        self.outbox = outbox
        self.roster = roster
        self.clock = clock
        self.facts = facts
        self._office = office
        self._timezone = timezone
        self.repeats = RepeatWindow(repeat_window_s)
        self._link_up = link_up
        self._poll = identify_poll_s
        self._hold = feedback_hold_s
        self._heartbeat = heartbeat
        self._jobs: SimpleQueue[_Job] = SimpleQueue()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.state = State.IDLE
        self._retry_at = 0.0
        self._backoff = OFFLINE_BACKOFF_S[0]
        self._feedback_until = 0.0
        self._touch: tuple[Any, ...] | None = None  # what the finger on the glass was answered with
        self._touch_at = 0.0
        self._lift_hold = lift_hold_s
        self.summary_hold_s = summary_hold_s
        # The summary due after the "recorded" screen, and when (monotonic) it is due.
        self._summary: tuple[ev.Summary, float] | None = None
        self._screen: ev.Idle | ev.ClockNotTrusted | ev.WorkingOffline | ev.SensorOffline | None = None

    # -- outside world -------------------------------------------------------------------------
    @property
    def office(self) -> str:
        return self.roster.directory.office or self._office

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.roster.directory.timezone or self._timezone)

    def submit(self, job: Callable[[], Any]) -> Future[Any]:
        """Run ``job`` on the door-loop thread (between identifications); returns its future."""
        item = _Job(job)
        self._jobs.put(item)
        self._wake.set()
        return item.future

    def request_stop(self) -> None:
        """Ask the loop to stop after the current step; safe from a signal handler."""
        self._stop.set()
        self._wake.set()

    def expect_lift(self, page: int) -> None:
        """The finger of ``page`` is on the glass and already answered (e.g. just enrolled)."""
        self._touch = ("Match", page)
        self._touch_at = self.clock.monotonic()

    @property
    def awaiting_lift(self) -> bool:
        """True after an answer until the kiosk has seen the glass empty (one touch, one answer)."""
        return self._touch is not None

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def show(self, event: Any) -> None:
        """Put an event on the indicator; a broken display never stops the door."""
        try:
            self.indicator.show(event)
        except KioskError as exc:
            log.warning("indicator failed on %s: %s", type(event).__name__, exc)

    def hold_feedback(self) -> None:
        """Keep the screen just shown for the feedback hold time before the idle screen returns."""
        self._feedback_until = self.clock.monotonic() + self._hold
        self._screen = None
        self._summary = None

    def _follow_with_summary(self, employee: Employee, local: datetime) -> None:
        """After the "recorded" screen, show ``employee``'s month so far (if enabled and current).

        Nothing waits for it: the loop shows it when its time comes, and any new touch, job or
        sensor trouble replaces it like any other feedback screen.
        """
        summary = employee.summary
        if self.summary_hold_s is None or summary is None:
            return
        if not summary.is_for(local):
            log.debug("%s: summary of month %d is stale, not shown", employee.id, summary.month)
            return
        event = ev.Summary(summary.month, summary.late, summary.early, summary.absent)
        self._summary = (event, self._feedback_until)
        self._feedback_until += self.summary_hold_s

    # -- the loop ------------------------------------------------------------------------------
    def run(self) -> None:
        """Loop until :meth:`request_stop`; finishes the step in progress, then returns."""
        log.info("door loop started (office %r)", self.office)
        try:
            while not self._stop.is_set():
                outcome = self.step()
                if isinstance(outcome, Waited) and outcome.offline:
                    self._wake.wait(0.2)
                    self._wake.clear()
        finally:
            self.state = State.STOPPED
            self._run_jobs(cancel=True)
            log.info("door loop stopped")

    def step(self) -> Outcome:
        """One turn: pending jobs, the idle screen, then one identification (bounded wait)."""
        self._heartbeat()
        self._run_jobs()
        now_mono = self.clock.monotonic()
        if self.state is State.SENSOR_OFFLINE:
            if now_mono < self._retry_at:
                self._refresh_idle(now_mono)
                return Waited(offline=True)
            if not self._reconnect():
                return Waited(offline=True)
        self._refresh_idle(now_mono)
        try:
            result = self.sensor.identify(timeout=self._poll)
        except SensorError as exc:
            self._went_offline(exc)
            return Waited(offline=True)
        if isinstance(result, NoFinger):
            self._touch = None
            return Waited()
        # One touch, one answer: the same finger still resting on the glass is not asked about again
        # (for LIFT_HOLD_S); another finger, or the same one after a lift, is a new touch.
        touch = (
            (type(result).__name__, result.page) if isinstance(result, Match) else (type(result).__name__,)
        )
        now = self.clock.monotonic()
        if touch == self._touch and now - self._touch_at < self._lift_hold:
            return Waited()
        self._touch, self._touch_at = touch, now
        if isinstance(result, Match):
            return self._matched(result)
        if isinstance(result, NoMatch):
            log.info("finger not recognised")
            self.show(ev.NotRecognised())
            self.hold_feedback()
            return Rejected("not recognised")
        if isinstance(result, PoorImage):
            log.info("poor image: %s", result.reason)
            self.show(ev.PoorImage())
            self.hold_feedback()
            return Rejected(f"poor image: {result.reason}")
        raise TypeError(f"unexpected identify result {result!r}")

    def _matched(self, match: Match) -> Outcome:
        employee = self.roster.lookup(match.page)
        if employee is None:
            log.warning("page %d matched (score %d) but no employee has it", match.page, match.score)
            self.show(ev.NotRecognised())
            self.hold_feedback()
            return Rejected(f"page {match.page} not in the roster")
        mono = self.clock.monotonic()
        earlier = self.repeats.recent(employee.id, mono)
        if earlier is not None:
            log.info("repeat scan by %s within %.0f s: not recorded", employee.id, self.repeats.window_s)
            self.show(ev.AlreadyRecorded(name=employee.name, at=earlier.astimezone(self.tz)))
            self.hold_feedback()
            return RepeatScan(employee.id, earlier)
        at = self.clock.now()
        synced = self.facts.synced()
        punch = {
            "employee": employee.id,
            "page": match.page,
            "score": match.score,
            "at": at.isoformat(),
            "clock_synced": synced,
            "boot_id": self.facts.boot_id(),
            "boottime_ms": self.facts.boottime_ms(),
        }
        try:
            seq = self.outbox.append(punch)
        except (KioskError, OSError) as exc:
            # OutboxFull is both; anything else from the store is equally "not recorded".
            log.error("punch for %s NOT recorded: %s", employee.id, exc)
            self.show(ev.NotRecorded(reason=_reason(exc)))
            self.hold_feedback()
            return Rejected(f"not recorded: {exc}")
        self.repeats.record(employee.id, mono, at)
        local = at.astimezone(self.tz)
        late, early = employee.schedule.lateness(local) if employee.schedule else (0, 0)
        note = "" if synced else " (clock unsynced)"
        log.info("punch %d recorded: %s at %s%s", seq, employee.id, at.isoformat(), note)
        self.show(ev.Recorded(name=employee.name, at=local, late_minutes=late, early_minutes=early))
        self.hold_feedback()
        self._follow_with_summary(employee, local)
        return PunchRecorded(employee.id, seq, at, synced)

    # -- sensor offline ------------------------------------------------------------------------
    def _went_offline(self, exc: Exception) -> None:
        if self.state is not State.SENSOR_OFFLINE:
            log.error("sensor offline: %s", exc)
            self._backoff = OFFLINE_BACKOFF_S[0]
        self.state = State.SENSOR_OFFLINE
        # The sensor may know better when its own reconnection is due (SensorOffline.retry_in).
        hint = getattr(exc, "retry_in", 0.0) or 0.0
        self._retry_at = self.clock.monotonic() + max(self._backoff, min(hint, OFFLINE_BACKOFF_S[1]))
        self._backoff = min(self._backoff * 2, OFFLINE_BACKOFF_S[1])
        self._feedback_until = 0.0
        self._summary = None
        self._refresh_idle(self.clock.monotonic())

    def _reconnect(self) -> bool:
        """Try the sensor again (``open`` is idempotent; ``count`` makes it handshake if needed)."""
        try:
            self.sensor.open()
            self.sensor.count()
        except SensorError as exc:
            self._went_offline(exc)
            return False
        log.info("sensor back online")
        self.state = State.IDLE
        self._screen = None
        return True

    # -- screens -------------------------------------------------------------------------------
    def idle_screen(self) -> ev.Idle | ev.ClockNotTrusted | ev.WorkingOffline | ev.SensorOffline:
        """What the LCD shows when nobody is at the door, most urgent condition first."""
        if self.state is State.SENSOR_OFFLINE:
            return ev.SensorOffline()
        if not self.facts.synced():
            return ev.ClockNotTrusted()
        if not self._link_up():
            pending = int(getattr(self.outbox.stats(), "pending", 0))
            return ev.WorkingOffline(unsynced=pending)
        return ev.Idle(office=self.office, now=self.clock.now().astimezone(self.tz))

    def _refresh_idle(self, now_mono: float) -> None:
        if self._summary is not None and now_mono >= self._summary[1]:
            self.show(self._summary[0])
            self._summary = None
        if now_mono < self._feedback_until:
            return
        screen = self.idle_screen()
        same = self._screen is not None and (
            (isinstance(screen, ev.Idle) and isinstance(self._screen, ev.Idle)) or screen == self._screen
        )
        if same:
            self.indicator.tick(self.clock.now().astimezone(self.tz))
            return
        self._screen = screen
        self.show(screen)

    # -- jobs ----------------------------------------------------------------------------------
    def _run_jobs(self, cancel: bool = False) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except Empty:
                return
            if cancel:
                job.future.set_exception(KioskError("the kiosk is stopping; try again after it restarts"))
                continue
            if not job.future.set_running_or_notify_cancel():
                continue
            try:
                job.future.set_result(job.run())
            except Exception as exc:  # noqa: BLE001 - handed to whoever submitted the job
                log.error("job failed: %s", exc)
                job.future.set_exception(exc)
            self._screen = None
            self._summary = None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OutboxFull) or (isinstance(exc, OSError) and exc.errno == errno.ENOSPC):
        return "disk_full"
    return "storage_error"
