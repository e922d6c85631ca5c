"""Drives the fleet through the designed period on simulated time.

The script is a :class:`Timeline`: every finger placement of the plan plus the outage transitions
(network cut and restored, power cut, boot with a wrong clock, NTP sync), in time order. The
:class:`FleetDriver` moves the :class:`~simulator.fleet.clock.SimClock` to each step and performs it
on the real kiosk code; it never writes the server's database. After a network comes back it lets
that kiosk's backlog drain before time moves on, so the server receives it "at" the moment of
reconnection, as it would in the field.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from simulator.fleet import plan as pl
from simulator.fleet.clock import SimClock
from simulator.fleet.kiosk import SimKiosk
from simulator.fleet.org import Organisation

log = logging.getLogger(__name__)

SCAN = "scan"
NET_DOWN = "net_down"
NET_UP = "net_up"
POWER_OFF = "power_off"
POWER_ON = "power_on"
NTP_SYNC = "ntp_sync"

DRAIN_TIMEOUT = 60.0
# Scans this close together run side by side, each kiosk in its own thread at its own finger's time
# (kiosks are independent; an outage step always ends a batch).
BATCH_SPAN = timedelta(hours=2)


@dataclass(frozen=True)
class Step:
    """One thing that happens at ``at``: a scan (``finger``) or an outage transition."""

    at: datetime
    kind: str
    kiosk_id: str
    finger: str = ""
    employee_id: str = ""
    outage: pl.Outage | None = None


def timeline(org: Organisation, plan: pl.Plan) -> list[Step]:
    """Every step of the period in time order (deterministic, so a resumed run can skip by index)."""
    steps = [Step(e.at, SCAN, e.kiosk_id, e.finger, e.employee_id) for e in plan.events(org)]
    for x in plan.outages:
        if x.kind == pl.NETWORK:
            steps += [
                Step(x.start, NET_DOWN, x.kiosk_id, outage=x),
                Step(x.end, NET_UP, x.kiosk_id, outage=x),
            ]
        elif x.kind == pl.POWER_CUT:
            assert x.synced_at is not None
            steps += [
                Step(x.start, POWER_OFF, x.kiosk_id, outage=x),
                Step(x.end, POWER_ON, x.kiosk_id, outage=x),
                Step(x.synced_at, NET_UP, x.kiosk_id, outage=x),
                Step(x.synced_at, NTP_SYNC, x.kiosk_id, outage=x),
            ]
    order = {POWER_OFF: 0, NET_DOWN: 1, POWER_ON: 2, NET_UP: 3, NTP_SYNC: 4, SCAN: 5}
    steps.sort(key=lambda s: (s.at, order[s.kind], s.kiosk_id, s.employee_id))
    return steps


@dataclass
class Progress:
    """Where the driver is: steps done, simulated now, scan outcomes."""

    done: int = 0
    total: int = 0
    now: datetime | None = None
    outcomes: dict[str, int] = field(default_factory=dict)
    last: str = ""


class FleetDriver:
    """Runs a :func:`timeline` against started :class:`SimKiosk` objects.

    ``on_step(progress)`` is called after each step (for the progress bar and the LCD rendering);
    ``pace`` (simulated seconds per real second, None = as fast as possible) slows the demo down to
    watching speed.
    """

    def __init__(
        self,
        sim: SimClock,
        kiosks: dict[str, SimKiosk],
        steps: list[Step],
        *,
        on_step: Callable[[Progress], None] | None = None,
        pace: float | None = None,
    ) -> None:
        self.sim = sim
        self.kiosks = kiosks
        self.steps = steps
        self.on_step = on_step
        self.pace = pace
        self.progress = Progress(total=len(steps))
        self._lock = threading.Lock()

    def apply_state(self, at: datetime) -> None:
        """Put the kiosks in the state the outages imply at ``at`` (for a resumed run)."""
        for step in self.steps:
            x = step.outage
            if x is None or step.kind not in (NET_DOWN, POWER_OFF):
                continue
            kiosk = self.kiosks[x.kiosk_id]
            if x.kind == pl.NETWORK and x.start <= at < x.end:
                kiosk.link.cut()
            elif x.kind == pl.POWER_CUT and x.synced_at is not None:
                if x.start <= at < x.end:
                    kiosk.link.cut()
                    kiosk.power_cut()
                elif x.end <= at < x.synced_at:
                    kiosk.link.cut()
                    kiosk.power_cut()
                    kiosk.boot(clock_behind=x.clock_behind)

    def run(
        self, start_index: int = 0, stop: threading.Event | None = None, until: datetime | None = None
    ) -> int:
        """Perform steps from ``start_index`` until done, ``stop`` is set or ``until`` is reached.

        Returns the index of the first step not performed (save it to resume).
        """
        stop = stop or threading.Event()
        self.progress.done = start_index
        real0, sim0 = time.monotonic(), self.sim.now()
        index = start_index
        with ThreadPoolExecutor(max_workers=max(1, len(self.kiosks)), thread_name_prefix="kiosk") as pool:
            while index < len(self.steps) and not stop.is_set():
                batch = self._batch(index, until)
                if not batch:
                    break
                if self.pace and not self._wait_for(
                    real0 + (batch[0].at - sim0).total_seconds() / self.pace, stop
                ):
                    break
                self.sim.advance_to(batch[0].at)
                if batch[0].kind == SCAN:
                    self._scan_batch(pool, batch)
                else:
                    self._perform(batch[0])
                self.sim.advance_to(batch[-1].at)
                index += len(batch)
                self.progress.done = index
                self.progress.now = self.sim.now()
                if self.on_step is not None:
                    self.on_step(self.progress)
        return index

    def _batch(self, index: int, until: datetime | None) -> list[Step]:
        """The next outage step alone, or the run of scans within :data:`BATCH_SPAN` of the first."""
        first = self.steps[index]
        if until is not None and first.at > until:
            return []
        if first.kind != SCAN:
            return [first]
        batch = [first]
        for step in self.steps[index + 1 :]:
            if (
                step.kind != SCAN
                or step.at - first.at > BATCH_SPAN
                or (until is not None and step.at > until)
            ):
                break
            batch.append(step)
        return batch

    def _wait_for(self, due: float, stop: threading.Event) -> bool:
        """Wait (interruptibly, refreshing screens) until the real clock reaches ``due``."""
        while not stop.is_set() and time.monotonic() < due:
            stop.wait(min(0.2, max(0.0, due - time.monotonic())))
            self._tick()
        return not stop.is_set()

    def _scan_batch(self, pool: ThreadPoolExecutor, batch: list[Step]) -> None:
        per_kiosk: dict[str, list[Step]] = {}
        for step in batch:
            per_kiosk.setdefault(step.kiosk_id, []).append(step)
        for future in [pool.submit(self._scan_all, self.kiosks[k], steps) for k, steps in per_kiosk.items()]:
            future.result()

    def _scan_all(self, kiosk: SimKiosk, steps: list[Step]) -> None:
        try:
            for step in steps:
                kiosk.clock.hold(step.at)
                kiosk.show_idle()
                result = kiosk.scan(step.finger)
                with self._lock:
                    self.progress.outcomes[result.outcome] = self.progress.outcomes.get(result.outcome, 0) + 1
                    who = kiosk.name_of(result.employee) if result.employee else ""
                    self.progress.last = f"{step.kiosk_id}: {result.outcome.replace('_', ' ')} {who}"
        finally:
            kiosk.clock.hold(None)

    def _tick(self) -> None:
        for kiosk in self.kiosks.values():
            kiosk.show_idle()
        if self.on_step is not None:
            self.on_step(self.progress)

    def _perform(self, step: Step) -> None:
        kiosk = self.kiosks[step.kiosk_id]
        log.info("%s at %s: %s", step.kiosk_id, step.at.isoformat(), step.kind)
        self.progress.last = f"{step.kiosk_id}: {step.kind.replace('_', ' ')}"
        if step.kind == NET_DOWN:
            kiosk.link.cut()
        elif step.kind == POWER_OFF:
            kiosk.link.cut()  # the office router is on the same mains
            kiosk.power_cut()
        elif step.kind == POWER_ON:
            assert step.outage is not None
            kiosk.boot(clock_behind=step.outage.clock_behind)
        elif step.kind == NET_UP:
            kiosk.link.restore()
            self.drain([kiosk])
        elif step.kind == NTP_SYNC:
            kiosk.clock.sync()
        kiosk.show_idle()

    def drain(self, kiosks: list[SimKiosk] | None = None, timeout: float = DRAIN_TIMEOUT) -> bool:
        """Hold simulated time until the kiosks' outboxes are empty (those with a link up)."""
        waiting = [k for k in (kiosks or list(self.kiosks.values())) if k.powered and k.link.up]
        deadline = time.monotonic() + timeout
        while waiting:
            waiting = [k for k in waiting if k.pending() > 0]
            if not waiting:
                return True
            if time.monotonic() > deadline:
                log.warning("backlog not drained within %.0f s: %s", timeout, [k.spec.id for k in waiting])
                return False
            time.sleep(0.02)
        return True
